"""Real documents from eleven cities, as published (tests/corpus/), against facts a person read off their pages.

The facts (tests/corpus_facts.yaml) were recorded by looking at the rendered PDF pages, not from the
parser's output: department, year, kind, every table title, the glossary, and amounts (some from a
table continued on a later page, some from a number that wraps inside a narrow cell).
"""
from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from tests.conftest import corpus_document

FACTS = yaml.safe_load((Path(__file__).parent / "corpus_facts.yaml").read_text(encoding="utf-8"))
BY_FILE = {f["file"]: f for f in FACTS}


def key(text) -> str:
    """Compared as a reader would: compatibility forms folded, spaces and quote styles ignored."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "\"“”'‘’")


def parsed(name: str):
    return corpus_document(name)


def table_titled(doc, title: str):
    matches = [t for t in doc.tables if key(t.title) == key(title)]
    assert matches, f"no table titled {title!r}; found {[t.title for t in doc.tables]}"
    return matches


def page_of_row(table, index: int):
    page = None
    for first, number in table.pages:
        if first <= index:
            page = number
    return page


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_department_year_and_kind(name):
    doc, fact = parsed(name), BY_FILE[name]
    assert (key(doc.department), doc.year, doc.kind) == (key(fact["department"]), fact["year"], fact["kind"])


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_every_table_title(name):
    doc, fact = parsed(name), BY_FILE[name]
    titles = [key(t.title) for t in doc.tables]
    for expected in fact["tables"]:
        assert key(expected["title"]) in titles, f"{expected} not among {[t.title for t in doc.tables]}"
        if expected.get("label"):
            labels = [key(t.label) for t in doc.tables if key(t.title) == key(expected["title"])]
            assert key(expected["label"]) in labels


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_glossary(name):
    doc, fact = parsed(name), BY_FILE[name]
    assert len(doc.glossary) == fact["glossary_count"]
    terms = {key(e.term) for e in doc.glossary}
    for term in fact.get("glossary_terms") or []:
        assert key(term) in terms


@pytest.mark.parametrize("name", sorted(BY_FILE))
def test_amounts(name):
    doc, fact = parsed(name), BY_FILE[name]
    for amount in fact["amounts"]:
        if not amount.get("table"):
            continue  # a table without a caption: not identifiable by title
        printed = amount["value"]
        value = Decimal(printed.replace(",", "")) if printed.replace(",", "").replace(".", "").isdigit() else printed
        found = []
        for table in table_titled(doc, amount["table"]):
            assert table.unit in (fact["unit"], None) or amount["table"] != fact["tables"][0]["title"]
            for index, row in enumerate(table.rows):
                names = "".join(key(c) for c in row if isinstance(c, str))
                if value in row and key(amount["row"]) in names:
                    found.append((table, index))
        assert found, f"{amount} not found"
        if amount.get("continued"):
            assert any(page_of_row(t, i) == amount["page"] for t, i in found), f"{amount}: not on its page"


@pytest.mark.parametrize("name", ["zhuhai-gov-investment-works-center-2026-budget.pdf", "guangzhou-health-2026-budget.pdf"])
def test_a_table_without_a_caption_is_named_by_the_heading_above_it(name):
    # both print "七、重点项目预算绩效目标情况", then "…重点项目绩效目标情况如下：" and the table (see the facts' comments)
    (table,) = [t for t in parsed(name).tables if t.title == "重点项目预算绩效目标情况"]
    assert table.header[0][:2] == ["项目", "预算数（单位：万元）"]


def test_a_header_left_alone_at_the_foot_of_a_page_heads_the_rows_on_the_next():
    doc = parsed("zhuhai-gov-investment-works-center-2026-budget.pdf")
    (table,) = [t for t in doc.tables if t.title == "重点项目预算绩效目标情况"]
    assert table.page == 21 and table.pages == [[0, 22]]  # header on p21, every row on p22
    row = next(r for r in table.rows if r[0] == "广南梅第二条原水管道工程一期工程-2026年")
    assert row[1] == Decimal("2579")
