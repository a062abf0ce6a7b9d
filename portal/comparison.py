"""Year over year: a department's headline figures side by side, with the change from one year to the next."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple, Optional

from .numbers import convert


class Measure(NamedTuple):
    """One headline figure of a document: 支出总计, 基本支出, a 类 of spending …"""
    label: str
    level: int  # 0 a total, 1 a part of the figure above it
    value: Decimal
    unit: str


@dataclass(frozen=True)
class Row:
    label: str
    level: int
    values: list[Optional[Decimal]]  # one per year, in the comparison's unit
    change: Optional[Decimal]  # last year's minus the year before's
    percent: Optional[Decimal]  # the change as a percentage of the year before's, to one decimal


@dataclass(frozen=True)
class Comparison:
    kind_label: str
    years: list[int]
    unit: str
    rows: list[Row]


def percent_change(before: Optional[Decimal], after: Optional[Decimal]) -> Optional[Decimal]:
    if before is None or after is None or before == 0:
        return None
    return ((after - before) / before * 100).quantize(Decimal("0.1"))


def compare(kind_label: str, years: list[tuple[int, list[Measure]]]) -> Optional[Comparison]:
    """The figures of two or more years of one kind of document (oldest first). Amounts printed in different
    units are shown in the most common one, converted exactly."""
    if len(years) < 2:
        return None
    units = [f.unit for _, figures in years for f in figures]
    if not units:
        return None
    unit = max(sorted(set(units)), key=units.count)
    labels: dict[str, int] = {}
    for _, figures in years:
        for f in figures:
            labels.setdefault(f.label, f.level)
    rows = []
    for label, level in labels.items():
        values = []
        for _, figures in years:
            found = next((f for f in figures if f.label == label), None)
            values.append(convert(found.value, found.unit, unit) if found else None)
        change = values[-1] - values[-2] if values[-1] is not None and values[-2] is not None else None
        rows.append(Row(label, level, values, change, percent_change(values[-2], values[-1])))
    return Comparison(kind_label, [year for year, _ in years], unit, rows)
