"""Headline figures (portal.figures) of the five samples and of real published budgets, against the numbers
read by hand off the source: the sample's text file (content/sources/, line given) or the PDF page
(`pdftotext -layout -f N -l N`, physical page given). Each value is written as printed (precision kept),
without thousands separators."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from portal.datafile import read_data
from portal.figures import Figure, column_paths, figures
from tests.conftest import corpus_document

ROOT = Path(__file__).resolve().parent.parent
_parsed: dict = {}


def document(name: str):
    if name not in _parsed:
        if name.endswith(".yaml"):
            path = ROOT / "content" / "data" / name
            _parsed[name] = read_data(path.read_text(encoding="utf-8"), name)
        else:
            _parsed[name] = corpus_document(name)
    return _parsed[name]


def shown(figure: Figure | None):
    return None if figure is None else str(figure.value)


def page_of(doc, figure: Figure) -> int:
    """The PDF page of the figure's row (tables continue over pages)."""
    table = next(t for t in doc.tables if t.id == figure.table)
    page = table.page
    for first, number in table.pages:
        if first <= figure.row:
            page = number
    return page


def cell_of(doc, figure: Figure):
    table = next(t for t in doc.tables if t.id == figure.table)
    return table.rows[figure.row][figure.column]


ABROAD, CARS, RECEPTION = "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费"

# Samples: (value as printed, line of content/sources/<name>.txt)
SAMPLES = {
    "000_728f300858c0887a.yaml": dict(  # a 预算编制说明 with only the 收支总表
        income=("11940.40", 68),  # 收 入 总 计 11940.40
        spending=("11940.40", 68),  # 支 出 总 计 11940.40
        basic=None, project=None, sangong=None, parts=[], classes={},
    ),
    "001_94911db390345feb.yaml": dict(
        income=("45084.94", 137), spending=("45084.94", 137),  # 收支总表, 收 入 总 计 / 支 出 总 计
        basic=("1122.86", 164), project=("43962.08", 164),  # 支出总表, 合计 row
        sangong=("5.54", 325),  # 三公 table, its only row: 5.54 0.00 5.04 0.00 5.04 0.50
        parts=[(ABROAD, "0.00"), (CARS, "5.04"), (RECEPTION, "0.50")],
        classes={"201": ("一般公共服务支出", "1414.72", 165), "206": ("科学技术支出", "21000.00", 170),
                 "212": ("城乡社区支出", "22336.53", 184)},
        class_count=6,  # 201 206 208 210 212 221 (lines 165–187)
    ),
    "002_4e54a5785d908060.yaml": dict(  # a 专项绩效自评报告: no tables at all
        income=None, spending=None, basic=None, project=None, sangong=None, parts=[], classes={},
    ),
    "003_0341060121c49e83.yaml": dict(
        income=("101516.15", 167), spending=("101516.15", 167),
        basic=("7929.15", 194), project=("93587.00", 194),
        sangong=("97.35", 389),  # 97.35 42.75 47.00 (blank) 47.00 7.60
        parts=[(ABROAD, "42.75"), (CARS, "47.00"), (RECEPTION, "7.60")],
        classes={"206": ("科学技术支出", "14066.00", 195), "215": ("资源勘探工业信息等支出", "62915.11", 215),
                 "221": ("住房保障支出", "862.76", 222)},
        class_count=6,
    ),
    "004_4af22ce2ea009a26.yaml": dict(
        income=("5511.89", 318), spending=("5511.89", 318),  # 收 入 总 计 5,511.89
        basic=("580.92", 327), project=("4930.97", 327),  # 2024年支出预算总表, 合计 5,511.89 580.92 4,930.97
        # the 三公 table (lines 474–479) prints its header and no row at all: nothing to show, even though
        # the text (line 211) says 0万元
        sangong=None, parts=[],
        classes={"206": ("科学技术支出", "5237.42", 328), "208": ("社会保障和就业支出", "113.75", 334),
                 "221": ("住房保障支出", "63.94", 348)},
        class_count=5,
    ),
}

# Corpus: (value as printed, physical PDF page)
CORPUS_EXPECTED = {
    "changchun-petitions-2026-budget.pdf": dict(
        income=("1682.76", 6), spending=("1682.76", 6),  # 收支总表: 收入总计 / 支出总计, 本年预算 column
        # 支出总表 p8, 总计 row, 当年预算 › 基本支出 / 项目支出 (上年结转结余 columns all 0.00); printed 1208.2
        basic=("1208.2", 8), project=("474.56", 8),
        # 预算表7 p12: 7.61 7.61 | 0.00 0.00 0.00 | 6.75 0.00 6.75 | 0.86 | 上年结转 all 0.00
        sangong=("7.61", 12), parts=[(ABROAD, "0.00"), (CARS, "6.75"), (RECEPTION, "0.86")],
        # p8: the 类 rows add up to 1682.75 under a 总计 of 1682.76 (rounding in the document)
        classes={"201": ("一般公共服务支出", "1378.41", 8), "210": ("卫生健康支出", "32.65", 8),
                 "221": ("住房保障支出", "93.27", 8)},
        class_count=4,
    ),
    "guangzhou-health-2026-budget.pdf": dict(
        income=("3324258.76", 8), spending=("3324258.76", 8),  # 表1 continues on p8: 收入总计 3,324,258.76
        basic=("1010349.34", 11), project=("2313909.42", 11),  # 表3 本年支出总体情况表, 合计 row
        # 表8 p23, 合计 column: “三公”经费 860.78; (一) 140.49, (二) 701.34 (1. 331.00, 2. 370.34), (三) 18.95
        sangong=("860.78", 23), parts=[(ABROAD, "140.49"), (CARS, "701.34"), (RECEPTION, "18.95")],
        classes={"205": ("教育支出", "232482.80", 11), "210": ("卫生健康支出", "2818870.14", 12),
                 "232": ("债务付息支出", "500.00", 13)},
        class_count=7,  # 205 206 208 210 221 231 232
    ),
    "hangzhou-public-security-2026-budget.pdf": dict(
        income=("404415.23", 20), spending=("404415.23", 20),  # 表1: 收 入 总 计 404,415.23
        # 表3 (p23) prints 基本支出 only as 人员支出 + 日常公用支出: the figures come from 表5 (p26),
        # 合计 370,219.25 = 小计 293,191.86 + 项目支出 77,027.38 (one cent of rounding)
        basic=("293191.86", 26), project=("77027.38", 26),
        # 表7 p29, 合计 row: 4,112.82 | (blank) | 4,011.89 1,024.69 2,987.20 | 100.93
        sangong=("4112.82", 29), parts=[(CARS, "4011.89"), (RECEPTION, "100.93")],
        classes={},  # the classification is shown by indentation only, without codes
    ),
    "huzhou-finance-2026-budget.pdf": dict(
        income=("6838.41", 18), spending=("6838.41", 18),  # 表01 continues on p18: 收 入 总 计 6838.41
        # 表03 (p20) splits 基本支出 into 人员支出/公用经费 without a subtotal; 表05 p23: 合计 6838.41 5571.66 … 1266.75
        basic=("5571.66", 23), project=("1266.75", 23),
        # 表07 p28, 合计 row: 9.30 | (blank) | 3.50 (blank) 3.50 | 5.80
        sangong=("9.30", 28), parts=[(CARS, "3.50"), (RECEPTION, "5.80")],
        classes={"201": ("一般公共服务支出", "5356.01", 20), "208": ("社会保障和就业支出", "796.52", 20),
                 "221": ("住房保障支出", "420.07", 20)},
        class_count=4,
    ),
    "quanzhou-public-security-hq-2026-unit-budget.pdf": dict(
        income=("58341.63", 10), spending=("58341.63", 10),  # 收入合计 58341.63 (after 本年收入合计 50741.63)
        basic=("33422.70", 12), project=("24918.93", 12),  # 支出预算总表 合计 58341.63 33422.70 24918.93
        # p19: 合计 1196.92; 1、因公出国（境）费用 0.00; 2、公务接待费 10.92; 3、公务用车购置及运行费 1186.00
        sangong=("1196.92", 19), parts=[(ABROAD, "0.00"), (CARS, "1186.00"), (RECEPTION, "10.92")],
        classes={},  # the tables list 项 codes (2040101 …) only, no 类 rows
    ),
    "suzhou-audit-2026-budget.pdf": dict(
        income=("4651.67", 9), spending=("4651.67", 9),
        basic=("4312.17", 11), project=("339.50", 11),  # 公开03表 合计 4,651.67 4,312.17 339.50
        sangong=("10.00", 18), parts=[(ABROAD, "0.00"), (CARS, "0.00"), (RECEPTION, "10.00")],  # 公开09表
        classes={"201": ("一般公共服务支出", "2906.63", 11), "208": ("社会保障和就业支出", "442.09", 11),
                 "221": ("住房保障支出", "1302.95", 11)},
        class_count=3,
    ),
    "wuxi-emergency-enforcement-2026-unit-budget.pdf": dict(
        income=("1136.23", 6), spending=("1136.23", 6),
        basic=("1136.23", 8), project=None,  # 公开03表 合计 1,136.23 1,136.23, 项目支出 left blank
        # 公开09表 p15 prints 0.00 in every column ("本单位无…“三公”经费"): zero, not unknown
        sangong=("0.00", 15), parts=[(ABROAD, "0.00"), (CARS, "0.00"), (RECEPTION, "0.00")],
        classes={"208": ("社会保障和就业支出", "135.06", 8), "224": ("灾害防治及应急管理支出", "708.96", 8)},
        class_count=4,
    ),
    "zhuhai-gov-investment-works-center-2026-budget.pdf": dict(
        income=("7552.92", 5), spending=("7552.92", 5),  # 表1 continues on p5: 收入总计 7,552.92
        basic=("0.00", 7), project=("7552.92", 7),  # 表3 合计 7,552.92 0.00 7,552.92
        sangong=("0.00", 14), parts=[(ABROAD, "0.00"), (CARS, "0.00"), (RECEPTION, "0.00")],  # 表8, all 0.00
        classes={"212": ("城乡社区支出", "7552.92", 7)}, class_count=1,
    ),
    # no budget tables: a performance-target form (it mentions 基本支出, but is no 支出总表) and an HTML page
    "guangzhou-govservice-data-2026-overall-performance-targets.pdf": dict(
        income=None, spending=None, basic=None, project=None, sangong=None, parts=[], classes={},
    ),
    "zhengzhou-land-resources-2015-budget-explanation.html": dict(
        income=None, spending=None, basic=None, project=None, sangong=None, parts=[], classes={},
    ),
}


def check(name: str, expected: dict, where) -> None:
    doc = document(name)
    found = figures(doc)
    for key in ("income", "spending", "basic", "project", "sangong"):
        figure, want = getattr(found, key), expected[key]
        assert shown(figure) == (want and want[0]), key
        if figure:
            assert cell_of(doc, figure) == figure.value and figure.unit == "万元"
            assert where(doc, figure) == want[1], f"{key} read from the wrong place"
    assert [(label, shown(f)) for label, f in found.sangong_parts] == expected["parts"]
    classes = {code: (label, shown(f)) for code, label, f in found.by_class}
    for code, (label, value, place) in expected["classes"].items():
        assert classes[code] == (label, value)
        assert where(doc, next(f for c, _, f in found.by_class if c == code)) == place
    assert len(found.by_class) == expected.get("class_count", 0)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_figures(name):
    def line(doc, figure):
        table = next(t for t in doc.tables if t.id == figure.table)
        return source_line(name, table, figure)
    check(name, SAMPLES[name], line)


def source_line(name: str, table, figure: Figure) -> int:
    """The line of the sample's text file holding the figure's row: the first line from the table's own
    line on that starts with the row's first cells."""
    row = table.rows[figure.row]
    text = (ROOT / "content" / "sources" / name.replace(".yaml", ".txt")).read_text(encoding="utf-8")
    lines = text.splitlines()
    first = [c for c in row[:2] if isinstance(c, str)] or [next(c for c in row if c is not None)]
    key = "".join(str(c) for c in first).replace(" ", "")
    for number in range(table.line, len(lines) + 1):
        if lines[number - 1].replace(" ", "").replace("\t", "").replace(",", "").startswith(key):
            return number
    raise AssertionError(f"row {row} not found after line {table.line}")


@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_figures(name):
    check(name, CORPUS_EXPECTED[name], page_of)


def test_parts_are_left_out_when_they_do_not_add_up():
    # 001's 三公 row with the 公务用车 amounts raised: 0.00 + 9.04 + 0.50 is not the 5.54 printed as total
    doc = document("001_94911db390345feb.yaml")
    table = next(t for t in doc.tables if t.id == "t07")
    changed = [[Decimal("5.54"), Decimal("0.00"), Decimal("9.04"), Decimal("0.00"), Decimal("9.04"), Decimal("0.50")]]
    edited = replace(doc, tables=[replace(t, rows=changed) if t is table else t for t in doc.tables])
    found = figures(edited)
    assert shown(found.sangong) == "5.54" and found.sangong_parts == []


def test_column_paths_follow_merged_headings():
    # 长春 预算表7: three header rows, 当年预算 and 上年结转结余 each over their own columns
    header = [["“三公”经费合计", "当年预算", None, None, None, None, None, "上年结转结余", None],
              [None, "小计", "因公出国（境）费", None, "公务用车购置及运行费", None, None, "小计", "公务接待费"],
              [None, None, "小计", "科研因公出国（境）费用", "小计", "公务用车购置费", "公务用车运行费", None, None]]
    paths = column_paths(header)
    assert paths[0] == ("“三公”经费合计",)
    assert paths[3] == ("当年预算", "因公出国(境)费", "科研因公出国(境)费用")
    assert paths[5] == ("当年预算", "公务用车购置及运行费", "公务用车购置费")
    assert paths[8] == ("上年结转结余", "公务接待费")
