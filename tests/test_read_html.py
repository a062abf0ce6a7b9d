"""The HTML reader: article text without site chrome, tables as grids, encodings, untrusted markup."""
from pathlib import Path

import pytest

from portal.errors import SourceError
from portal.reading import read_bytes
from portal.reading.html import read_html

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures" / "html"
ZHENGZHOU = HERE / "corpus" / "zhengzhou-land-resources-2015-budget-explanation.html"


def read(name: str):
    path = FIXTURES / name
    return read_html(path.read_bytes(), str(path))


def texts(extract) -> list[str]:
    return [line.text for line in extract.lines]


def test_zhengzhou_page_reads_the_article_container_only():
    extract = read_html(ZHENGZHOU.read_bytes(), ZHENGZHOU.name)
    assert extract.format == "html" and extract.warnings == []
    assert extract.title_hint == "郑州市国土资源局2015年度部门预算公开情况说明-政务公开"
    lines = texts(extract)
    assert lines[0] == "郑州市国土资源局2015年度部门预算公开情况说明"  # the title div just before the container
    assert lines[1] == "一、部门概况" and lines[2] == ""  # each <p> is a line followed by a blank line
    assert "2015年收入预算共安排国库拨款资金923.1961万元。其中：财政拨款869.6461万元、国有资源（资产）有偿使用收入53.55万元。" in lines
    assert lines[-1] == "2015年3月5日"
    page = "\n".join(lines)
    for chrome in ("繁體", "登录", "索引号", "005252370/2015-00036", "附表.xls", "主办单位", "豫ICP备", "返回顶部", "function"):
        assert chrome not in page
    assert not any(line.is_row for line in extract.lines)
    assert [line.no for line in extract.lines] == list(range(1, len(lines) + 1))


def test_rowspan_and_colspan_read_as_a_pdf_grid():
    extract = read("spans.html")
    assert extract.lines[0].text == "某某市某某局2024年部门预算" and extract.lines[0].heading
    rows = [line for line in extract.lines if line.is_row]
    assert [r.cells for r in rows if r.grid == 0] == [
        ["科目编码", "科目名称", "本年预算", ""],
        ["", "", "基本支出", "项目支出"],  # <br> between CJK characters joins without a space
        ["201", "一般公共服务支出", "1,000.00", "200.00"],
        ["20101", "人大事务", "300.00", ""],
        ["", "政协事务", "50.00", "25.50"],
    ]
    # Unclosed <td>/<tr> close as browsers do; a nested table is flattened into its cell.
    assert [r.cells for r in rows if r.grid == 1] == [["项目", "金额"], ["小计", "10.00 20.00"]]
    assert rows[2].text == "201 一般公共服务支出 1,000.00 200.00"
    assert "表2 说明" in texts(extract)  # a <caption> is a line of text before its rows
    assert "首页" not in "\n".join(texts(extract))


def test_scripts_and_event_handlers_never_reach_the_lines():
    extract = read("hostile.html")
    out = [extract.title_hint] + [t for line in extract.lines for t in [line.text, *(line.cells or [])]]
    for text in out:
        for forbidden in ("<", ">", "alert(1)", "onerror", "onload", "javascript", "color: red", "请启用脚本"):
            assert forbidden not in text, (forbidden, text)
    assert extract.title_hint == "某某局2024年部门预算"
    assert "一、部门概况：本部门负责全市某某事务的管理工作，内设机构五个，编制人数三十人。" in texts(extract)
    assert [line.cells for line in extract.lines if line.is_row] == [["项目", "金额"], ["基本支出", "&1,000.00"]]


def test_gbk_page_with_a_meta_charset_is_read_with_a_warning():
    extract = read("gbk.html")
    assert extract.title_hint == "某某县水利局2024年部门预算"
    assert "二、收入预算：2024年收入预算共计2,345.67万元。" in texts(extract)
    assert len(extract.warnings) == 1 and "GBK" in extract.warnings[0]


def test_utf8_bom_wins_over_a_wrong_meta_charset():
    page = "<meta charset='gbk'><div class='article'><p>" + "部门预算说明。" * 10 + "</p></div>"
    extract = read_html(b"\xef\xbb\xbf" + page.encode("utf-8"), "bom.html")
    assert extract.lines[0].text == "部门预算说明。" * 10 and extract.warnings == []


def test_undecodable_page_is_refused():
    with pytest.raises(SourceError, match="encoding") as error:
        read_html(b"<html><body>\xff\xfe\xff</body></html>", "broken.html")
    assert error.value.path == "broken.html"


def test_navigation_only_page_is_refused_naming_the_file():
    path = FIXTURES / "navigation.html"
    with pytest.raises(SourceError, match="only navigation/links") as error:
        read_html(path.read_bytes(), str(path))
    assert error.value.path == str(path)


def test_a_short_document_without_links_is_read_but_an_empty_page_is_refused():
    short = "<html><body><h1>某局2026年部门预算</h1><p>2026年一般公共预算支出100.00万元。</p></body></html>"
    assert texts(read_html(short.encode(), "short.html"))[-1] == "2026年一般公共预算支出100.00万元。"
    unclosed_head = "<html><head><meta charset='utf-8'><title>某局</title>" + short.split("<body>")[1]
    assert texts(read_html(unclosed_head.encode(), "head.html"))[0] == "某局2026年部门预算"
    with pytest.raises(SourceError, match="only navigation/links"):
        read_html(b"<html><body><div id='zoom'><script>load()</script></div></body></html>", "empty.html")


def test_layout_tables_read_as_text_and_chrome_classes_dropped():
    extract = read("layout.html")
    lines = texts(extract)
    assert lines[0] == "某某区某某局2024年部门预算公开说明" and extract.lines[0].heading
    assert "一、部门职责：负责全区某某工作的统筹规划与监督管理。" in lines
    assert lines[-2:] == ["发布日期：2024-02-01", "来源：某某区财政局"]  # a one-row table: two text lines
    # The data table inside the one-column layout table is still a table.
    assert [line.cells for line in extract.lines if line.is_row] == [
        ["项目", "预算数"], ["基本支出", "400.00"], ["项目支出", "100.00"]]
    page = "\n".join(lines)
    assert "首页" not in page and "政务公开" not in page and "版权所有" not in page


def test_hostile_spans_and_nesting_are_bounded():
    rows = "<tr>" + '<td colspan="99999">1</td>' * 3 + "</tr>"
    with pytest.raises(SourceError, match="more than"):
        read_html(("<table>" + rows * 100 + "</table>").encode(), "spans.html")
    deep = "<div>" * 5000 + "<p>" + "预算" * 30 + "</p>" + "</div>" * 5000
    assert read_html(deep.encode(), "deep.html").lines[0].text == "预算" * 30


def test_html_saved_as_pdf_is_dispatched_to_the_html_reader():
    extract = read_bytes(ZHENGZHOU.read_bytes(), "budget.pdf")
    assert extract.format == "html" and "is named .pdf but is an HTML page" in extract.warnings[0]
