"""Headline figures of a budget document, each with the table cell it was read from.

Income and spending come from the 收支总表, basic and project spending and the 类 breakdown from the
支出总表 (or, failing that, the 一般公共预算支出表), 三公经费 from its own table. Columns are found by
their printed multi-level header, rows by their labels. Cities print these tables differently, so every
figure is checked against the table's own totals where it can be, and is left out (None, []) rather than
guessed: a figure shown here is always a number printed in the document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Optional

from .cleaning import squash
from .model import Cell, Document, Table
from .vocabulary import INCOME_LABELS, SPENDING_LABELS, is_code, is_column_numbers

TOTALS = frozenset({"合计", "总计", "小计"})
_VALUE_HEADS = TOTALS | {"预算数", "决算数"}  # the amount column of a table with one row per item
_BRACKETED_CODE = re.compile(r"\[(\d{3}(?:\d{2}){0,2})\](.+)")  # "[205]教育支出" (广州, 珠海)
_SPENDING_TITLE = re.compile(r"支出(?:预算|决算)?(?:总表|总体情况表)$|支出决算表$")
_NOT_SPENDING = ("收", "财政拨款", "一般公共预算", "基金", "国有资本")
_NOT_GENERAL = ("基本支出", "项目支出", "三公", "经济", "分单位", "机关运行")

Match = Callable[[str], bool]


@dataclass(frozen=True)
class Figure:
    """One number with where it comes from."""
    value: Decimal
    unit: Optional[str]
    table: str  # Table.id
    row: int  # index into table.rows
    column: int


@dataclass(frozen=True)
class Figures:
    income: Optional[Figure] = None  # 收入总计 (收支总表)
    spending: Optional[Figure] = None  # 支出总计
    basic: Optional[Figure] = None  # 基本支出, total row of the 支出总表 (or 一般公共预算支出表) …
    project: Optional[Figure] = None  # … and 项目支出, from the same table
    sangong: Optional[Figure] = None  # 三公经费 total
    # (component, amount): 因公出国（境）费, 公务用车购置及运行维护费 (or 公务用车购置费 and 公务用车运行维护费
    # where only those are printed), 公务接待费; blank cells left out; only when they add up to the total
    sangong_parts: list[tuple[str, Figure]] = field(default_factory=list)
    by_class: list[tuple[str, str, Figure]] = field(default_factory=list)  # (类 code, name, amount), table order


def _label(cell: Cell) -> Optional[str]:
    """A text cell as a comparison key: squashed, without a trailing colon ("总计：")."""
    return squash(cell).rstrip(":") if isinstance(cell, str) else None


def _is_total_label(cell: Cell) -> bool:
    return _label(cell) in TOTALS


def _figure(table: Table, row: int, column: int) -> Optional[Figure]:
    cells = table.rows[row]
    value = cells[column] if 0 <= column < len(cells) else None
    return Figure(value, table.unit, table.id, row, column) if isinstance(value, Decimal) else None


def _adds_up(parts: list[Decimal], total: Decimal) -> bool:
    """Parts make the total, give or take the rounding of each printed part (one unit of the last
    printed decimal apiece: 长春 prints 类 rows summing to 1682.75 under a 总计 of 1682.76)."""
    return abs(sum(parts, Decimal(0)) - total) <= len(parts) * Decimal(1).scaleb(total.as_tuple().exponent)


def _amount(cells: list[Cell], column: int) -> Decimal:
    """A cell as a number for a consistency check: blank counts as zero."""
    value = cells[column] if column < len(cells) else None
    return value if isinstance(value, Decimal) else Decimal(0)


# ---------------------------------------------------------------- columns by their printed header

def _header_rows(table: Table) -> list[list[Cell]]:
    """The printed header, plus leading rows without a single amount: some tables come out of the PDF
    with their header among the rows (杭州, 湖州 三公 tables)."""
    rows = list(table.header)
    for row in table.rows:
        if any(isinstance(c, Decimal) for c in row):
            break
        rows.append(row)
    return rows


def column_paths(header: list[list[Cell]]) -> list[tuple[str, ...]]:
    """Each column's headings, outermost first (squashed). As in ``views.header_cells``: a blank right of
    a heading whose columns have sub-headings below is part of that heading; a blank below one adds nothing."""
    header = [row for row in header if not is_column_numbers(row)]
    width = max((len(r) for r in header), default=0)
    grid = [[_label(r[c]) if c < len(r) else None for c in range(width)] for r in header]

    def heading(r: int, c: int) -> Optional[str]:
        while c >= 0 and grid[r][c] is None:
            if not any(grid[k][c] for k in range(r + 1, len(grid))):
                return None
            c -= 1
        return grid[r][c] if c >= 0 else None

    return [tuple(h for h in (heading(r, c) for r in range(len(grid))) if h) for c in range(width)]


def _groups(paths: list[tuple[str, ...]], match: Match) -> list[list[int]]:
    """The columns of each heading that ``match``es, one list per heading in order. A column counts if
    under that heading it has nothing, 小计/合计 or the same heading again: not its sub-items."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for column, path in enumerate(paths):
        at = next((i for i, label in enumerate(path) if match(label)), None)
        if at is not None and all(label in TOTALS or label == path[at] for label in path[at + 1:]):
            groups.setdefault(path[:at + 1], []).append(column)
    return list(groups.values())


def _column(paths: list[tuple[str, ...]], match: Match, cells: list[Cell]) -> Optional[int]:
    """The column of the first heading that ``match``es, provided any later one (上年结转 beside 当年预算)
    adds nothing to it in this row."""
    groups = _groups(paths, match)
    if not groups or any(_amount(cells, g[0]) for g in groups[1:]):
        return None
    return groups[0][0]


def _total_column(paths: list[tuple[str, ...]]) -> Optional[int]:
    return next((c for c, path in enumerate(paths) if path and path[-1] in TOTALS), None)


def _total_row(table: Table) -> Optional[int]:
    return next((i for i, row in enumerate(table.rows) if any(_is_total_label(c) for c in row[:2])), None)


# ---------------------------------------------------------------- finding the tables

def _titled(doc: Document, wanted: Callable[[str], bool]) -> list[Table]:
    return [t for t in doc.tables if t.rows and wanted(squash(t.title))]


def _is_totals_title(title: str) -> bool:
    """收支总表, 收支预算总表, 收支总体情况表, 收入支出决算总表; not the 财政拨款收支总表."""
    return ("收支" in title or "收入支出" in title) and ("总表" in title or "总体情况表" in title) \
        and "财政拨款" not in title


def _is_spending_title(title: str) -> bool:
    """支出总表, 支出预算总表, 本年支出总体情况表, 支出决算表."""
    return bool(_SPENDING_TITLE.search(title)) and not any(w in title for w in _NOT_SPENDING)


def _is_general_title(title: str) -> bool:
    """一般公共预算支出表 (分功能科目), 一般公共预算拨款支出预算表, 一般公共预算支出情况表 …"""
    return "一般公共预算" in title and "支出" in title and not any(w in title for w in _NOT_GENERAL)


# ---------------------------------------------------------------- the figures

def _after(table: Table, labels: tuple[str, ...]) -> Optional[Figure]:
    """The amount right after the last label of ``labels`` in the table: the grand total is printed last
    (泉州 prints 本年收入合计 and then 收入合计)."""
    found = None
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row[:-1]):
            if _label(cell) in labels:
                found = _figure(table, r, c + 1) or found
    return found


def _basic_and_project(table: Table) -> tuple[Optional[Figure], Optional[Figure]]:
    """基本支出 and 项目支出 of the total row, if together they make the row's total."""
    row, paths = _total_row(table), column_paths(_header_rows(table))
    total = _total_column(paths)
    if row is None or total is None:
        return None, None
    cells = table.rows[row]
    basic = _column(paths, lambda label: "基本支出" in label, cells)
    project = _column(paths, lambda label: "项目支出" in label, cells)
    if basic is None or project is None or not _adds_up([_amount(cells, basic), _amount(cells, project)],
                                                        _amount(cells, total)):
        return None, None
    return _figure(table, row, basic), _figure(table, row, project)


def _class_of(cells: list[Cell]) -> Optional[tuple[str, str]]:
    """(code, name) of a 类 row: a 3-digit code in the first column, or "[205]教育支出"."""
    if is_code(cells[0]) and len(cells[0]) == 3 and len(cells) > 1 and isinstance(cells[1], str):
        return cells[0], cells[1]
    bracketed = _BRACKETED_CODE.fullmatch(cells[0].strip()) if isinstance(cells[0], str) else None
    if bracketed and len(bracketed.group(1)) == 3:
        return bracketed.group(1), bracketed.group(2).strip()
    return None


def _by_class(table: Table) -> list[tuple[str, str, Figure]]:
    """The 类 rows with the amount of the total column, if they add up to the total row."""
    row, total = _total_row(table), _total_column(column_paths(_header_rows(table)))
    if row is None or total is None:
        return []
    out = []
    for r, cells in enumerate(table.rows):
        found = cells and _class_of(cells)
        if found:
            figure = _figure(table, r, total)
            if figure is None:
                return []
            out.append((*found, figure))
    if not _adds_up([f.value for _, _, f in out], _amount(table.rows[row], total)):
        return []
    return out


# The components of 三公经费, under the names used across the site. 公务用车 is either one amount
# (购置及运行维护费) or, where a document prints only those, its two parts.
_ABROAD = ("因公出国（境）费", lambda label: "出国" in label and "科研" not in label)
_CARS = ("公务用车购置及运行维护费", lambda label: "车" in label and "购置" in label and "运行" in label)
_CAR_PURCHASE = ("公务用车购置费", lambda label: "车" in label and "购置" in label and "运行" not in label)
_CAR_RUNNING = ("公务用车运行维护费", lambda label: "车" in label and "运行" in label and "购置" not in label)
_RECEPTION = ("公务接待费", lambda label: "接待" in label)


def _is_sangong(label: str) -> bool:
    return "三公" in label


def _sangong_in_columns(table: Table, paths: list[tuple[str, ...]]):
    """A table with a column per component (武汉, 江苏, 长春, 杭州): the total row, or its only row."""
    row = _total_row(table)
    if row is None:
        with_amounts = [i for i, r in enumerate(table.rows) if any(isinstance(c, Decimal) for c in r)]
        row = with_amounts[0] if len(with_amounts) == 1 else None
    if row is None:
        return None, {}
    cells = table.rows[row]

    def find(match: Match) -> Optional[Figure]:
        column = _column(paths, match, cells)
        return None if column is None else _figure(table, row, column)

    parts = {name: find(match) for name, match in (_ABROAD, _CARS, _CAR_PURCHASE, _CAR_RUNNING, _RECEPTION)}
    return find(_is_sangong), parts


def _sangong_in_rows(table: Table, paths: list[tuple[str, ...]]):
    """A table with a row per component (泉州, 广州, 珠海): the 合计/预算数 column."""
    column = next((c for c, path in enumerate(paths) if path and path[-1] in _VALUE_HEADS), None)
    if column is None:
        return None, {}
    labels = [next((_label(c) for c in row[:column] if isinstance(c, str)), None) or "" for row in table.rows]

    def find(match: Match) -> Optional[Figure]:
        row = next((i for i, label in enumerate(labels) if match(label)), None)
        return None if row is None else _figure(table, row, column)

    parts = {name: find(match) for name, match in (_ABROAD, _CARS, _CAR_PURCHASE, _CAR_RUNNING, _RECEPTION)}
    return find(_is_sangong) or find(lambda label: label in TOTALS), parts


def _sangong(table: Table) -> tuple[Optional[Figure], list[tuple[str, Figure]]]:
    paths = column_paths(_header_rows(table))
    in_columns = any(_is_sangong(label) for path in paths for label in path)
    total, found = (_sangong_in_columns if in_columns else _sangong_in_rows)(table, paths)
    names = [_ABROAD[0], _CARS[0], _RECEPTION[0]] if found.get(_CARS[0]) else \
        [_ABROAD[0], _CAR_PURCHASE[0], _CAR_RUNNING[0], _RECEPTION[0]]
    parts = [(name, found[name]) for name in names if found.get(name)]
    if total is None or not _adds_up([f.value for _, f in parts], total.value):
        parts = []  # a breakdown that does not add up is not shown
    return total, parts


def figures(doc: Document) -> Figures:
    """The headline figures of a budget or final account; None/[] wherever a table does not state one."""
    totals = next(iter(_titled(doc, _is_totals_title)), None)
    spending_tables = _titled(doc, _is_spending_title) + _titled(doc, _is_general_title)
    basic = project = None
    for table in spending_tables:
        basic, project = _basic_and_project(table)
        if basic or project:
            break
    by_class = next((found for found in map(_by_class, spending_tables) if found), [])
    sangong, parts = None, []
    for table in _titled(doc, _is_sangong):
        sangong, parts = _sangong(table)
        if sangong:
            break
    return Figures(
        income=_after(totals, INCOME_LABELS) if totals else None,
        spending=_after(totals, SPENDING_LABELS) if totals else None,
        basic=basic, project=project, sangong=sangong, sangong_parts=parts, by_class=by_class,
    )
