"""Documents dropped into content/sources/ as published (PDF, HTML) build into pages, and every table
of a PDF links to its page in the original, published beside the department's page."""
from __future__ import annotations

import re
import shutil

import pytest

from portal import pipeline
from portal.config import load_config
from tests.conftest import ROOT, copy_project

CORPUS = ROOT / "tests" / "corpus"
PDF = "hangzhou-meteorology-2026-budget.pdf"
HTML = "zhengzhou-land-resources-2015-budget-explanation.html"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("published") / "project")
    for name in (PDF, HTML):
        shutil.copy(CORPUS / name, root / "content" / "sources" / name)
    (root / "content" / "sources" / "broken.pdf").write_bytes(b"%PDF-1.4\n%cut short")
    config = load_config(root / "config.yaml")
    report = pipeline.build(config)
    return config, report


def folder_of(report, source: str):
    """The folder of the page of the document parsed from ``source``."""
    url = next(d.url for d in report.documents if d.source_file == source)
    return url.rsplit("/", 1)[0]


def test_a_broken_pdf_is_reported_and_the_others_still_build(built):
    config, report = built
    assert report.written
    (error,) = report.errors
    assert str(error).startswith(f"{config.sources_dir / 'broken.pdf'}: damaged or truncated PDF, cannot be opened")
    assert {d.department for d in report.documents} >= {"杭州市气象局", "郑州市国土资源局"}


def test_pdf_tables_link_to_their_page_of_the_published_original(built):
    config, report = built
    folder = config.output_dir / folder_of(report, PDF)
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert (folder / "source.pdf").read_bytes() == (CORPUS / PDF).read_bytes()
    # 表1 (收支预算总表) is printed on page 15, 表11 (项目支出绩效表) on page 25 (read off the PDF)
    table1 = html[html.index("2026年市级部门收支预算总表</h3>"):]
    assert re.search(r'原文第 <a class="source-page" href="source.pdf#page=15">15</a> 页', table1[:2000])
    table11 = html[html.index("2026年市级部门项目支出绩效表</h3>"):]
    assert 'href="source.pdf#page=25"' in table11[:2000]
    # the narrative's headings point at their pages too: 一、部门概况 is on page 3
    assert re.search(r'一、部门概况 <span class="source-ref">原文第 <a class="source-page" href="source.pdf#page=3">',
                     html)


def test_an_html_source_is_read_but_never_published(built):
    config, report = built
    folder = config.output_dir / folder_of(report, HTML)
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "923.1961" in html  # figures from the running text of the page
    published = {p.name for p in folder.iterdir()}
    assert {"index.html", "data.json", "data.yaml"} <= published  # the page, its data …
    assert all(re.fullmatch(r"t\d+\.csv|search-\d+\.js", name)  # … its tables, its search records …
               for name in published - {"index.html", "data.json", "data.yaml"})  # … and nothing of the source
    assert "source.pdf" not in html


def test_parse_reports_the_pages_read_of_a_pdf(tmp_path):
    root = copy_project(tmp_path / "project")
    shutil.copy(CORPUS / "changchun-petitions-2026-budget.pdf", root / "content" / "sources")
    seen: dict[str, list[tuple[int, int]]] = {}

    def pages(source):
        return lambda done, total: seen.setdefault(source.name, []).append((done, total))
    pipeline.parse_sources(load_config(root / "config.yaml"), pages=pages)
    assert seen["changchun-petitions-2026-budget.pdf"] == [(n, 21) for n in range(1, 22)]  # 21 pages, in order


def test_paragraphs_keep_the_page_they_start_on():
    from portal.parsing import parse_file
    doc = parse_file(CORPUS / PDF)
    duties = next(s for s in doc.sections if s.heading == "（一）主要职能")
    # page 4 of the PDF starts with "7.承担浙江省气象局和杭州市人民政府交办的其他事" / "项。"
    index = next(i for i, p in enumerate(duties.paragraphs) if p.startswith("7.承担浙江省气象局"))
    assert (duties.page, duties.pages) == (3, [[index, 4]])
    assert duties.paragraphs[index] == "7.承担浙江省气象局和杭州市人民政府交办的其他事项。"  # joined over the line wrap


def test_a_rebuild_from_the_data_files_keeps_every_page_link(built):
    """The second build reads the data files, not the PDF: the pages of tables, sections and terms survive."""
    config, report = built
    page = config.output_dir / folder_of(report, PDF) / "index.html"
    first = page.read_text(encoding="utf-8")
    rebuilt = pipeline.build(config)
    assert {o.status for o in rebuilt.parse.outcomes if o.error is None} == {pipeline.Status.UNCHANGED}
    assert page.read_text(encoding="utf-8") == first
    assert first.count('href="source.pdf#page=') >= 10
