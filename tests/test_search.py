"""The site search in a real browser, against the truth: for each query, every page of the sample site whose
text contains it (computed here from the built HTML, independently of the index) must be found, and a query
that names a department or a glossary term must bring that first."""
import re
from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

from portal.searchindex import normalise
from tests.conftest import needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

# Elements that help find one's way on a page (menus, the table of contents) or are worked out by the portal
# (charts of the tables' own figures, the arithmetic checks, the download list): not the documents' text.
SKIP = {"header", "footer", "nav", "script", "noscript"}
SKIP_CLASSES = {"toc", "charts", "checks", "downloads", "to-toc", "breadcrumb", "noscript-note", "hint", "lead"}
NOT_SEARCHED = {"index.html", "departments/index.html", "search/index.html", "checks/index.html"}  # lists of other pages, and the search itself


class Text(HTMLParser):
    """The text of <main>, without the elements above."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside <main>
        self.skipping = []  # open elements being skipped
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "meta", "link", "col", "wbr", "hr"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        if self.skipping or tag in SKIP or classes & SKIP_CLASSES or dict(attrs).get("id") in SKIP_CLASSES:
            self.skipping.append(tag)
        if tag == "main":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        elif tag == "main":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture(scope="module")
def texts(sample_site):
    config, _ = sample_site
    out = {}
    for path in config.output_dir.rglob("*.html"):
        name = path.relative_to(config.output_dir).as_posix()
        if name not in NOT_SEARCHED:
            out[name] = normalise(page_text(path.read_text(encoding="utf-8")))
    return out


# (query, what the first result must be: a department page or a glossary term of that name), each query
# read off the sample sources (content/sources/*.txt), not off the index
QUERIES = [
    ("武汉市商务局", ("department", "武汉市商务局")),
    ("江汉区科学技术和经济信息化局", ("department", "江汉区科学技术和经济信息化局")),
    ("基本支出", ("term", "基本支出")),
    ("项目支出", ("term", "项目支出")),
    ("三公经费", ("term", "“三公”经费")),  # the pages print “三公”经费
    ("一般公共预算", None),
    ("2010301", None),  # a 项 code (001 line 167: 行政运行)
    ("20103", None),  # a 款 code
    ("221", None),  # a 类 code
    ("45,084.94", None),  # 001 prints 45,084.94 in 附表5 (line 237) and 45084.94 in 附表1 (line 137) …
    ("45084.94", None),  # … and without the separator
    ("101516.15", None),  # 003 prints it without separators (line 264)
    ("101,516.15", None),  # … the pages show it with them
    ("535.83", None),
    ("1,202,32", None),  # 002 line 158: a comma printed for the decimal point
    ("招商引资", None),
    ("预算绩效管理", None),
    ("人员经费", None),
    ("公务接待费", None),
    ("招商工作经费", None),  # one of the 16 project reports of 002 (line 443)
    ("商务发展研究工作经费", None),
    ("维修（护）费", None),  # 003 line 356, full-width brackets …
    ("维修(护)费", None),  # … 001 line 297, half-width: the same results
    ("工资", None),  # two characters
    ("差旅", None),
    ("一般公共预算支出表", None),
    ("政府性基金预算支出表", None),
]


@pytest.fixture(scope="module")
def searching(browser, base_url):
    """One search page for the module's queries, as a reader types one after another."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(base_url + "search/index.html")
    yield page
    context.close()


def results_of(page, base_url, query):
    """The pages found for ``query`` (all of them: 显示更多 is clicked until it is gone), and the first record."""
    if urlsplit(page.url).path.endswith("/search/index.html"):
        page.locator("#site-search-input").fill(query)
        page.locator("#site-search-input").press("Enter")
    else:
        page.goto(base_url + "search/index.html?q=" + quote(query))
    settled = "() => document.querySelector('.search-results').getAttribute('aria-busy') === 'false'"
    page.wait_for_function("() => /找到|没有找到/.test(document.querySelector('.search-status').textContent)")
    page.wait_for_function(settled)
    while page.locator(".search-more").is_visible():  # hidden once every page is shown
        page.locator(".search-more").click()
        page.wait_for_function(settled)
    pages = page.locator(".search-page h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    first = page.locator(".search-record").first
    return [unquote(urlsplit(urljoin(base_url + "search/", p)).path)[1:] for p in pages], first


@pytest.mark.parametrize("query, first", QUERIES, ids=[q for q, _ in QUERIES])
def test_search_finds_every_page_that_contains_the_query(searching, base_url, texts, query, first):
    page = searching
    wanted = {name for name, text in texts.items() if normalise(query) in text}
    assert wanted, f"{query} is on no page: not a useful query"
    found, first_record = results_of(page, base_url, query)
    assert set(found) == wanted, (query, sorted(wanted - set(found)), sorted(set(found) - wanted))
    assert len(found) == len(set(found))
    if first:
        kind, name = first
        assert first_record.get_attribute("data-kind") == kind
        assert first_record.locator(".search-record-title").inner_text().strip() == name
    marks = page.locator(".search-record mark").all_inner_texts()
    assert marks and all(normalise(m) == normalise(query) for m in marks)  # the query is highlighted


def test_full_and_half_width_queries_agree(searching, base_url):
    assert results_of(searching, base_url, "维修（护）费")[0] == results_of(searching, base_url, "维修(护)费")[0]


def test_a_result_links_straight_to_the_row(page, base_url):
    found, first = results_of(page, base_url, "2010301")
    row = page.locator(".search-record[data-kind='row'] a").first
    href = row.get_attribute("href")
    row.click()
    anchor = unquote(urlsplit(page.url).fragment)
    assert re.fullmatch(r"附表\d+-2010301", anchor), href
    assert page.locator(f"[id='{anchor}']").is_visible()


def test_filters_narrow_the_results_and_stay_in_the_address(page, base_url):
    everything, _ = results_of(page, base_url, "人员经费")
    page.select_option("select[name=kind]", "专项绩效自评报告")
    page.wait_for_timeout(100)
    narrowed = page.locator(".search-page h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert 0 < len(narrowed) < len(everything)
    assert "kind=" in page.url
