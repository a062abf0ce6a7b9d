"""Arithmetic checks (portal.checks) on the samples, on real published documents and on crafted tables.

Every expected finding below was confirmed by reading the source: the sample's .txt line, or the PDF page
(`pdftotext -layout -f N -l N`), named in the comment beside it.
"""
from decimal import Decimal as D
from functools import lru_cache
from pathlib import Path

import pytest

from portal.checks import CheckReport, Finding, check_document
from portal.datafile import load_document
from portal.model import Document, Evaluation, Source, Table
from tests.conftest import corpus_document

ROOT = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=None)
def report_of(name: str) -> CheckReport:
    if name.endswith(".yaml"):
        return check_document(load_document(ROOT / "content" / "data" / name))
    return check_document(corpus_document(name))


def summary(report: CheckReport) -> list[tuple]:
    return [(f.check, f.severity, f.table, f.row, f.column, f.printed, f.computed) for f in report.findings]


# ---------------------------------------------------------------- the samples

@pytest.mark.parametrize("name", ["000_728f300858c0887a.yaml", "003_0341060121c49e83.yaml",
                                  "004_4af22ce2ea009a26.yaml"])
def test_samples_that_add_up(name):
    report = report_of(name)
    assert report.findings == []
    assert report.checked > 0


def test_sample_000_checks_its_收支总表():
    # source lines 35-62: 本年收入合计 10000.00 + 上年结转结余 1940.40 = 收入总计 11940.40 = 支出总计
    assert report_of("000_728f300858c0887a.yaml").checked == 5


def test_sample_001_工资福利支出_is_a_cent_short_of_its_items():
    assert summary(report_of("001_94911db390345feb.yaml")) == [
        # source lines 277-288 (附表6): 301 prints 845.11; 30101 … 30199 add up to 845.12
        ("parent_sum", "rounding", "t06", 1, 2, D("845.11"), D("845.12")),
        ("parent_sum", "rounding", "t06", 1, 3, D("845.11"), D("845.12")),
    ]


def test_sample_001_finding_reads_for_a_person():
    finding = report_of("001_94911db390345feb.yaml").findings[0]
    assert finding.label == "附表6 一般公共预算基本支出表 · 301 工资福利支出 · 本年一般公共预算基本支出 合计"
    assert finding.message == ("301 工资福利支出 的本年一般公共预算基本支出 合计 845.11 ≠ 下级科目之和 845.12"
                               "（差 -0.01，尾差）")
    assert finding.difference == D("-0.01") and finding.unit == "万元"


def test_sample_002_budget_printed_with_a_comma_for_its_decimal_point():
    report = report_of("002_4e54a5785d908060.yaml")
    # source line 160: "整体预算为 1,202,32 万元 … 实际支出1,059.79万元,预算完成率88.15%";
    # 1059.79 × 100 ÷ 88.15 = 1202.257…; the 15 other reports' rates agree with actual ÷ budget
    assert summary(report) == [("unreadable_amount", "error", None, None, None, D("1202.32"), D("1202.26"))]
    assert "1,202,32" in report.findings[0].message
    assert report.checked == 16  # one completion rate per report


# ---------------------------------------------------------------- real documents

def test_changchun_petitions_prints_parents_that_are_not_their_children():
    assert summary(report_of("changchun-petitions-2026-budget.pdf")) == [
        # p6 收支总表: 本年支出合计 1682.76, items 1378.41 + 178.42 + 32.65 + 93.27 = 1682.75
        ("total_row", "rounding", "t01", 11, 5, D("1682.76"), D("1682.75")),
        # p8 支出总表: 20140 当年预算小计 1378.41, but its 项 2014002 and 2014099 print 小计 0.00
        ("parent_sum", "error", "t03", 2, 3, D("1378.41"), D("903.85")),
        # p8: 2014002 合计 458.00 but 当年预算小计 0.00 (基本 0.00 + 项目 458.00); 2014099 the same with 16.56
        ("row_total", "error", "t03", 4, 2, D("458.00"), D("0.00")),
        ("row_total", "error", "t03", 5, 2, D("16.56"), D("0.00")),
        ("row_total", "error", "t03", 4, 3, D("0.00"), D("458.00")),
        ("row_total", "error", "t03", 5, 3, D("0.00"), D("16.56")),
        # p11 基本支出表: 301 prints 911.21, its items 297.50 … 9.74 add up to 920.96
        ("parent_sum", "error", "t06", 1, 2, D("911.21"), D("920.96")),
        ("parent_sum", "error", "t06", 1, 3, D("911.21"), D("920.96")),
        ("parent_sum", "error", "t06", 1, 4, D("911.21"), D("920.96")),
        # p11: 302 prints 211.00, its items 34.82 … 12.59 add up to 221.37
        ("parent_sum", "error", "t06", 11, 2, D("211.00"), D("221.37")),
        ("parent_sum", "error", "t06", 11, 3, D("211.00"), D("221.37")),
        ("parent_sum", "error", "t06", 11, 5, D("211.00"), D("221.37")),
        # p11: 合计 1208.20 / 人员经费 997.20; 301 + 302 + 303 = 911.21 + 211.00 + 85.98 = 1208.19
        ("total_row", "rounding", "t06", 0, 2, D("1208.20"), D("1208.19")),
        ("total_row", "rounding", "t06", 0, 3, D("1208.20"), D("1208.19")),
        ("total_row", "rounding", "t06", 0, 4, D("997.20"), D("997.19")),
    ]
    first = report_of("changchun-petitions-2026-budget.pdf").findings[1]
    assert first.page == 8 and first.unit == "万元"


def test_hangzhou_meteorology():
    assert summary(report_of("hangzhou-meteorology-2026-budget.pdf")) == [
        # p15 表1: 一、财政拨款 5,753.07 + 七、其他收入 123.61 = 5,876.68; 本年收入合计 prints 5,876.67
        # (the page itself notes: 明细数加计之和与合计数有尾差 … 四舍五入造成)
        ("total_row", "rounding", "t01", 17, 1, D("5876.67"), D("5876.68")),
        # p17 表3: 合计 总计 5,876.67; 2,906.80 + 838.27 + 2,131.61 = 5,876.68
        ("row_total", "rounding", "t03", 0, 1, D("5876.67"), D("5876.68")),
    ]


def test_huzhou_finance_cent_differences():
    assert summary(report_of("huzhou-finance-2026-budget.pdf")) == [
        # p20 表03: 20106 人员支出 3478.23; 3102.63 + 375.61 = 3478.24
        ("parent_sum", "rounding", "t03", 2, 3, D("3478.23"), D("3478.24")),
        # p20: 201 and 20106 总计 5356.01; 3478.23 + 611.02 + 1266.75 = 5356.00
        ("row_total", "rounding", "t03", 1, 2, D("5356.01"), D("5356.00")),
        ("row_total", "rounding", "t03", 2, 2, D("5356.01"), D("5356.00")),
        # p20: 208, 20805 总计 796.52 and 2080501 总计 307.91; 780.88 + 15.65 = 796.53, 292.27 + 15.65 = 307.92
        ("row_total", "rounding", "t03", 7, 2, D("796.52"), D("796.53")),
        ("row_total", "rounding", "t03", 8, 2, D("796.52"), D("796.53")),
        ("row_total", "rounding", "t03", 9, 2, D("307.91"), D("307.92")),
        # p23 表05: the same figures, 基本支出 小计 = 人员经费 + 公用经费
        ("parent_sum", "rounding", "t05", 2, 4, D("3478.23"), D("3478.24")),
        ("row_total", "rounding", "t05", 1, 3, D("4089.26"), D("4089.25")),
        ("row_total", "rounding", "t05", 2, 3, D("4089.26"), D("4089.25")),
        ("row_total", "rounding", "t05", 7, 3, D("796.52"), D("796.53")),
        ("row_total", "rounding", "t05", 8, 3, D("796.52"), D("796.53")),
        ("row_total", "rounding", "t05", 9, 3, D("307.91"), D("307.92")),
        # pp 25-27 表06: 合计 5571.66 / 4944.99; 类 301-310: 4644.80 + 592.77 + 315.10 + 19.00 = 5571.67,
        # 人员经费 4644.80 + 300.20 = 4945.00
        ("total_row", "rounding", "t06", 0, 2, D("5571.66"), D("5571.67")),
        ("total_row", "rounding", "t06", 0, 3, D("4944.99"), D("4945.00")),
    ]


@pytest.mark.parametrize("name", ["suzhou-audit-2026-budget.pdf", "wuxi-emergency-enforcement-2026-unit-budget.pdf",
                                  "wuxi-development-reform-2025-budget.pdf"])
def test_documents_that_add_up(name):
    # suzhou p18 / wuxi p23: the 三公 total leaves 会议费 and 培训费 out (wuxi: 23.27 + 2.80 + 12.20 = 38.27);
    # wuxi-development-reform p14 prints the line "21999 其他支出 502.00" twice: counted once under 219
    report = report_of(name)
    assert report.findings == []
    assert report.checked > 100


# ---------------------------------------------------------------- crafted documents

def document(*tables: Table, evaluations=()) -> Document:
    return Document(department="某局", year=2024, kind="budget", title="某局2024年部门预算", slug="x",
                    source=Source(file="x.txt", sha256="0"), tables=list(tables), evaluations=list(evaluations))


def table(id: str, title: str, header, rows, unit="万元", **kw) -> Table:
    return Table(id=id, title=title, unit=unit, line=1, header=header,
                 rows=[[D(c) if isinstance(c, str) and c[:1].isdigit() and "." in c else c for c in row]
                       for row in rows], **kw)


SPENDING_HEADER = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]


def only(report: CheckReport) -> Finding:
    assert len(report.findings) == 1, report.findings
    return report.findings[0]


def test_a_parent_that_is_not_its_children():
    t = table("t1", "支出总表", SPENDING_HEADER, [
        [None, "合计", "30.00", "10.00", "20.00"],
        ["201", "一般公共服务支出", "30.00", "10.00", "20.00"],
        ["20101", "人大事务", "25.00", "5.00", "20.00"],
        ["20103", "政府办公厅", "4.00", "4.00", "0.00"],
    ], label="附表3", page=7, pages=[[0, 7], [2, 8]])
    report = check_document(document(t))
    assert [(f.check, f.severity, f.row, f.column) for f in report.findings] == [
        ("parent_sum", "error", 1, 2), ("parent_sum", "error", 1, 3)]  # 25.00 + 4.00, 5.00 + 4.00
    finding = report.findings[0]
    assert (finding.printed, finding.computed, finding.difference) == (D("30.00"), D("29.00"), D("1.00"))
    assert finding.label == "附表3 支出总表 · 201 一般公共服务支出 · 合计" and finding.page == 7
    assert finding.message == "201 一般公共服务支出 的合计 30.00 ≠ 下级科目之和 29.00（差 1.00）"
    # parent 201 × 3 columns, 合计 row × 3 columns, 合计 = 基本 + 项目 on 4 rows
    assert report.checked == 10


def test_rounding_is_bounded_by_the_number_of_parts():
    rows = [["201", "一般公共服务支出", "0.02"], ["20101", "a", "0.01"], ["20102", "b", "0.00"]]
    header = [["科目编码", "科目名称", "金额"]]
    finding = only(check_document(document(table("t1", "支出表", header, rows))))
    assert (finding.severity, finding.difference) == ("rounding", D("0.01"))  # 2 parts: up to 0.01
    assert finding.message.endswith("（差 0.01，尾差）")
    rows[0][2] = "0.03"
    assert only(check_document(document(table("t1", "支出表", header, rows)))).severity == "error"


def test_a_合计_row_printed_last_sums_the_类_rows_only():
    t = table("t1", "基本支出表", [["科目编码", "科目名称", "金额"]], [
        ["301", "工资福利支出", "10.00"], ["30101", "基本工资", "10.00"],
        ["302", "商品和服务支出", "5.00"], ["30201", "办公费", "5.00"],
        [None, "合计", "16.00"],
    ])
    finding = only(check_document(document(t)))
    assert (finding.check, finding.row, finding.printed, finding.computed) == ("total_row", 4, D("16.00"), D("15.00"))
    assert "各类之和 15.00" in finding.message


def test_row_totals_follow_the_header_groups():
    header = [["科目编码", "科目名称", "合计", "基本支出", None, None, "项目支出"],
              [None, None, None, "小计", "人员经费", "公用经费", None],
              ["**", "**", "1", "2", "3", "4", "5"]]
    t = table("t1", "一般公共预算支出表", header, [["201", "一般公共服务支出", "10.00", "6.00", "4.00", "1.00", "4.00"]])
    findings = check_document(document(t)).findings
    # 合计 = 小计 + 项目支出 holds; 小计 6.00 ≠ 人员经费 + 公用经费 5.00
    assert [(f.check, f.column, f.printed, f.computed) for f in findings] == [("row_total", 3, D("6.00"), D("5.00"))]
    assert findings[0].message.startswith("201 一般公共服务支出 的基本支出 小计 6.00 ≠ 人员经费+公用经费 之和 5.00")


def test_a_其中_column_is_not_a_part():
    header = [["项目", "合计", "其中：基本支出", "项目支出"]]
    t = table("t1", "支出表", header, [["甲", "10.00", "3.00", "4.00"]])
    assert check_document(document(t)) == CheckReport(findings=[], checked=0)


def test_收支总表_totals_and_balance():
    t = table("t1", "收支总表", [["收入", None, "支出", None], ["项目", "预算数", "项目", "预算数"]], [
        ["一、一般公共预算拨款收入", "10.00", "一、一般公共服务支出", "8.00"],
        ["二、事业收入", "1.00", "二、教育支出", "4.00"],
        ["本年收入合计", "11.00", "本年支出合计", "12.00"],
        ["上年结转结余", "1.00", "年终结转结余", None],
        ["收入总计", "12.00", "支出总计", "12.01"],
    ])
    report = check_document(document(t))
    assert [(f.check, f.severity, f.row, f.column, f.printed, f.computed) for f in report.findings] == [
        ("total_row", "error", 4, 3, D("12.01"), D("12.00")),  # 支出总计 vs 本年支出合计 (one part: ±0.005)
        ("cross_table", "error", 4, 1, D("12.00"), D("12.01")),  # 收入总计 vs 支出总计
    ]
    assert report.checked == 5


def test_cross_table_converts_元_to_万元_exactly():
    spending = table("t1", "支出总表", SPENDING_HEADER, [[None, "合计", "3.00", "1.00", "2.00"]])
    projects = table("t2", "项目支出表", [["项目编码", "项目名称", "合计"]], [
        [None, "合计", "21000.00"], ["301", "某局", "21000.00"]], unit="元")
    finding = only(check_document(document(spending, projects)))
    assert (finding.check, finding.table, finding.row, finding.column) == ("cross_table", "t2", 0, 2)
    assert (finding.printed, finding.computed, finding.unit) == (D("21000.00"), D("20000"), "元")
    assert finding.severity == "error"  # 2.00 万元 stands for 19,950 … 20,050 元
    assert "（2.00 万元）" in finding.message


def test_cross_table_within_the_precision_of_万元_is_rounding():
    spending = table("t1", "支出总表", SPENDING_HEADER, [[None, "合计", "3.00", "1.00", "2.00"]])
    projects = table("t2", "项目支出表", [["项目编码", "项目名称", "合计"]], [
        [None, "合计", "20040.00"], ["301", "某局", "20040.00"]], unit="元")
    assert only(check_document(document(spending, projects))).severity == "rounding"


def test_三公_table_against_the_基本支出表():
    sangong = table("t1", "一般公共预算“三公”经费支出表",
                    [["“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", None, None, "公务接待费"],
                     [None, None, "小计", "公务用车购置费", "公务用车运行费", None]],
                    [["6.00", "0.00", "5.00", "0.00", "5.00", "1.00"]])
    basic = table("t2", "一般公共预算基本支出表", [["科目编码", "科目名称", "合计"]], [
        [None, "合计", "6.00"], ["302", "商品和服务支出", "6.00"],
        ["30217", "公务接待费", "1.50"], ["30231", "公务用车运行维护费", "4.50"]])
    report = check_document(document(sangong, basic))
    assert [(f.check, f.table, f.column, f.printed, f.computed) for f in report.findings] == [
        ("cross_table", "t1", 4, D("5.00"), D("4.50")), ("cross_table", "t1", 5, D("1.00"), D("1.50"))]


def evaluation(budget, actual, rate, text="") -> Evaluation:
    from portal.model import Section
    return Evaluation(project="某项目", line=1, budget=D(budget), actual=D(actual), completion_rate=D(rate),
                      unit="万元", sections=[Section(heading="", level=1, paragraphs=[text], line=2)], page=3)


def test_completion_rate():
    ok, cent, wrong = evaluation("67", "51.26", "76.51"), evaluation("455.00", "332.32", "73.05"), \
        evaluation("100.00", "50.00", "60.00")
    report = check_document(document(evaluations=[ok, cent, wrong]))
    # 332.32 / 455.00 = 73.0373… → 73.04; printed 73.05 is not reachable by rounding budget and actual to 0.01
    assert [(f.check, f.severity, f.printed, f.computed) for f in report.findings] == [
        ("completion_rate", "error", D("73.05"), D("73.04")), ("completion_rate", "error", D("60.00"), D("50.00"))]
    assert report.checked == 3 and report.findings[0].page == 3 and report.findings[0].unit == "%"


def test_completion_rate_within_the_rounding_of_its_figures():
    # budget 3 and actual 1 printed as integers: 1/3 = 33.33 %, but anything from 0.5/3.5 to 1.5/2.5 prints so
    assert only(check_document(document(evaluations=[evaluation("3", "1", "33.34")]))).severity == "rounding"
