"""The site in a real browser: Debian's chromium driven by Playwright, against the sample site on localhost."""
import subprocess
import sys
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.conftest import DOC_001, DOC_002, ROOT, needs_chromium, pages_of

ARTIFACTS = ROOT / "test-artifacts"
PAGE_001 = DOC_001

pytestmark = [pytest.mark.browser, needs_chromium]
playwright_api = pytest.importorskip("playwright.sync_api")


def visible_rows(page, table_id):
    return page.locator(f"#{table_id} tbody tr:visible")


def test_filter_narrows_rows_keeps_parents_and_updates_the_url(page, base_url):
    page.goto(base_url + PAGE_001)
    table = "附表3"  # 附表3 支出总表: 28 rows (its anchor is its label)
    box = page.locator(f"#filter-{table}")
    total = page.locator(f"#{table} tbody tr").count()
    assert total == 28
    box.fill("住房公积金")  # line 189: 2210201 住房公积金; its parents 221 and 22102 stay as context
    codes = [r.get_attribute("data-code") for r in visible_rows(page, table).all()]
    assert codes == ["221", "22102", "2210201"]
    assert page.locator(f"#{table} thead tr").first.is_visible()
    assert page.locator(f"#{table} .match-count").inner_text() == f"匹配 1 / {total} 行"
    assert parse_qs(urlsplit(page.url).query) == {"附表3": ["住房公积金"]}
    box.fill("2010301")
    assert [r.get_attribute("data-code") for r in visible_rows(page, table).all()] == ["201", "20103", "2010301"]
    box.fill("")
    assert visible_rows(page, table).count() == total and urlsplit(page.url).query == ""
    page.goto(base_url + PAGE_001 + "?附表6=公务接待费")  # 附表6, line 301: 30217 公务接待费 0.50
    assert page.locator("#filter-附表6").input_value() == "公务接待费"
    assert [r.get_attribute("data-code") for r in visible_rows(page, "附表6").all()] == ["302", "30217"]


def test_page_filter_applies_to_every_table(page, base_url):
    page.goto(base_url + PAGE_001 + "?q=住房公积金")
    assert page.locator("#filter-page").input_value() == "住房公积金"
    assert page.locator("#附表3 tbody tr:visible[data-code='2210201']").count() == 1
    assert page.locator("#附表6 tbody tr:visible[data-code='30113']").count() == 1  # 基本支出表 住房公积金
    assert not page.locator("#附表7").is_visible()  # the 三公 table has no such row: hidden while filtering


def test_numeric_sort_orders_by_amount(page, base_url):
    page.goto(base_url + PAGE_001)
    header = page.locator("#附表3 thead th[data-column='2'] button.sort")  # 合计
    header.click()
    values = [float(v) for v in page.locator("#附表3 tbody tr:not(.total) td.num:nth-child(3)").evaluate_all(
        "cells => cells.map(c => c.dataset.value)")]
    assert values == sorted(values)
    texts = page.locator("#附表3 tbody tr:not(.total) td:nth-child(3)").all_inner_texts()
    assert texts.index("9.76") < texts.index("81.04")  # as amounts, not as text
    header.click()
    descending = page.locator("#附表3 tbody tr:not(.total) td:nth-child(3)").all_inner_texts()
    assert descending.index("81.04") < descending.index("9.76")
    assert page.locator("#附表3 thead th[data-column='2']").get_attribute("aria-sort") == "descending"


def test_glossary_links_tooltips_and_keyboard(page, base_url):
    page.goto(base_url + PAGE_001)
    link = page.locator("#附表3-2010301 a.term").first  # 行政运行 → its 类/款/项 glossary entry
    target = link.get_attribute("href")
    link.click()
    assert unquote(page.url).endswith(target)
    assert page.locator(target).is_visible() and page.locator(target).inner_text().endswith("行政运行（项）")
    term = page.locator("p a.term").first
    term.hover()
    tip = page.locator("#term-tip")
    assert tip.is_visible() and len(tip.inner_text()) > 5
    page.mouse.move(0, 0)
    # keyboard only: Tab reaches a filter box, a sort button and a term link
    page.goto(base_url + PAGE_001)
    reached = set()
    for _ in range(400):
        page.keyboard.press("Tab")
        kind = page.evaluate("""() => { const e = document.activeElement;
            if (e.matches('input[type=search]')) return 'filter';
            if (e.matches('button.sort')) return 'sort';
            if (e.matches('a.term')) return 'term'; return ''; }""")
        reached.add(kind)
        if {"filter", "sort", "term"} <= reached and kind == "term":
            break
    assert {"filter", "sort", "term"} <= reached
    assert tip.is_visible()  # focus on a term shows its definition too
    href = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    assert unquote(page.url).endswith(href)


def test_index_links_open_each_department(page, base_url, sample_site):
    _, report = sample_site
    page.goto(base_url)
    links = page.locator("table.index-table tbody th a")
    names = links.all_inner_texts()
    assert sorted(names) == sorted(d.department for d in report.documents)
    for name in names:
        page.goto(base_url)
        page.get_by_role("link", name=name, exact=True).click()
        assert page.locator("h1").inner_text() == name  # its department page …
        page.locator(".document-list a").first.click()
        assert page.locator("h1").inner_text().startswith(name)  # … lists its documents


def test_without_javascript_tables_and_glossary_are_there(browser, base_url, sample_site):
    config, _ = sample_site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        for doc, url in pages_of(config):
            page.goto(base_url + url)
            assert page.locator("table.data").count() == sum(not t.empty for t in doc.tables) + bool(doc.evaluations)
            assert page.locator("#glossary dt").count() == len(doc.glossary)
            assert page.locator("input[type=search]").count() == 0  # controls come with JavaScript only
        page.goto(base_url + PAGE_001)
        assert page.locator("#附表3 tbody tr").count() == 28 and page.locator("#附表3 tbody tr").nth(3).is_visible()
    finally:
        context.close()


def test_no_outside_requests_and_no_console_errors(page, base_url, sample_site):
    _, report = sample_site
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    paths = ["", "glossary/index.html", "search/index.html?q=住房", "pages/about/index.html"]
    paths += [d.url for d in report.documents] + [d.department_url for d in report.documents]
    for path in paths:
        page.goto(base_url + path)  # waits for "load": the site fetches nothing later (no fetch/XHR in site.js)
    assert requests and all(urlsplit(u).hostname == "127.0.0.1" for u in requests), requests
    assert errors == []


def test_phone_viewport_has_no_page_overflow(browser, base_url, sample_site):
    _, report = sample_site
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        for path in [""] + [d.url for d in report.documents]:
            page.goto(base_url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (path, overflow)
    finally:
        context.close()


def test_screenshots_for_people_to_look_at(browser, base_url):
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for name, path in (("index", ""), ("department", PAGE_001)):
            page.goto(base_url + path)
            file = ARTIFACTS / f"{name}-{label}.png"
            page.screenshot(path=str(file), full_page=False)
            assert file.stat().st_size > 10_000
        context.close()


def test_live_reload_updates_the_open_page(browser, project, free_port):
    (project / "config.yaml").write_text("title: 预览\n", encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(free_port),
                                "--config", str(project / "config.yaml")],
                               cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = browser.new_context()
    page = context.new_page()
    try:
        url = f"http://127.0.0.1:{free_port}/{DOC_002}"
        deadline = time.monotonic() + 60
        while True:
            try:
                page.goto(url)
                break
            except playwright_api.Error:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert page.locator(".doc-title").inner_text() == "武汉市商务局 2018 年专项绩效自评报告（16 个项目）"
        page.wait_for_function("() => window.LiveReload !== undefined")  # livereload.js connected
        page.evaluate("window.__marker = 1")  # survives only if the page is never reloaded
        source = project / "content" / "sources" / "002_4e54a5785d908060.txt"
        source.write_text(source.read_text(encoding="utf-8").replace("招商工作经费 2018 年度整体预算", "招商引资经费 2018 年度整体预算", 1),
                          encoding="utf-8")
        page.wait_for_function("() => document.body.textContent.includes('招商引资经费 2018 年度整体预算')", timeout=20_000)
        assert page.evaluate("window.__marker") is None  # the server reloaded it, we did not
    finally:
        context.close()
        process.terminate()
        process.wait(timeout=10)


WIDTHS = (("phone", {"width": 390, "height": 844}), ("desktop", {"width": 1366, "height": 900}))


def site_pages(config) -> list[str]:
    """Every HTML page of the built site, as a path from its root."""
    return sorted(p.relative_to(config.output_dir).as_posix() for p in config.output_dir.rglob("*.html"))


@pytest.mark.parametrize("label, viewport", WIDTHS, ids=[w[0] for w in WIDTHS])
def test_no_page_scrolls_sideways_or_logs_an_error(browser, base_url, sample_site, label, viewport):
    config, _ = sample_site
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for path in site_pages(config) + ["search/index.html?q=三公经费"]:
            page.goto(base_url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, (label, path, overflow)
        assert errors == [], errors
    finally:
        context.close()


@pytest.mark.parametrize("label, viewport", WIDTHS, ids=[w[0] for w in WIDTHS])
def test_a_wide_table_keeps_its_name_column_and_header_in_view(browser, base_url, label, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(base_url + PAGE_001 + "#附表5")  # 一般公共预算支出表: 7 columns, 33 rows (lines 235-264)
        frame = page.locator("#附表5 .table-scroll")
        frame.evaluate("f => { f.scrollTop = f.scrollHeight; f.scrollLeft = f.scrollWidth; }")
        box = frame.bounding_box()
        assert frame.evaluate("f => f.scrollTop") > 0  # long: it scrolls inside its frame …
        if label == "phone":
            assert frame.evaluate("f => f.scrollLeft") > 0  # … and, on a phone, sideways too
        last = page.locator("#附表5 tbody tr").last  # scrolled into view: 2210203 购房补贴 83.90 (line 264)
        code, name = last.locator("th").bounding_box(), last.locator("td").first.bounding_box()
        assert abs(code["x"] - box["x"]) <= 2 and code["x"] + code["width"] <= name["x"] + 1  # code, then name, at the left
        assert name["x"] + name["width"] <= box["x"] + box["width"]
        assert last.locator("td").first.inner_text() == "购房补贴"
        header = page.locator("#附表5 thead tr").first.bounding_box()
        assert abs(header["y"] - box["y"]) <= 2  # the header row stays at the top of the frame
        assert page.evaluate("document.elementFromPoint(%d, %d).closest('thead') !== null"
                             % (box["x"] + box["width"] / 2, header["y"] + header["height"] / 2))
    finally:
        context.close()


@pytest.mark.parametrize("label, viewport", WIDTHS, ids=[w[0] for w in WIDTHS])
def test_the_table_of_contents_reaches_every_table_and_stays_at_hand(browser, base_url, sample_site, label, viewport):
    config, report = sample_site
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        for doc in report.documents:
            page.goto(base_url + doc.url)
            tables = page.locator("section.budget-table").evaluate_all("s => s.map(e => '#' + e.id)")
            toc = page.locator("#toc a").evaluate_all("a => a.map(e => e.getAttribute('href'))")
            assert len(tables) == doc.table_count and set(tables) <= set(toc), doc.url
            for href in toc:
                assert page.locator(f"[id='{href[1:]}']").count() == 1, (doc.url, href)
        page.goto(base_url + PAGE_001)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight * 0.6)")
        if label == "desktop":  # beside the text, it stays in view however far down the page
            toc = page.locator("#toc").bounding_box()
            assert toc["y"] >= -1 and toc["y"] < 100 and page.locator("#toc a").first.is_visible()
        else:  # on a phone, a button brings it back
            page.locator("a.to-toc").click()
            assert page.locator("#toc").bounding_box()["y"] < 50
    finally:
        context.close()


def test_the_merged_glossary_is_filterable(page, base_url):
    page.goto(base_url + "glossary/index.html")
    entries = page.locator("[data-filter-item]")
    total = entries.count()
    page.locator("#filter-list-1").fill("2010301")  # the 行政运行（项） entry of 001 (line 1264), by its code
    visible = page.locator("[data-filter-item]:visible")
    assert visible.count() == 1 and "行政运行" in visible.first.inner_text()
    assert page.locator("section.term-group:visible h2").all_inner_texts()[0].startswith("201")  # its 类 …
    page.locator("#filter-list-1").fill("")
    assert page.locator("[data-filter-item]:visible").count() == total
