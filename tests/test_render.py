"""The built sample site, read back with an HTML parser: pages, tables, glossary links, internal links."""
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from portal import pipeline
from portal.config import load_config
from portal.linking import term_id
from portal.departments import Address
from portal.views import document_view, header_cells
from tests.conftest import DOC_001, pages_of


class Page(HTMLParser):
    """The parts of a page the tests look at: ids, links, resources, tables (as rows of cell texts)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.resources, self.scripts, self.attributes = set(), [], [], [], []
        self.tables: dict[str, list[list[str]]] = {}
        self.h1 = ""
        self._section, self._table, self._row, self._cell, self._in_h1 = None, None, None, None, False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.attributes.extend(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("link", "img") and ("href" in a or "src" in a):
            self.resources.append(a.get("href") or a.get("src"))
        if tag == "script":
            self.scripts.append(a.get("src"))
            if a.get("src"):
                self.resources.append(a["src"])
        if tag == "section" and "id" in a:
            self._section = a["id"]
        if tag == "table":
            self._table = self.tables.setdefault(self._section or f"table{len(self.tables)}", [])
        if tag == "tr" and self._table is not None:
            self._row = []
        if tag in ("td", "th") and self._row is not None:
            self._cell = []
        if tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._in_h1:
            self.h1 += data


@pytest.fixture(scope="module")
def site(sample_site):
    config, report = sample_site
    pages = {str(p.relative_to(config.output_dir)): Page(p.read_text(encoding="utf-8"))
             for p in sorted(config.output_dir.rglob("*.html"))}
    return config, report, pages


def test_pages_written(site):
    config, report, pages = site
    departments = [p for p in pages if p.startswith("departments/")]
    assert len(departments) == 11  # a page per department (the five samples are of five), one per document, and their list
    assert DOC_001 in pages and DOC_001.rsplit("/", 2)[0] + "/index.html" in pages
    assert {"index.html", "glossary/index.html", "search/index.html"} <= set(pages)
    assert "pages/about/index.html" in pages and "pages/how-to-read/index.html" in pages
    assert (config.output_dir / "static" / "site.js").exists() and (config.output_dir / "static" / "site.css").exists()


def test_index_lists_every_department_with_headline_figures(site):
    _, report, pages = site
    rows = pages["index.html"].tables["table0"][1:]
    assert sorted(r[0] for r in rows) == sorted(d.department for d in report.documents)
    by_name = {r[0]: r for r in rows}
    # 001's 收支总表 (line 137): 收入总计 45084.94, 支出总计 45084.94; 三公 5.54 (line 325); one year: no change
    assert by_name["武汉经济技术开发区智能制造产业园管理办公室"][2:6] == ["45,084.94 万元", "45,084.94 万元", "—", "5.54 万元"]
    # 002: one document, its 16 reports
    assert by_name["武汉市商务局"][1] == "2018 专项绩效自评报告"


def test_every_table_has_the_rows_of_its_data_file(site):
    config, report, pages = site
    for doc, url in pages_of(config):
        page = pages[url]
        assert page.h1.startswith(doc.department)
        for view in document_view(doc, Address("", "", url)).tables:
            table = view.table
            if table.empty:
                assert view.id in page.ids and view.id not in page.tables
                continue
            rendered = page.tables[view.id]
            body = rendered[len(table.header):]
            assert len(body) == len(table.rows), (url, view.id)
            for html_row, row in zip(body, table.rows):
                assert html_row == [format(c, ",f") if isinstance(c, Decimal) else (c or "").replace("\n", "")
                                    for c in row], (url, view.id)


def test_the_departments_folder_lists_every_department_by_pinyin(site):
    # /departments/ is what a reader gets by cutting a department page's address short: never a 404
    config, _, pages = site
    page = pages["departments/index.html"]
    assert {"letter-J", "letter-W"} <= page.ids  # 江汉区… (jiang-han-qu-…), and four 武汉… (wu-han-…)
    html = (config.output_dir / "departments" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="\.\./(departments/[^"]+)">([^<]+)</a>', html)
    assert [name for _, name in listed] == ["江汉区科学技术和经济信息化局", "武汉东湖新技术开发区自贸改革创新局(商务外事局)",
                                            "武汉经济技术开发区智能制造产业园管理办公室", "武汉市经济和信息化局", "武汉市商务局"]
    assert all(url in pages for url, _ in listed)


def test_specific_cells_as_printed(site):
    _, _, pages = site
    page = pages[DOC_001]
    spending = page.tables["附表3"]  # 附表3 支出总表, line 167: 2010301 行政运行 535.83
    assert ["2010301", "行政运行", "535.83", "535.83", "0.00", "", "", ""] in spending
    general = page.tables["附表5"]  # 附表5, line 237: 合计 45,084.94
    assert ["", "合计", "45,084.94", "1,122.86", "888.47", "234.39", "43,962.08"] in general
    assert "附表3-2010301" in page.ids  # a permalink anchor made from the table's label and the row's code
    assert "附表3-合计" in page.ids  # … or its name


def test_multi_level_header_spans():
    # 附表5 of 001 (lines 235-236): 基本支出 spans 小计/人员经费/公用经费; 科目编码 spans two rows
    cells = header_cells([["科目编码", "科目名称", "合计", "基本支出", None, None, "项目支出", None],
                          [None, None, None, "小计", "人员经费", "公用经费", None, None]], numeric=[])
    top = [(c.text, c.colspan, c.rowspan) for c in cells[0]]
    assert top == [("科目编码", 1, 2), ("科目名称", 1, 2), ("合计", 1, 2), ("基本支出", 3, 1), ("项目支出", 1, 2), ("", 1, 2)]
    assert [(c.text, c.colspan, c.rowspan) for c in cells[1]] == [("小计", 1, 1), ("人员经费", 1, 1), ("公用经费", 1, 1)]


def test_columns_of_amounts_sort_as_numbers(site):
    # 附表5 of 001 (lines 235-237): 合计, 基本支出's 小计/人员经费/公用经费 and 项目支出 hold amounts; codes and names do not
    html = (Path(site[0].output_dir) / DOC_001).read_text(encoding="utf-8")
    section = html[html.index('id="附表5"'):html.index('id="附表6"')]
    columns = dict(re.findall(r'<th [^>]*data-column="(\d+)"( data-numeric)?', section))
    assert {int(c) for c, numeric in columns.items() if numeric} == {2, 3, 4, 5, 6}
    assert {int(c) for c, numeric in columns.items() if not numeric} == {0, 1}


def test_empty_table_says_so(site):
    _, _, pages = site
    html = (Path(site[0].output_dir) / DOC_001).read_text(encoding="utf-8")
    section = html[html.index('id="附表8"'):html.index('id="附表9"')]  # 附表8 政府性基金预算支出表: 此表为空表
    assert "此表为空表" in section and "<table" not in section


def test_glossary_anchors_and_term_links_resolve(site):
    config, report, pages = site
    for doc, url in pages_of(config):
        page = pages[url]
        for entry in doc.glossary:
            assert term_id(entry.term) in page.ids
        for link in page.links:
            if link.startswith("#"):
                assert link[1:] in page.ids, (url, link)
    page = pages[DOC_001]
    assert "#term-基本支出" in page.links  # a term used in the text links to its entry, by the term itself
    classification = term_id("一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）")
    assert f"#{classification}" in page.links and "#附表3-2010301" in page.links  # row ↔ glossary entry


def test_every_internal_link_resolves(site):
    config, _, pages = site
    out = config.output_dir
    for name, page in pages.items():
        for link in page.links + page.resources:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            target = (out / name).parent / unquote(parts.path) if parts.path else out / name
            if target.is_dir():
                target = target / "index.html"
            assert target.resolve().is_file(), (name, link)
            if parts.fragment and target.suffix == ".html":
                other = pages[str(target.resolve().relative_to(out.resolve()))]
                assert unquote(parts.fragment) in other.ids, (name, link)


def test_no_third_party_resources_and_no_inline_script(site):
    config, _, pages = site
    for name, page in pages.items():
        for resource in page.resources:  # the canonical <link> may name the configured base URL
            assert not re.match(r"^(https?:)?//", resource) or resource.startswith(config.base_url), (name, resource)
        assert None not in page.scripts, f"inline script in {name}"
        assert not any(k.startswith("on") or k == "style" for k, _ in page.attributes), name
    for path in config.output_dir.rglob("*.html"):
        assert "script-src 'self'; style-src 'self'" in path.read_text(encoding="utf-8")  # the CSP meta tag
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", path.read_text(encoding="utf-8")))
        urls.discard("http://www.w3.org/2000/svg")  # the charts' XML namespace: a name, never fetched
        assert all(u.startswith(config.base_url) for u in urls), (path, urls)


def test_builds_are_byte_identical(tmp_path, project):
    config = load_config(project / "config.yaml")
    first = pipeline.build(load_config(project / "config.yaml", output=tmp_path / "a"))
    second = pipeline.build(load_config(project / "config.yaml", output=tmp_path / "b"))
    assert first.written and second.written and config
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
