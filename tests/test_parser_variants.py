"""Beyond the five samples: other cities' and other extractors' shapes, as crafted documents and variants."""
from decimal import Decimal as D
from pathlib import Path

import pytest

from portal.parsing import parse_bytes, parse_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = Path(__file__).resolve().parent.parent / "content" / "sources"


def test_final_accounts_saved_from_a_web_page():
    doc = parse_file(FIXTURES / "final_accounts_web.txt")
    assert (doc.department, doc.year, doc.kind) == ("某某市某某区教育局", 2023, "final_accounts")
    assert doc.title == "某某市某某区教育局2023年度部门决算"  # the breadcrumb lines above it are not the title
    assert not any("首页" in p or "返回顶部" in p for s in doc.sections for p in s.paragraphs + [s.heading])
    totals, income, fund = doc.tables
    assert (totals.label, totals.title, totals.unit) == ("公开01表", "收入支出决算总表", "元")  # 元 in the tables …
    assert totals.rows[0] == ["一、一般公共预算财政拨款收入", "1", D("12345600.00"), "一、一般公共服务支出", "32", D("1000000.00")]
    assert "1,234.56万元" in doc.sections[-1].paragraphs[0]  # … 万元 in the prose
    assert income.header == [["项目", None, "本年收入合计", "财政拨款收入"], ["科目编码", "科目名称", None, None]]
    assert [r[0] for r in income.rows] == ["205", "20502", "2050201"]
    assert fund.empty and fund.label == "公开08表" and "本表为空表" in fund.note
    assert [g.term for g in doc.glossary] == ["财政拨款收入", "教育支出（类）普通教育（款）学前教育（项）", "机关运行经费"]
    assert doc.glossary[1].code == "2050201"
    assert doc.glossary[2].definition == "为保障行政单位运行用于购买货物和服务的各项资金。"  # footer links dropped


def test_space_aligned_tables_with_form_feeds():
    doc = parse_file(FIXTURES / "layout_budget.txt")
    (table,) = doc.tables
    assert (table.label, table.title, table.unit) == ("附表1", "支出总表", "万元")
    assert table.header == [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    assert table.rows[-1] == ["2140104", "公路建设", D("1000.00"), D("0.00"), D("1000.00")]  # after the form feed
    assert [g.term for g in doc.glossary] == ["基本支出", "交通运输支出(类)公路水路运输(款)行政运行(项)", "项目支出"]
    assert doc.glossary[1].code == "2140101"  # half-width (类)(款)(项) and ':' too


def test_sections_numbered_without_parts_and_an_unnumbered_glossary():
    doc = parse_file(FIXTURES / "unnumbered_glossary.txt")
    assert doc.kind == "budget_explanation"
    assert [s.heading for s in doc.sections] == ["一、部门概况", "二、收支预算安排情况", "三、“三公”经费情况", "四、绩效目标", "五、其他说明"]
    assert [g.term for g in doc.glossary] == ["基本支出", "项目支出", "“三公”经费"]
    assert doc.glossary[1].definition.endswith("包括基本建设支出和其他项目支出。")  # continued on the next line


def variant(name: str, *replacements: tuple[str, str]) -> str:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("heading", ["第九部分 名词解释", "专业名词解释", "七、名词解释", "## 名词解释"])
def test_glossary_heading_forms(heading):
    text = variant("001_94911db390345feb.txt", ("第四部分 名词解释\n\n（一）", f"{heading}\n\n（一）"))
    doc = parse_bytes(text.encode(), "v.txt")
    assert len(doc.glossary) == 20 and doc.glossary[0].term == "一般公共预算财政拨款收入"


def test_half_width_numbering_in_the_glossary():
    text = variant("004_4af22ce2ea009a26.txt", *[(f"（{n}）", f"({n})") for n in "一二三四五六七"])
    doc = parse_bytes(text.encode(), "v.txt")
    assert {"财政拨款收入", "基本支出", "经济分类科目"} <= {g.term for g in doc.glossary}
    nested = [g for g in doc.glossary if g.group]
    assert len(nested) == 13 and all(g.group == "本部门使用的支出功能分类科目（到项级）" for g in nested)


def test_glossary_numbered_with_chinese_numerals():
    text = variant("004_4af22ce2ea009a26.txt", *[(f"（{n}）", f"{n}、") for n in "一二三四五六七"])
    doc = parse_bytes(text.encode(), "v.txt")
    assert doc.glossary[0].term == "财政拨款收入" and sum(1 for g in doc.glossary if g.group) == 13


def test_table_rows_that_cannot_be_read_are_reported_not_invented():
    text = "某局 2024 年部门预算\n\n第一部分 概况\n\n支出总表\n\n单位：万元\n\n科目编码 科目名称 合计\n201 一般公共服务支出 10.00\n"
    doc = parse_bytes(text.encode(), "v.txt")
    assert doc.tables == []
    assert any(w.startswith("line 7:") and "支出总表" in w and "could not be read" in w for w in doc.warnings)
    assert "201 一般公共服务支出 10.00" in doc.sections[0].paragraphs  # its text is kept


def test_crlf_bom_and_form_feeds_keep_line_numbers():
    text = (SAMPLES / "001_94911db390345feb.txt").read_text(encoding="utf-8")
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").replace("附表3", "\f附表3").encode()
    doc = parse_bytes(data, "v.txt")
    original = parse_bytes(text.encode(), "v.txt")
    assert [(t.title, t.line, t.rows) for t in doc.tables] == [(t.title, t.line, t.rows) for t in original.tables]


def test_final_accounts_in_the_national_template():
    """部门决算 as the national template sets it out: 公开NN表 under the title, 金额单位, 行次 and 栏次."""
    doc = parse_file(FIXTURES / "final_accounts_template.txt")
    assert (doc.department, doc.year, doc.kind) == ("某市生态环境局", 2023, "final_accounts")
    summary, three = doc.tables
    assert (summary.label, summary.title, summary.unit) == ("公开01表", "收入支出决算总表", "万元")
    assert summary.header[-1] == ["栏次", None, "1", "栏次", None, "2"]  # the column numbers close the header
    assert summary.rows[0] == ["一、一般公共预算财政拨款收入", "1", D("1523.46"), "一、一般公共服务支出", "32", None]
    assert summary.rows[-1] == ["本年收入合计", "30", D("1523.46"), "本年支出合计", "62", D("1523.46")]  # 行次 stay text
    assert summary.notes == ["注：本表反映部门本年度的总收支和年末结转结余情况。"]
    assert (three.label, three.title) == ("公开07表", "一般公共预算财政拨款“三公”经费支出决算表")
    assert three.rows == [[D("12.00"), D("0.00"), D("10.00"), D("2.00"), D("9.87"), D("0.00"), D("8.65"), D("1.22")]]
    assert [g.term for g in doc.glossary] == ["财政拨款收入", "“三公”经费"]


def test_a_project_self_evaluation_form_gives_its_evaluation():
    """项目支出绩效自评表 as the national template sets it out: a form per project."""
    doc = parse_file(FIXTURES / "self_evaluation_form.txt")
    assert (doc.department, doc.year, doc.kind) == ("某市生态环境局", 2023, "performance_evaluation")
    (form,) = doc.tables
    assert (form.title, form.kind) == ("项目支出绩效自评表（2023年度）", "form")
    (evaluation,) = doc.evaluations
    assert (evaluation.project, evaluation.budget, evaluation.actual, evaluation.completion_rate, evaluation.unit) == (
        "环境监测运维经费", D("120.00"), D("110.50"), D("92.08"), "万元")
    assert doc.warnings == []  # 110.50 / 120.00 = 92.08 %, as printed


def test_a_form_names_the_department_when_no_title_does():
    text = (FIXTURES / "self_evaluation_form.txt").read_text(encoding="utf-8").replace("某市生态环境局2023年度", "")
    doc = parse_bytes(text.encode(), "form.txt")
    assert doc.department == "某市生态环境局" and doc.year == 2023


def test_kangxi_radicals_from_pdf_fonts_read_as_the_ideographs_they_stand_for():
    # some fonts map 力/支/生/入 to the radicals ⼒⽀⽣⼊ (U+2F00 block); pypdfium2 shows them on guangzhou-ecology p9
    doc = parse_bytes("某市⼈⼒资源局 2024 年部门预算\n\n⼀、基本⽀出：指保障机构运转的⽀出。\n".encode(), "r.txt")
    assert doc.department == "某市人力资源局"
    assert doc.sections[0].paragraphs == ["一、基本支出：指保障机构运转的支出。"]
