"""One document, several formats: the published PDF and the text extractors make of it (tests/corpus/text/:
``pdftotext -layout`` and plain ``pdftotext`` of poppler 22.12, pdfplumber 0.11's ``extract_text``) give the
same department, year, kind and glossary; from the column-aligned text, the same titles for the tables both
find and the same totals in them."""
from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from portal.interpreting.tables import TITLE_LIKE
from portal.parsing import parse_file

CORPUS = Path(__file__).parent / "corpus"
DOCUMENTS = ["hangzhou-meteorology-2026-budget", "huzhou-finance-2026-budget", "suzhou-audit-2026-budget",
             "quanzhou-public-security-hq-2026-unit-budget"]


def key(text) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", str(text or "")) if not c.isspace())


def totals(table) -> list[Decimal]:
    """The amounts of the table's first 合计 / 总计 row."""
    for row in table.rows:
        if any(isinstance(c, str) and ("合计" in c or "总计" in c) for c in row):
            return [c for c in row if isinstance(c, Decimal)]
    return []


@pytest.fixture(scope="module", params=DOCUMENTS)
def both(request):
    name = request.param
    return parse_file(CORPUS / f"{name}.pdf"), parse_file(CORPUS / "text" / f"{name}.layout.txt")


def test_same_department_year_and_kind(both):
    pdf, text = both
    assert (pdf.department, pdf.year, pdf.kind) == (text.department, text.year, text.kind)


def test_text_finds_the_tables_with_the_pdf_titles(both):
    pdf, text = both
    pdf_titles = {key(t.title) for t in pdf.tables}
    text_titles = {key(t.title) for t in text.tables if TITLE_LIKE.search(t.title)}
    assert text_titles <= pdf_titles  # no title made up
    # most budget tables are found; those missed print no amount to align columns on (empty tables),
    # and 绩效目标 forms of running text are not tables in pdftotext's layout
    budget_tables = {key(t.title) for t in pdf.tables if t.kind == "data" and not t.empty and totals(t)}
    assert len(text_titles & budget_tables) >= 0.6 * len(budget_tables)


def test_same_totals_in_the_tables_both_find(both):
    pdf, text = both
    by_title = {key(t.title): t for t in pdf.tables}
    compared = 0
    for table in text.tables:
        other = by_title.get(key(table.title))
        if other is None or not totals(other) or not totals(table):
            continue  # a total row on one side only: a header line the text set among the rows
        assert totals(table) == totals(other), table.title
        compared += 1
    assert compared >= 3


EXTRACTS = ["layout", "pdfplumber", "raw"]


@pytest.mark.parametrize("name", ["hangzhou-meteorology-2026-budget", "huzhou-finance-2026-budget",
                                  "suzhou-audit-2026-budget"])
def test_every_extract_gives_the_same_document_facts_and_glossary(name):
    pdf = parse_file(CORPUS / f"{name}.pdf")
    for extract in EXTRACTS:
        text = parse_file(CORPUS / "text" / f"{name}.{extract}.txt")
        assert (text.department, text.year, text.kind) == (pdf.department, pdf.year, pdf.kind), extract
        assert [key(g.term) for g in text.glossary] == [key(g.term) for g in pdf.glossary], extract
    # pdfplumber's text sets cells apart by single spaces: rows with amounts still become tables
    words = parse_file(CORPUS / "text" / f"{name}.pdfplumber.txt")
    titles = {key(t.title) for t in pdf.tables}
    assert len({key(t.title) for t in words.tables} & titles) >= 3
