"""Charts (portal.charts) drawn from the figures of real documents: the SVG says the same numbers as the
tables, bar lengths follow the amounts, document text is escaped, and the output is well-formed XML."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from portal.charts import bar_chart, comparison_chart, share_chart
from portal.datafile import read_data
from portal.figures import figures
from portal.numbers import amount
from tests.conftest import corpus_document

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
CENT = Decimal("0.01")  # coordinates are written to two decimals


def sample(name: str):
    path = ROOT / "content" / "data" / name
    return read_data(path.read_text(encoding="utf-8"), name)


@pytest.fixture(scope="module")
def documents():
    return {
        "001": sample("001_94911db390345feb.yaml"),
        "003": sample("003_0341060121c49e83.yaml"),
        "guangzhou": corpus_document("guangzhou-health-2026-budget.pdf"),
    }


def parsed(markup) -> ET.Element:
    """The chart as XML: parsing fails on anything not well-formed."""
    return ET.fromstring(str(markup))


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def bars_of(root: ET.Element) -> list[tuple[str, str, Decimal, Decimal]]:
    """(full label from <title>, value label, bar width, bar x) of each bar."""
    out = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "chart-bar":
            continue
        title = group.find(f"{SVG}title").text
        value = next(t for t in group.iter(f"{SVG}text") if t.get("class") == "chart-value").text
        rect = group.find(f"{SVG}rect")
        out.append((title, value, Decimal(rect.get("width")), Decimal(rect.get("x"))))
    return out


def data_rows(root: ET.Element) -> list[list[str]]:
    table = root.find("div[@class='chart-data']/table")
    return [[cell.text for cell in row] for row in table.find("tbody")]


def assert_proportional(values: list[Decimal], widths: list[Decimal]) -> None:
    """Each width is the value times one scale, to the cent the coordinates are written with."""
    scale = max(widths) / max(abs(v) for v in values)
    for value, width in zip(values, widths):
        assert abs(abs(value) * scale - width) <= CENT, (value, width)


@pytest.mark.parametrize("doc", ["001", "003", "guangzhou"])
def test_class_bars_say_the_figures(documents, doc):
    found = figures(documents[doc])
    assert found.by_class
    root = parsed(bar_chart("按功能分类的支出", [(name, f.value) for _, name, f in found.by_class], "万元"))
    bars = bars_of(root)
    assert [(title, value) for title, value, _, _ in bars] == \
        [(f"{name}：{amount(f.value)} 万元", amount(f.value)) for _, name, f in found.by_class]
    assert_proportional([f.value for _, _, f in found.by_class], [width for _, _, width, _ in bars])
    assert data_rows(root) == [[name, amount(f.value)] for _, name, f in found.by_class]
    svg = root.find(f"{SVG}svg")
    assert svg.get("role") == "img" and "按功能分类的支出" in svg.get("aria-label") and svg.get("width") == "100%"
    assert svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text


def test_guangzhou_values_as_printed(documents):
    # 表3 p11–13 of the 广州 budget: 卫生健康支出 2,818,870.14, the largest bar, printed with its separators
    found = figures(documents["guangzhou"])
    bars = bars_of(parsed(bar_chart("支出", [(name, f.value) for _, name, f in found.by_class], "万元")))
    longest = max(bars, key=lambda bar: bar[2])
    assert longest[0].startswith("卫生健康支出") and longest[1] == "2,818,870.14"


@pytest.mark.parametrize("doc", ["001", "003", "guangzhou"])
def test_share_chart_of_basic_and_project(documents, doc):
    found = figures(documents[doc])
    parts = [("基本支出", found.basic.value), ("项目支出", found.project.value)]
    root = parsed(share_chart("基本支出与项目支出", parts, "万元"))
    total = found.basic.value + found.project.value
    segments = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-segment"]
    widths = [Decimal(g.find(f"{SVG}rect").get("width")) for g in segments]
    assert_proportional([v for _, v in parts], widths)
    assert abs(sum(widths) - 360) <= 2 * CENT  # the whole bar is the whole
    rows = data_rows(root)
    assert [row[:2] for row in rows] == [[name, amount(value)] for name, value in parts]
    for row, (_, value) in zip(rows, parts):
        assert abs(Decimal(row[2].rstrip("%")) - value * 100 / total) <= Decimal("0.05")
    texts = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert texts == [f"{amount(value)} 万元，{row[2]}" for (_, value), row in zip(parts, rows)]


def test_share_of_001_read_off_the_source(documents):
    # content/sources/001…txt line 164: 合计 45084.94 = 基本支出 1122.86 + 项目支出 43962.08 → 2.5 % / 97.5 %
    found = figures(documents["001"])
    rows = data_rows(parsed(share_chart("t", [("基本支出", found.basic.value), ("项目支出", found.project.value)],
                                        "万元")))
    assert rows == [["基本支出", "1,122.86", "2.5%"], ["项目支出", "43,962.08", "97.5%"]]


@pytest.mark.parametrize("doc", ["001", "003", "guangzhou"])
def test_sangong_bars(documents, doc):
    found = figures(documents[doc])
    root = parsed(bar_chart("三公经费", [(name, f.value) for name, f in found.sangong_parts], "万元"))
    bars = bars_of(root)
    assert [value for _, value, _, _ in bars] == [amount(f.value) for _, f in found.sangong_parts]
    assert_proportional([f.value for _, f in found.sangong_parts], [width for _, _, width, _ in bars])
    assert sum(number(value) for _, value, _, _ in bars) == found.sangong.value


def test_untrusted_text_is_escaped():
    label = '<script>alert("x")</script>&amp;'
    markup = str(bar_chart(label, [(label, Decimal("1.00"))], "万元", href=['javascript:"><b>']))
    markup += str(share_chart(label, [(label, Decimal("1")), ("b", Decimal("2"))], "元"))
    root = ET.fromstring(f"<div>{markup}</div>")
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "b")]
    assert "<script>" not in markup and 'alert("x")' not in markup
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{label}：1.00 万元" in titles  # the text survives, as text
    assert root.find(f".//{SVG}a").get("href") == 'javascript:"><b>'  # an attribute value, not markup


def test_control_characters_do_not_break_the_xml():
    parsed(bar_chart("a\x00b", [("c\x0bd", Decimal("1"))], "万元"))


def test_long_labels_are_shortened_with_the_full_label_kept():
    long = "泉州市市场监管综合监测与技术保障中心知创大厦泉州知识产权馆建设费用项目"
    root = parsed(bar_chart("t", [(long, Decimal("5.00")), ("短", Decimal("1.00"))], "万元"))
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-bar")
    lines = [span.text for span in group.iter(f"{SVG}tspan")]
    assert len(lines) == 2 and lines[-1].endswith("…") and long.startswith("".join(lines)[:-1])
    assert group.find(f"{SVG}title").text.startswith(long)


def test_zero_and_negative_values():
    bars = [("收入", Decimal("120.50")), ("结余", Decimal("-40.25")), ("零", Decimal("0.00"))]
    root = parsed(bar_chart("t", bars, "万元"))
    drawn = bars_of(root)
    axis = Decimal(root.find(f".//{SVG}line").get("x1"))
    assert drawn[0][3] == axis and drawn[1][3] + drawn[1][2] == axis  # right of zero, left of zero
    assert drawn[2][2] == 0 and drawn[2][1] == "0.00"
    assert_proportional([v for _, v in bars], [width for _, _, width, _ in drawn])
    assert [value for _, value, _, _ in drawn] == ["120.50", "-40.25", "0.00"]
    only_zero = bars_of(parsed(bar_chart("t", [("a", Decimal("0"))], "万元")))
    assert only_zero[0][2] == 0


def test_shares_need_parts_that_are_not_negative():
    root = parsed(share_chart("t", [("甲", Decimal("5")), ("乙", Decimal("-1"))], "元"))
    assert not [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-segment"]
    assert data_rows(root) == [["甲", "5", "—"], ["乙", "-1", "—"]]
    zero = parsed(share_chart("t", [("甲", Decimal("0.00")), ("乙", Decimal("0.00"))], "万元"))
    assert [row[2] for row in data_rows(zero)] == ["—", "—"]


def test_empty_input_draws_nothing():
    assert bar_chart("t", [], "万元") == "" and share_chart("t", [], "万元") == ""
    assert comparison_chart("t", []) == ""


def test_departments_compared_in_one_unit(documents):
    found = {key: figures(doc) for key, doc in documents.items()}
    items = [(documents[key].department, f.spending.value, f.spending.unit) for key, f in found.items()]
    items.append(("某单位（以元计）", Decimal("12345.67"), "元"))
    root = parsed(comparison_chart("支出总计", items, href=["a.html", "b.html", "c.html", "d.html"]))
    values = [value for _, value, _, _ in bars_of(root)]
    # 001 收支总表 45,084.94; 003 101,516.15; 广州 3,324,258.76 (p8); 12,345.67 元 = 1.234567 万元 exactly
    assert values == ["45,084.94", "101,516.15", "3,324,258.76", "1.234567"]
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["a.html", "b.html", "c.html", "d.html"]
    assert_proportional([number(v) for v in values], [width for _, _, width, _ in bars_of(root)])


def test_units_are_converted_exactly_or_refused():
    root = parsed(comparison_chart("t", [("甲", Decimal("1.50"), "万元"), ("乙", Decimal("3"), "亿元")], "元"))
    assert [value for _, value, _, _ in bars_of(root)] == ["15,000", "300,000,000"]
    with pytest.raises(ValueError):
        comparison_chart("t", [("甲", Decimal("1"), "万元"), ("乙", Decimal("2"), None)])
    with pytest.raises(ValueError):
        comparison_chart("t", [("甲", Decimal("1"), "万元"), ("乙", Decimal("2"), "美元")])


def test_output_is_deterministic_and_uses_no_style_attributes(documents):
    found = figures(documents["003"])
    bars = [(name, f.value) for _, name, f in found.by_class]
    first, second = bar_chart("t", bars, "万元"), bar_chart("t", list(bars), "万元")
    assert first == second
    root = parsed(first)
    assert not [e for e in root.iter() if "style" in e.attrib]  # the site's CSP forbids inline styles
