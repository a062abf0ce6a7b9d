"""The sharded search index (portal/searchindex.py) and its client (templates/static/search.js), on the sample
documents: the client, driven in Debian's chromium, must show exactly the pages whose records hold a query."""
import json
import re
import shutil
import unicodedata
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from portal import searchindex
from portal.datafile import read_data
from portal.model import KIND_LABELS, Document
from portal.numbers import amount
from portal.searchindex import (MAX_COUNT, MAX_SEGMENTS, SEP, STABLE, PostingsCache, Record, SearchPage, _entries,
                                _gram_strings, nfkc, normalise, prepare, string_hash, vlq, write_index)
from portal.vocabulary import is_code

from tests.conftest import ROOT, needs_chromium, serve

SEARCH_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>搜索</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'">
<script src="../static/search.js" defer></script></head><body>
<div id="site-search" data-root="../" data-index="../search/"> <p class="noscript-note">搜索需要 JavaScript。</p> </div>
</body></html>"""
# bigrams 支出 出预 预算 all occur in it, the query 支出预算 does not
TRAP = SearchPage("pages/trap/index.html", "测试部门", 2020, "部门决算", "测试页面",
                  [Record("", "text", "说明", "预算支出合计，其中出预")])


def document_page(doc: Document, url: str) -> SearchPage:
    """What a document's page contributes, as the integrator may choose: the department, each table and its
    rows (code and cells as printed), each paragraph, each glossary term and each evaluated project."""
    records = [Record("", "department", doc.department, " ".join(doc.department_aliases))]
    for table in doc.tables:
        records.append(Record(f"#{table.id}", "table", table.title, table.label or ""))
        for index, row in enumerate(table.rows):
            code = row[0] if row and is_code(row[0]) else None
            name = next((c for c in row if isinstance(c, str) and c != code), "")
            figure = next((c for c in row if isinstance(c, Decimal)), None)
            cells = " ".join(amount(c) for c in row if c is not None and c != name)
            records.append(Record(f"#{table.id}-{code or index}", "row", name, cells,
                                  amount(figure) if figure is not None else "",
                                  (table.unit or "") if figure is not None else ""))
    for number, section in enumerate(doc.sections):
        records += [Record(f"#s{number}", "text", section.heading, p) for p in section.paragraphs]
    records += [Record(f"#term-{g.term}", "term", g.term, g.definition) for g in doc.glossary]
    for number, evaluation in enumerate(doc.evaluations):
        budget = amount(evaluation.budget) if evaluation.budget is not None else ""
        records.append(Record(f"#e{number}", "evaluation", evaluation.project, "", budget, evaluation.unit))
        records += [Record(f"#e{number}", "text", s.heading or evaluation.project, p)
                    for s in evaluation.sections for p in s.paragraphs]
    return SearchPage(url, doc.department, doc.year, KIND_LABELS[doc.kind], doc.title, records)


def sample_pages() -> list[SearchPage]:
    """One page per sample data file, at departments/<file name>/index.html."""
    return [document_page(read_data(p.read_text(encoding="utf-8"), p.name), f"departments/{p.stem}/index.html")
            for p in sorted((ROOT / "content/data").glob("*.yaml"))]


@pytest.fixture(scope="module")
def pages() -> list[SearchPage]:
    return sample_pages() + [TRAP]


def holding(pages: list[SearchPage], query: str) -> list[str]:
    """The urls of the pages with a record that holds the query: what the client must show."""
    q = normalise(query)
    return [p.url for p in pages if any(q in normalise(f"{r.title} {r.text} {r.amount}") for r in p.records)]


# ------------------------------------------------------------------------------------------------- Python


@pytest.mark.parametrize("text, expected", [
    ("“三公”经费", "三公经费"),
    ("「三公」 『经费』 '三' \"公\"", "三公经费三公"),
    ("45,084.94", "45084.94"),
    ("１２，３４５．６", "12345.6"),  # full-width digits and comma
    ("a,b 1, 2", "a,b12"),  # a comma between digits only, after whitespace is gone
    ("维修（护）费", "维修(护)费"),
    ("⼒⽀ ＡＢＣ", "力支abc"),  # Kangxi radicals, full-width letters
    ("预算\u3000支出\n合 计", "预算支出合计"),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text", [
    "Ａ\u0301 e\u0301 ｅ\u0301",  # a full-width letter folded alone, then composed with the accent after it
    "\u1100\u1161\u11a8 ﾊﾟ ﬁ ① ㈱ ㍻ ⅻ ¼ ℃",  # Hangul jamo compose, half-width kana + mark, ligatures, squares
    "⼒⽀ 兀 ＡＢＣ（一）：“三公”经费\u3000合计",
])
def test_nfkc_is_unicodedata_nfkc(text, pages):
    assert nfkc(text) == unicodedata.normalize("NFKC", text)
    for page in pages:
        whole = "\0".join(f"{r.title} {r.text} {r.amount}" for r in page.records)
        assert nfkc(whole) == unicodedata.normalize("NFKC", whole)


def test_characters_nfkc_skips_are_their_own_nfkc():
    every = "".join(map(chr, range(0x110000)))
    skipped = re.findall(f"[{STABLE}]", every)
    assert len(skipped) > 20_000  # the CJK ideographs at least
    assert [c for c in skipped if unicodedata.normalize("NFKC", c) != c] == []


def reference_entries(texts: list[str], starts: set[str]) -> tuple[list[str], list[str]]:
    """_entries as its docstring and the module's say, one gram at a time: every bigram without a NUL, and
    " " + every 5 characters of digits and points; sorted; VLQ(2·min(count, MAX_COUNT) + starts a name), and
    for several segments VLQ(full mask XOR the mask of the segments holding the gram)."""
    counts, masks = Counter(), Counter()
    for seg, text in enumerate(texts):
        grams = [text[i:i + 2] for i in range(len(text) - 1) if "\0" not in text[i:i + 2]]
        grams += [" " + text[i:i + 5] for i in range(len(text) - 4) if set(text[i:i + 5]) <= set("0123456789.")]
        counts.update(grams)
        for gram in set(grams):
            masks[gram] |= 1 << seg
    grams = sorted(counts)
    entries = [vlq(2 * min(counts[g], MAX_COUNT) + (g in starts)) for g in grams]
    if len(texts) > 1:
        entries = [e + vlq((1 << len(texts)) - 1 ^ masks[g]) for e, g in zip(entries, grams)]
    return grams, entries


def entries_of(texts: list[str], starts: set[str]) -> tuple[list[str], list[str]]:
    keys, entries = _entries(texts, starts)
    return _gram_strings(keys), entries.split(SEP) if entries else []


def test_entries_count_and_mask_every_gram(pages):
    for page in pages:
        texts = [normalise("\0".join(f"{r.title} {r.text} {r.amount}" for r in page.records[i::3])) for i in range(3)]
        starts = {normalise(r.title)[:2] for r in page.records if r.kind in ("department", "table", "term")}
        assert entries_of(texts, starts) == reference_entries(texts, starts)
        assert entries_of(texts[:1], starts) == reference_entries(texts[:1], starts)
    crafted = ["", "a", "\x01b12345", "12345.6", "1.2.3.4.5", "\0\0x\0", "中文" * 600, "9" * 1200, "\U0001F600\U0001F601",
               "ab\ud800cd"]  # a lone surrogate (a PDF's broken ToUnicode map can make one)
    assert entries_of([], set()) == ([], [])
    for text in crafted:
        assert entries_of([text], {"中文", "\x01b"}) == reference_entries([text], {"中文", "\x01b"})
    assert entries_of(crafted, {"12"}) == reference_entries(crafted, {"12"})


def test_expected_pages_agree_with_the_sources(pages):
    """The reference the browser tests compare with, checked against the source texts by hand."""
    urls = {p.url.split("/")[1][:3]: p.url for p in pages}
    assert holding(pages, "2010301") == [urls["001"]]  # 001 source lines 167, 240 (行政运行); in no other source
    # 30213 维修(护)费: 001 line 297 half-width brackets; 003 line 356 and 004 full-width
    assert holding(pages, "维修(护)费") == holding(pages, "维修（护）费") == [urls["001"], urls["003"], urls["004"]]
    assert holding(pages, "45,084.94") == holding(pages, "45084.94") == [urls["001"]]  # 001 source lines 109, 135, 137 …


def indexed(root: Path, pages: list[SearchPage]) -> list[str]:
    """What a build does: each page's records beside it, then the index; the files written, from root."""
    prepared, written = [], []
    for page in pages:
        part, files = prepare(page)
        prepared.append(part)
        for path, text in files:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
            written.append(path)
    return written + list(write_index(root, prepared).files)


def test_write_index_is_deterministic(pages, tmp_path):
    first = indexed(tmp_path / "a", pages)
    second = indexed(tmp_path / "b", pages)
    assert first == second and len(first) == len(set(first))
    for path in first:
        assert (tmp_path / "a" / path).read_bytes() == (tmp_path / "b" / path).read_bytes(), path
    assert sorted(first) == sorted(str(p.relative_to(tmp_path / "a")) for p in (tmp_path / "a").rglob("*.js"))


def test_postings_cache_gives_the_index_made_without_it(pages, tmp_path, monkeypatch):
    """A build collects again only the blocks of 64 pages whose pages changed, and after a change of one
    block puts the changed grams' postings into the current site's shards that hold them: after one page of
    the second block changes, or a page is inserted at the front (every block shifts: all the postings are
    assembled again), the index written with the last build's cache is the one written without any."""
    many = [replace(page, url=f"p/{n}/index.html") for n in range(150) for page in [pages[n % len(pages)]]]
    changed = list(many)
    changed[100] = replace(many[101], url=many[100].url)
    amended = list(changed)  # a record's text edited, no name: the names shards are the same
    records = changed[7].records
    amended[7] = replace(changed[7], records=[*records[:3], records[3]._replace(text="改过的文字"), *records[4:]])
    cache = PostingsCache()
    made = []  # the folders of the shards written in full (p/: postings, t/: names)
    monkeypatch.setattr(searchindex, "_write_shards", lambda writer, folder, *rest, whole=searchindex._write_shards:
                        made.append(folder) or whole(writer, folder, *rest))
    for step, version in enumerate([many, changed, amended, [TRAP] + amended]):
        prepared = [prepare(page)[0] for page in version]
        current = tmp_path / f"cached{step - 1}" if step else None
        made.clear()
        last, cache = cache, write_index(tmp_path / f"cached{step}", prepared, cache, current)
        assert made == [["p", "t"], ["t"], [], ["p", "t"]][step], (step, made)
        assert last.blocks is not cache.blocks and (step == 0 or len(last.blocks) == 3)  # the last one is left as it was
        without = list(write_index(tmp_path / f"clean{step}", prepared).files)
        assert sorted(cache.files) == sorted(without)
        for path in without:
            assert (tmp_path / f"cached{step}" / path).read_bytes() == (tmp_path / f"clean{step}" / path).read_bytes(), path
        assert len(cache.blocks) == 3  # this build's blocks only
        if current:  # the files that are the same as the current site's are its files, linked
            same = [p for p in without if (current / p).is_file() and (current / p).read_bytes() == (tmp_path / f"clean{step}" / p).read_bytes()]
            linked = [p for p in without if (current / p).is_file() and (current / p).stat().st_ino == (tmp_path / f"cached{step}" / p).stat().st_ino]
            assert linked == same and len(same) < len(without)
            assert same or step == 3  # the insertion at the front shifts every page: no file is the same


def read_script(path: Path):
    """The data of an index file: siteSearchData("key",{...});"""
    return json.loads(path.read_text(encoding="utf-8").partition(",")[2].rstrip().removesuffix(");"))


def posting_pages(search: Path, gram: str) -> list[int]:
    """The pages the postings list for a bigram (decoded as search.js does)."""
    manifest = read_script(search / "manifest.js")
    digits = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
    facets = [digits[c] for c in manifest["facets"]]  # every value is < 32 here: one character each
    segments = facets[3::4]
    text = read_script(search / f"p/{string_hash(gram) & (manifest['shards'] - 1):x}.js").get(gram, "")
    at, block, out = 0, -1, []

    def vlq():
        nonlocal at
        value = shift = 0
        while True:
            digit = digits[text[at]]
            at += 1
            value += (digit & 31) << shift
            shift += 5
            if not digit & 32:
                return value

    while at < len(text):
        block += vlq() + 1
        count = digits[text[at]] + 1
        at += 1
        for _ in range(count):
            page = block * 64 + digits[text[at]]
            at += 1
            vlq()
            if segments[page] > 1:
                vlq()
            out.append(page)
    return out


def test_postings_are_a_superset_and_the_trap_is_in_it(pages, tmp_path):
    indexed(tmp_path, pages)
    trap = len(pages) - 1
    for gram in ("支出", "出预", "预算"):
        assert trap in posting_pages(tmp_path / "search", gram)
    assert pages[trap].url not in holding(pages, "支出预算")  # so only verification can keep it out
    for query in ("人员经费", "2010301", "45084.94"):
        expected = {i for i, p in enumerate(pages) if p.url in holding(pages, query)}
        grams = [normalise(query)[i:i + 2] for i in range(len(normalise(query)) - 1)]
        assert expected and all(expected <= set(posting_pages(tmp_path / "search", g)) for g in grams)


def test_many_pages_blocks_and_segments(tmp_path):
    """Past one block of 64 pages and with pages of many segments, every page still decodes."""
    big = sample_pages()[1]
    pages = [SearchPage(f"p{i}/index.html", f"部门{i}", 2024, "部门预算", "t", big.records if i % 50 == 0 else
                        [Record("", "department", f"部门{i}", "人员经费" if i % 3 == 0 else "")]) for i in range(200)]
    indexed(tmp_path, pages)
    assert posting_pages(tmp_path / "search", "经费") == [i for i in range(200) if i % 3 == 0 or i % 50 == 0]


# ------------------------------------------------------------------------------------------------ browser

@pytest.fixture(scope="module")
def site(pages, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    indexed(root, pages)
    (root / "static").mkdir()
    shutil.copy(ROOT / "templates/static/search.js", root / "static/search.js")
    (root / "find").mkdir()
    (root / "find/index.html").write_text(SEARCH_PAGE, encoding="utf-8")
    (root / "favicon.ico").write_bytes(b"")  # chromium asks for it: no 404 in the console
    return root


@pytest.fixture(scope="module")
def base_url(site):
    url, httpd = serve(site)
    yield url
    httpd.shutdown()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    assert page.errors == []
    context.close()


def run_query(page, url):
    """Open the search page at url, show every group; the result pages' urls, site-relative."""
    page.goto(url)
    page.wait_for_function("() => /找到|没有找到|至少/.test(document.querySelector('.search-status').textContent)")
    while page.locator("button.search-more").is_visible():
        before = page.locator(".search-page").count()
        page.locator("button.search-more").click()
        page.wait_for_function(f"() => document.querySelectorAll('.search-page').length > {before}")
    hrefs = page.locator(".search-page h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith("../") for h in hrefs)
    return [h.removeprefix("../") for h in hrefs]


@pytest.mark.browser
@needs_chromium
# (the built site is searched for 27 queries in tests/test_search.py: here, what only a made-up index can show —
# the trap page — and a two-character query that is on nearly every page)
@pytest.mark.parametrize("query", ["支出预算", "经费"])
def test_client_shows_exactly_the_pages_holding_the_query(page, base_url, pages, query):
    expected = holding(pages, query)
    shown = run_query(page, base_url + "find/index.html?q=" + quote(query))
    assert sorted(shown) == sorted(expected)
    if expected:
        assert page.locator(".search-status").inner_text().startswith(f"找到 {len(expected)} 个页面")
    else:
        assert "没有找到" in page.locator(".search-status").inner_text()
    q = normalise(query)
    records = page.locator(".search-record")
    for i in range(records.count()):  # every listed record holds the query, and it is what is marked
        marks = records.nth(i).locator("mark").all_inner_texts()
        assert normalise("".join(marks)) == q, (query, records.nth(i).inner_text())
        href = records.nth(i).locator("a").get_attribute("href")
        assert href.startswith("../departments/") and "#" in href


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("name", ["武汉经济技术开发区智能制造产业园管理办公室"])
def test_a_department_name_finds_that_department_first(page, base_url, pages, name):
    run_query(page, base_url + "find/index.html?q=" + quote(name))
    first = page.locator(".search-group").first
    assert first.locator("h2").inner_text() == name
    record = first.locator(".search-record").first
    assert record.get_attribute("data-kind") == "department"
    assert record.locator("mark").inner_text() == name
    url = next(p.url for p in pages if p.department == name)
    assert record.locator("a").get_attribute("href") == "../" + url


@pytest.mark.browser
@needs_chromium
def test_filters_are_populated_from_the_results_and_kept_in_the_url(page, base_url, pages):
    shown = run_query(page, base_url + "find/index.html?q=" + quote("经费"))
    kinds = page.locator("select[name=kind] option").all_inner_texts()
    assert kinds[0] == "全部" and sorted(kinds[1:]) == sorted({p.kind for p in pages if p.url in shown})
    years = page.locator("select[name=year] option").all_inner_texts()[1:]
    assert years == sorted({str(p.year) for p in pages if p.url in shown}, reverse=True)
    page.locator("select[name=kind]").select_option("专项绩效自评报告")
    assert "kind=%E4%B8%93" in page.url  # 专 percent-encoded
    assert page.locator(".search-page h3 a").evaluate_all("a => a.map(x => x.getAttribute('href'))") == [
        "../" + p.url for p in pages if p.kind == "专项绩效自评报告"]
    # a shared link opens with the same filter
    shown = run_query(page, base_url + "find/index.html?q=" + quote("经费") + "&year=2024&dept=" + quote("武汉市经济和信息化局"))
    assert page.locator("select[name=year]").input_value() == "2024"
    assert page.locator("select[name=dept]").input_value() == "武汉市经济和信息化局"
    assert shown == [p.url for p in pages if p.department == "武汉市经济和信息化局"]


@pytest.mark.browser
@needs_chromium
def test_keyboard_label_live_region_and_short_queries(page, base_url):
    page.goto(base_url + "find/index.html")
    page.get_by_label("搜索全站").focus()
    page.keyboard.type("经")
    page.keyboard.press("Enter")
    assert page.locator(".search-status").get_attribute("aria-live") == "polite"
    page.wait_for_function("() => document.querySelector('.search-status').textContent.includes('2 个字')")
    page.keyboard.type("费")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.search-status').textContent.startsWith('找到')")
    assert "q=%E7%BB%8F%E8%B4%B9" in page.url
    assert page.locator(".noscript-note").count() == 0


@pytest.mark.browser
@needs_chromium
def test_normalise_is_the_same_in_javascript(page, base_url):
    page.goto(base_url + "find/index.html")
    texts = ["“三公”经费", "45,084.94", "１２，３４５．６", "a,b 1, 2", "维修（护）费", "⼒⽀ ＡＢＣ", "预算\u3000支出\n合 计",
             "「三公」 『经费』 '三' \"公\"", "Ⅻ ㎡ ﬁ ①", "\u200b零宽\ufeff空格\xa0"]
    assert page.evaluate("texts => texts.map(window.siteSearchNormalise)", texts) == [normalise(t) for t in texts]


@pytest.mark.browser
@needs_chromium
def test_works_from_file_urls(page, site):
    shown = run_query(page, (site / "find/index.html").as_uri() + "?q=" + quote("2010301"))
    assert shown and all(urlsplit(u).scheme == "" for u in shown)



# Departments that print the same report, in which a query's bigrams are all on every segment but never side
# by side (a trap page, ranked first: each bigram many times), and a page that holds the query once.
TEMPLATE_TEXT = "专项资金管理办法规定，基金评估与项目评审按季度开展。" * 12  # 资金 金评 评审, no 资金评审


# One department also prints a report that differs by one sentence holding the query: the same postings as the
# trap pages (each bigram as often, on the same segments), but a match.
LOOK_ALIKE_TEXT = "专项资金评审办法规定，基估与项目评价按季度开展。" + TEMPLATE_TEXT[26:]


def template_departments(count: int) -> list[SearchPage]:
    pages = []
    for d in range(count):
        name = f"测试区第{d:02d}局"
        trap = [Record(f"#r{i}", "text", "工作开展情况", TEMPLATE_TEXT) for i in range(200)]
        pages += [SearchPage(f"departments/d{d:02d}/report/index.html", name, 2024, "部门决算", "决算", trap),
                  SearchPage(f"departments/d{d:02d}/evaluation/index.html", name, 2024, "专项绩效自评报告", "自评",
                             [Record("", "evaluation", "专项资金评审经费", "预算 67 万元")])]
        if d == 5:
            pages.append(SearchPage(f"departments/d{d:02d}/report-2023/index.html", name, 2023, "部门决算", "决算",
                                    trap[:-1] + [Record("#r199", "text", "工作开展情况", LOOK_ALIKE_TEXT)]))
    return pages


@pytest.fixture(scope="module")
def template_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("template-site")
    indexed(root, template_departments(24))
    (root / "static").mkdir()
    shutil.copy(ROOT / "templates/static/search.js", root / "static/search.js")
    (root / "find").mkdir()
    (root / "find/index.html").write_text(SEARCH_PAGE, encoding="utf-8")
    (root / "favicon.ico").write_bytes(b"")
    return root


def test_template_departments_are_the_case_they_are_made_for(tmp_path):
    pages = template_departments(6)
    trap, look_alike = pages[0], pages[-1]
    assert holding(pages, "资金评审") == [p.url for p in pages if "evaluation" in p.url] + [look_alike.url]
    part, files = prepare(trap)
    assert part.segments == MAX_SEGMENTS  # every segment of the trap page holds every bigram: 16 loads to rule out
    assert all(all(g in normalise(text) for g in ("资金", "金评", "评审")) for _, text in files)
    for gram in ("资金", "金评", "评审"):  # the look-alike's postings for the query are the trap's
        assert normalise(LOOK_ALIKE_TEXT).count(gram) == normalise(TEMPLATE_TEXT).count(gram)
    assert prepare(look_alike)[0].segments == part.segments


@pytest.mark.browser
@needs_chromium
def test_pages_that_match_are_shown_before_the_look_alikes_are_ruled_out(page, template_site):
    """The trap pages rank first and each takes all of a step's segment loads to rule out. A department's page
    that matches is still shown on the first screen, and once one trap is ruled out, the others, with the same
    postings, go last: the next step shows a screen of matches, not one more. When only look-alikes are left,
    the status says so, and the button says what pressing it does. The look-alike that does match is found in
    the end, and listed with its department's other page."""
    base, httpd = serve(template_site)
    try:
        page.goto(base + "find/index.html?q=" + quote("资金评审"))
        page.wait_for_function("() => /找到/.test(document.querySelector('.search-status').textContent)")
        steps = []  # each step's (pages shown, status, the button's label if shown)
        while True:
            more = page.locator("button.search-more")
            steps.append((page.locator(".search-page").count(), page.locator(".search-status").inner_text(),
                          more.inner_text() if more.is_visible() else None))
            if steps[-1][2] is None or len(steps) == 60:
                break
            more.click()  # each trap left takes a step
            page.wait_for_function("() => document.querySelector('.search-results').getAttribute('aria-busy') === 'false'")
        counts = [count for count, _, _ in steps]
        assert counts[0] >= 1 and counts[1] >= 8, counts
        # once every matching page is shown, what is left are look-alikes of a page that did not match: said so
        count, status, button = next(step for step in steps if step[0] == 24)
        assert re.search(r"已显示 24 个；其余 \d+ 个页面与已核对不含该词的页面相似", status), status
        assert button == "逐一核对其余页面"
        hrefs = page.locator(".search-page h3 a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert sorted(h.removeprefix("../") for h in hrefs) == sorted(holding(template_departments(24), "资金评审"))
        assert page.locator(".search-status").inner_text() == "找到 25 个页面（24 个部门）"
        headings = page.locator(".search-group h2").all_inner_texts()
        assert len(headings) == len(set(headings)) == 24, headings
    finally:
        httpd.shutdown()
