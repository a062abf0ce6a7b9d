"""Headline figures for the pages: total income and spending and 三公经费 of a budget or final account
(from figures.py, which reads them off the tables), or the summed budget and actual spending of a collection
of project evaluations; and the figures a department's years are compared on.

Derived from the tables each time (never stored), so a hand-corrected cell shows up everywhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from .cleaning import squash
from .comparison import Measure
from .figures import Figures
from .model import Document

# "2024年一般公共预算安排“三公”经费预算0万元。": a 三公 table left empty, its total stated in the text
_STATED_SANGONG = re.compile(r"三公”?经费[^。；，,]{0,8}?(\d[\d,]*(?:\.\d+)?)\s*(万元|元)")


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


def _stated_sangong(doc: Document) -> Optional[tuple[Decimal, str]]:
    """三公经费 as the narrative states it, when its table has no rows (a department that has none)."""
    if not any("三公" in t.title and not t.rows for t in doc.tables):
        return None
    for section in doc.sections:
        for paragraph in section.paragraphs:
            if match := _STATED_SANGONG.search(squash(paragraph)):
                return Decimal(match.group(1).replace(",", "")), match.group(2)
    return None


def headline(doc: Document, f: Figures) -> Headline:
    if doc.evaluations:
        budgets = [e.budget for e in doc.evaluations if e.budget is not None]
        actuals = [e.actual for e in doc.evaluations if e.actual is not None]
        units = {e.unit for e in doc.evaluations}
        return Headline(budget=sum(budgets) if budgets else None, actual=sum(actuals) if actuals else None,
                        unit=units.pop() if len(units) == 1 else None)
    sangong, sangong_unit = (f.sangong.value, f.sangong.unit) if f.sangong else _stated_sangong(doc) or (None, None)
    total = f.income or f.spending
    return Headline(income=f.income.value if f.income else None, spending=f.spending.value if f.spending else None,
                    unit=total.unit if total else None, sangong=sangong, sangong_unit=sangong_unit)


def measures(h: Headline, f: Figures) -> list[Measure]:
    """What a department's years are compared on: the totals, basic and project spending, 三公经费 and its
    parts, spending by 类; only what the document prints, each with its unit."""
    found = [Measure("收入总计", 0, h.income, h.unit), Measure("支出总计", 0, h.spending, h.unit),
             Measure("项目预算", 0, h.budget, h.unit), Measure("实际支出", 0, h.actual, h.unit)]
    for label, figure in (("基本支出", f.basic), ("项目支出", f.project)):
        if figure:
            found.append(Measure(label, 1, figure.value, figure.unit))
    found += [Measure(f"{code} {name}", 1, figure.value, figure.unit) for code, name, figure in f.by_class]
    found.append(Measure("“三公”经费", 0, h.sangong, h.sangong_unit))
    found += [Measure(label, 1, figure.value, figure.unit) for label, figure in f.sangong_parts]
    return [m for m in found if m.value is not None and m.unit]
