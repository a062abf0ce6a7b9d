"""Headline figures for the index: total income and spending and 三公经费 of a budget or final account,
or the summed budget and actual spending of a collection of project evaluations.

Derived from the tables each time (never stored), so a hand-corrected cell shows up everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from .cleaning import squash
from .comparison import Figure
from .model import Cell, Document, Table
from .vocabulary import INCOME_LABELS, SPENDING_LABELS, is_label


@dataclass(frozen=True)
class Headline:
    income: Optional[Decimal] = None
    spending: Optional[Decimal] = None
    sangong: Optional[Decimal] = None
    unit: Optional[str] = None
    sangong_unit: Optional[str] = None
    budget: Optional[Decimal] = None  # evaluations: summed project budgets …
    actual: Optional[Decimal] = None  # … and actual spending

    @property
    def planned(self) -> Optional[Decimal]:
        """The index's first figure: income, or the evaluated projects' budget."""
        return self.income if self.budget is None else self.budget

    @property
    def spent(self) -> Optional[Decimal]:
        return self.spending if self.actual is None else self.actual


def _after(table: Table, labels: tuple[str, ...]) -> Optional[Decimal]:
    """The amount printed right after the first of ``labels`` found in the table (checked in order)."""
    for label in labels:
        for row in table.rows:
            for i, cell in enumerate(row[:-1]):
                if is_label(cell, label) and isinstance(row[i + 1], Decimal):
                    return row[i + 1]
    return None


def _first_amount(cells: list[Cell]) -> Optional[Decimal]:
    return next((c for c in cells if isinstance(c, Decimal)), None)


def _totals_table(doc: Document) -> Optional[Table]:
    """The 收支总表 (收支预算总表), not the 财政拨款收支总表."""
    for table in doc.tables:
        title = squash(table.title)
        if "收支" in title and "总表" in title and "财政拨款" not in title:
            return table
    return None


def headline(doc: Document) -> Headline:
    if doc.evaluations:
        budgets = [e.budget for e in doc.evaluations if e.budget is not None]
        actuals = [e.actual for e in doc.evaluations if e.actual is not None]
        units = {e.unit for e in doc.evaluations}
        return Headline(budget=sum(budgets) if budgets else None, actual=sum(actuals) if actuals else None,
                        unit=units.pop() if len(units) == 1 else None)
    totals = _totals_table(doc)
    sangong_table = next((t for t in doc.tables if "三公" in t.title and t.rows), None)
    return Headline(
        income=_after(totals, INCOME_LABELS) if totals else None,
        spending=_after(totals, SPENDING_LABELS) if totals else None,
        unit=totals.unit if totals else None,
        sangong=_first_amount(sangong_table.rows[0]) if sangong_table else None,
        sangong_unit=sangong_table.unit if sangong_table else None,
    )


def headline_figures(h: Headline) -> list[Figure]:
    """The figures compared year over year (those the document prints)."""
    named = [("收入总计", h.income, h.unit), ("支出总计", h.spending, h.unit), ("“三公”经费", h.sangong, h.sangong_unit),
             ("项目预算", h.budget, h.unit), ("实际支出", h.actual, h.unit)]
    return [Figure(label, 0, value, unit) for label, value, unit in named if value is not None and unit]
