"""The five sample documents, parsed: facts read off each document by a person (line numbers cited).

Expectations come from the source text, never from the parser's output.
"""
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest

from portal import datafile
from portal.parsing import parse_file

SOURCES = Path(__file__).resolve().parent.parent / "content" / "sources"


@pytest.fixture(scope="module")
def docs():
    return {path.name[:3]: parse_file(path) for path in sorted(SOURCES.glob("*.txt"))}


def table(doc, title, label=None):
    """The one table titled ``title``, or else whose title contains it (and has ``label``, when given)."""
    candidates = [t for t in doc.tables if label is None or t.label == label]
    found = [t for t in candidates if t.title == title] or [t for t in candidates if title in t.title]
    assert len(found) == 1, f"{len(found)} tables titled {title!r}: {[t.title for t in doc.tables]}"
    return found[0]


def row(tbl, first):
    """The row whose first non-empty cell is ``first`` (a code or a name)."""
    found = [r for r in tbl.rows if next((c for c in r if c is not None), None) == first]
    assert found, f"no row {first!r} in {tbl.title}"
    return found[0]


def cell_after(tbl, label):
    """The value printed right after a label anywhere in a table (収支总表 and form tables pair them)."""
    for r in tbl.rows:
        for i, c in enumerate(r[:-1]):
            if c == label:
                return r[i + 1]
    raise AssertionError(f"no cell {label!r} in {tbl.title}")


def term(doc, name):
    found = [g for g in doc.glossary if g.term == name]
    assert len(found) == 1, f"glossary term {name!r} not found once: {[g.term for g in doc.glossary]}"
    return found[0]


def test_metadata(docs):
    expected = {
        "000": ("武汉东湖新技术开发区自贸改革创新局(商务外事局)", 2024, "budget_explanation"),  # line 3
        "001": ("武汉经济技术开发区智能制造产业园管理办公室", 2024, "budget"),  # line 3
        "002": ("武汉市商务局", 2018, "performance_evaluation"),  # line 1
        "003": ("武汉市经济和信息化局", 2024, "budget"),  # line 3
        "004": ("江汉区科学技术和经济信息化局", 2024, "budget"),  # line 3
    }
    assert {k: (d.department, d.year, d.kind) for k, d in docs.items()} == expected
    # 004 prints its name in other forms too (lines 283, 550)
    assert "武汉市江汉区科学技术和经济信息化局" in docs["004"].department_aliases


def test_000_income_and_expenditure(docs):
    d = docs["000"]
    t = table(d, "收支总表")  # lines 33-68
    assert t.unit == "万元"
    assert t.header[0][0] == "收入" and t.header[1][:2] == ["项目", "预算数"]
    assert cell_after(t, "一、一般公共预算拨款收入") == D("10000.00")
    assert cell_after(t, "四、科学技术支出") == D("10214.08")
    assert cell_after(t, "十三、商业服务业等支出") == D("1726.32")
    assert cell_after(t, "上年结转结余") == D("1940.40")
    assert cell_after(t, "本年支出合计") == D("11940.40")
    assert str(cell_after(t, "收入总计")) == "11940.40"  # precision as printed


def test_000_project_form(docs):
    d = docs["000"]
    form = table(d, "部门项目申报表")  # lines 72-121
    assert form.kind == "form" and form.header == []
    assert cell_after(form, "联系电话") == "65528259"  # a phone number is text, not an amount
    assert cell_after(form, "邮政编码") == "430100"
    assert cell_after(form, "项目总预算") == D("10000")
    assert cell_after(form, "项目属性") == "持续性项目 ☑ 新增项目 ☑"  # <input type="checkbox" checked> as text
    reason = cell_after(form, "项目申请理由")
    assert "<p>" not in reason and "\n" in reason and reason.startswith("2024年，自贸改革创新局")
    assert row(form, "会展业发展专项")[3] == D("545")  # line 102
    assert row(form, "促进对外贸易创新发展专项")[3] == D("4920")  # line 104
    yearly = table(d, "年度绩效目标表")  # lines 151-184
    assert yearly.kind == "performance"
    assert yearly.header[1][4:7] == ["前年", "上年", "预计当年实现"]
    assert d.glossary == []  # this document has no 名词解释


def test_001_tables(docs):
    d = docs["001"]
    titles = [t.title for t in d.tables[:12]]
    assert titles == ["收支总表", "收入总表", "支出总表", "财政拨款收支总表", "一般公共预算支出表", "一般公共预算基本支出表",
                      "一般公共预算“三公”经费支出表", "政府性基金预算支出表", "国有资本经营预算支出表", "项目支出表",
                      "政府采购预算表", "政府向社会力量购买服务预算表"]
    assert [t.label for t in d.tables[:12]] == [f"附表{i}" for i in range(1, 13)]
    spending = table(d, "支出总表", "附表3")  # lines 157-191
    assert row(spending, "2010301")[1:5] == ["行政运行", D("535.83"), D("535.83"), D("0.00")]
    assert row(spending, "2060404")[2] == D("21000.00")
    assert row(spending, "2089999")[2] == D("9.76")
    assert row(spending, "2210203")[2] == D("83.90")
    general = table(d, "一般公共预算支出表")  # lines 233-264: title and unit set inside the grid
    assert general.label == "附表5" and general.unit == "万元"
    assert general.header[1][3:6] == ["小计", "人员经费", "公用经费"]
    assert row(general, "合计")[2] == D("45084.94")  # printed 45,084.94
    assert row(general, "2010302")[2:7] == [D("859.94"), D("234.39"), D("0.00"), D("234.39"), D("625.55")]
    basic = table(d, "一般公共预算基本支出表")
    assert row(basic, "30217")[1:3] == ["公务接待费", D("0.50")]
    assert row(basic, "30113")[2] == D("68.27")
    sangong = table(d, "三公")  # lines 317-325
    assert sangong.rows == [[D("5.54"), D("0.00"), D("5.04"), D("0.00"), D("5.04"), D("0.50")]]
    fund = table(d, "政府性基金预算支出表")  # line 338
    assert fund.empty and fund.note == "此表为空表" and fund.rows == []
    purchase = table(d, "政府采购预算表")  # line 387: this table is in 元
    assert purchase.unit == "元"
    assert row(purchase, "合计")[11] == D("693000.00")
    projects = table(d, "项目支出表")
    assert row(projects, "42011324043T000000111")[1:4] == ["扶持企业发展金", "武汉经济技术开发区智能制造产业园管理办公室本级", D("21000.00")]


def test_001_glossary(docs):
    d = docs["001"]
    terms = [g.term for g in d.glossary]
    for name in ["一般公共预算财政拨款收入", "基本支出", "项目支出", "“三公”经费", "机关运行经费"]:
        assert name in terms
    admin = term(d, "一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）")  # line 1264
    assert admin.definition == "反映行政单位（包括实行公务员管理的事业单位）的基本支出。"
    assert admin.group == "本部门使用的主要支出功能分类科目（项级）"
    assert admin.code == "2010301"
    housing = term(d, "住房保障支出（类）住房改革支出（款）住房公积金（项）")  # lines 1282-1284, broken over a page
    assert housing.definition.startswith("反映行政事业单位按人力资源和社会保障部")
    assert housing.code == "2210201"
    sangong = term(d, "“三公”经费")  # lines 1294-1296: the definition continues after a page break
    assert "及运行维护费" in sangong.definition and sangong.group is None
    assert sum(1 for g in d.glossary if g.code) == 14  # entries 1-14 of （四）


EVALUATIONS = [  # 002: (project, budget, actual, completion rate) as each report states them
    ("专项资金评审经费", "67", "51.26", "76.51"),  # line 21: "实际支出 51. 26 万元, 预算完成率 76. 51%"
    ("局属企业改制稳定资金", "17.73", "17.73", "100"),  # line 69
    ("促进商贸流通专项工作经费", "455", "332.32", "73.04"),  # line 117
    ("商务发展研究工作经费", "1202.32", "1059.79", "88.15"),  # lines 160-162: "1,202,32" with a comma for the point
    ("武汉商务发展促进中心工作经费", "941.29", "770.72", "81.88"),  # line 206
    ("市酒类专卖管理工作经费", "278.62", "299.46", "107.48"),  # line 250
    ("纪检组专项工作经费", "77.18", "41.54", "53.82"),  # line 295
    ("2016年天河机场三期办公设备及信息化建设项目", "402.71", "402.71", "100"),  # line 336
    ("天河机场口岸联检单位新办公楼综合保障资金", "425.86", "425.86", "100"),  # line 378
    ("会展办公经费", "184.13", "140.99", "76.57"),  # line 420: 预算执行率
    ("招商工作经费", "1005.08", "1074.86", "106.94"),  # line 469
    ("对口帮扶工作经费", "30.94", "34.90", "112.80"),  # line 521
    ("服务贸易创新发展工作经费", "209.80", "218.31", "104.06"),  # line 570
    ("商务宣传、培训、咨询经费", "99.9", "69.83", "69.90"),  # line 618
    ("商务事务管理工作经费", "292.24", "166.66", "57.03"),  # line 673
    ("扩大对外开放工作经费", "171.52", "116.06", "67.67"),  # line 719
]


def test_002_sixteen_project_reports(docs):
    d = docs["002"]
    got = [(e.project, e.budget, e.actual, e.completion_rate) for e in d.evaluations]
    assert got == [(p, D(b), D(a), D(r)) for p, b, a, r in EVALUATIONS]
    assert all(e.unit == "万元" for e in d.evaluations)
    first = d.evaluations[0]
    assert first.sections[0].heading == "" and first.sections[0].paragraphs[0].startswith("根据武汉市财政局")  # line 3
    assert [s.heading for s in first.sections][1:3] == ["一、项目基本概况", "(一)项目主要内容"]  # lines 5, 7
    assert any("1202.32" in w and "line 1" in w for w in d.warnings)  # the comma typo is reported


def test_003_tables(docs):
    d = docs["003"]
    income = table(d, "收支总表")  # 表1, lines 131-167
    assert income.label == "表1"
    assert cell_after(income, "一、一般公共预算拨款收入") == D("100151.15")  # printed 100,151.15
    assert cell_after(income, "四、科学技术支出") == D("14066.00")
    assert cell_after(income, "支出总计") == D("101516.15")
    by_unit = table(d, "一般公共预算支出表(分单位)")  # lines 318-322: amounts in <b>…</b>
    assert row(by_unit, "合计")[2:4] == [D("101516.15"), D("7929.15")]
    assert row(by_unit, "301")[1] == "武汉市经济和信息化局"  # the code keeps being text
    basic = table(d, "一般公共预算基本支出表")
    assert row(basic, "30212")[1:3] == ["因公出国（境）费用", D("42.75")]
    assert row(basic, "30217")[2] == D("7.60")
    assert row(basic, "301")[2] == D("5510.67")
    assert table(d, "三公").rows == [[D("97.35"), D("42.75"), D("47.00"), None, D("47.00"), D("7.60")]]
    fund = table(d, "政府性基金预算支出表")
    assert fund.empty and fund.note == "2024年本单位无政府性基金预算支出。"
    projects = table(d, "项目支出表")
    assert row(projects, "42010023301T000000107")[1:5] == ["新能源汽车推广应用专项", D("21245.00"), D("19880.00"), None]


def test_003_glossary(docs):
    d = docs["003"]
    assert term(d, "一般公共预算财政拨款收入").definition == "指市级财政一般公共预算当年拨付的资金。"  # "(一) " half-width
    rent = term(d, "住房保障支出(类)住房改革支出(款)提租补贴(项)")  # 16., definition on the next line
    assert rent.definition == "反映按房改政策规定，行政事业单位向职工（含离退休人员）发放的租金补贴。"
    assert rent.group == "本部门使用的主要支出功能分类科目（项级）"
    assert term(d, "基本支出").group is None  # （三） closes the numbered list
    assert "备注" not in term(d, "机关运行经费").definition  # the closing note is not part of the glossary


def test_004_table_continued_across_a_page(docs):
    d = docs["004"]
    basic = table(d, "2024年一般公共预算基本支出表")  # lines 432-451, continued under the same title at 453-470
    assert basic.continued_at == [453]
    assert row(basic, "301")[2] == D("424.10")
    assert row(basic, "30101")[2] == D("70.88")
    assert row(basic, "30206")[1:5] == ["电费", D("6.00"), None, D("6.00")]  # first row of the second page
    assert row(basic, "30209")[2] == D("8.05")
    assert row(basic, "30302")[2] == D("74.87")
    assert row(basic, "30307")[2] == D("20.92")
    assert [r[0] for r in basic.rows].count("30206") == 1
    totals = table(d, "2024年收支预算总表")
    assert cell_after(totals, "一、一般公共预算拨款收入") == D("5511.89")
    assert cell_after(totals, "十二、资源勘探工业信息等支出") == D("40.30")
    fund = table(d, "2024年政府性基金预算支出表")
    assert fund.label == "预算09表" and fund.empty and fund.note == "注：本单位无政府性基金预算相关支出"
    projects = table(d, "2024年项目支出预算表")
    assert row(projects, "42010324501T000000104")[3] == D("4692.00")


def test_004_glossary(docs):
    d = docs["004"]
    assert {"财政拨款收入", "基本支出", "项目支出", "“三公”经费", "机关运行经费", "经济分类科目"} <= {g.term for g in d.glossary}
    assert term(d, "经济分类科目").definition.startswith("按支出的经济性质和具体用途所作的一种分类。财政部从")  # lines 241-243
    admin = term(d, "科学技术支出（类）科学技术管理事务（款）行政运行（项）")  # line 247, no colon after （项）
    assert admin.definition == "反映行政单位（包括实行公务员管理的事业单位）的基本支出。"
    assert admin.code == "2060101"  # 支出总表 line 330


def test_parsing_is_deterministic():
    for path in sorted(SOURCES.glob("*.txt")):
        first = datafile.dump_document(parse_file(path))
        assert datafile.dump_document(parse_file(path)) == first


def test_data_files_round_trip(docs):
    for doc in docs.values():
        text = datafile.dump_document(doc)
        assert datafile.read_data(text, "x.yaml") == doc
        assert not datafile.is_hand_edited(text)


TRICKY = ["'quoted'", 'say "x"', "a: b", "- x", "#1", "a #b", "null", "yes", "No", "on", "1.0", "012", "0x1F", "1_000",
          " leading", "trailing ", "", "[x]", "{y}", "a, b", "中文，逗号", "tab\there", "%", "@at", "`tick", "!tag",
          "&anchor", "*alias", "? key", "|", ">", "~", "=", "<<", "2024-01-01", ".inf", "-", "a\\b", "\u00a0nbsp",
          "控制\x07字符", "emoji 😀", "\ufeffbom", "multi\nline", " multi\nline ", "end\n"]


def test_rows_are_written_exactly_as_pyyaml_writes_them(docs, monkeypatch):
    """Rows skip PyYAML's slow representer; the bytes must not change, whatever a cell holds."""
    doc = docs["001"]
    tricky = replace(doc.tables[0], rows=[[t, D("1.50"), None, D("-3")] for t in TRICKY], header=[TRICKY[:10]])
    doc = replace(doc, tables=[tricky, *doc.tables[1:]])
    fast = datafile.dump_document(doc)
    monkeypatch.setattr(datafile, "_flow_row", lambda row: None)  # every row through PyYAML
    assert fast == datafile.dump_document(doc)
    assert datafile.read_data(fast, "x.yaml") == doc


def test_row_lines_are_read_as_libyaml_reads_them(docs, monkeypatch):
    """An unedited file's lists of rows are read off their lines, not by libyaml: the same document whatever a
    cell holds (double-quoted, with escapes, too), and a row line inside a multi-line paragraph stays text."""
    doc = docs["001"]
    rows = [[t, D("1.50"), None, D("-3"), D("0.00"), "x"] for t in TRICKY] + [[], ["'", "''", "a'b, 'c'", "[1, 2]"]]
    section = replace(doc.sections[0], paragraphs=["第一行\n- [注] 第二行]\n  - [a, b]", "- [c, d]"])
    doc = replace(doc, tables=[replace(doc.tables[0], rows=rows, header=[TRICKY[:10]]), *doc.tables[1:]],
                  sections=[section, *doc.sections[1:]])
    for candidate in (doc, replace(doc, sections=doc.sections[1:])):  # with and without a block scalar
        text = datafile.dump_document(candidate)
        assert not datafile.is_hand_edited(text)
        fast = datafile.read_data(text, "x.yaml")
        with monkeypatch.context() as patched:
            patched.setattr(datafile._Rows, "cells", lambda self, body: None)  # every row left to libyaml
            assert datafile.read_data(text, "x.yaml") == fast == candidate
    assert "!rows" not in str(fast)
