"""Arithmetic checks of a Document: do the published figures add up?

Each check compares a printed figure with what the document says it is the sum (or ratio) of:
- ``parent_sum``: a 类/款 row against its direct children, column by column;
- ``total_row``: a 合计/总计 row against the top-level rows it totals (the 类 rows, or the shortest codes),
  and in a 收支总表 ``本年收入合计`` against its numbered items and ``收入总计`` against what it adds up;
- ``row_total``: a column the header shows as the total of the columns beside it (合计 = 基本支出 + 项目支出);
- ``cross_table``: the same figure printed in two tables (收入总计 = 支出总计; 支出总表 vs 收支总表 …);
- ``completion_rate`` and ``unreadable_amount``: the figures of a 专项绩效自评报告.

Every check is conservative: when the layout does not make the relation clear it is not checked. A difference
within the accumulated rounding of the printed figures (n parts × half a unit of the last printed place) is
reported with severity ``rounding`` (尾差), anything larger as ``error``. All arithmetic is exact (Decimal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Iterable, Iterator, Optional

from .cleaning import squash
from .model import Document, Evaluation, Table
from .numbers import amount, amount_columns, convert
from .vocabulary import INCOME_LABELS, SPENDING_LABELS, code_level, is_code, is_column_numbers, is_total

NUMBERED_ITEM = re.compile(r"^[一二三四五六七八九十廿卅]+、")
DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Finding:
    check: str  # parent_sum | total_row | row_total | cross_table | completion_rate | unreadable_amount
    severity: str  # "error" (a real discrepancy) | "rounding" (within printed precision)
    table: Optional[str]
    row: Optional[int]
    column: Optional[int]
    label: str
    printed: Decimal
    computed: Decimal
    unit: Optional[str]
    page: Optional[int]
    message: str

    @property
    def difference(self) -> Decimal:
        return self.printed - self.computed


@dataclass(frozen=True)
class CheckReport:
    findings: list[Finding]
    checked: int  # how many equalities were checked


def check_document(doc: Document) -> CheckReport:
    """Every arithmetic check the document's tables and evaluations allow, findings in document order."""
    counter = _Counter()
    findings: list[Finding] = []
    for table in doc.tables:
        if table.kind == "data" and table.rows:
            findings.extend(_check_table(table, counter))
    findings.extend(_cross_tables(doc.tables, counter))
    for evaluation in doc.evaluations:
        findings.extend(_check_evaluation(evaluation, counter))
    return CheckReport(findings=findings, checked=counter.n)


class _Counter:
    def __init__(self) -> None:
        self.n = 0


# ---------------------------------------------------------------- comparing

def _quantum(value: Decimal) -> Decimal:
    """A unit of the last printed place: 0.01 for 123.45, 1 for 545."""
    return Decimal(1).scaleb(min(value.as_tuple().exponent, 0))


def _severity(printed: Decimal, computed: Decimal, figures: Iterable[Decimal], parts: int) -> Optional[str]:
    """None when equal; "rounding" when within parts × half a unit of the coarsest printed place."""
    difference = abs(printed - computed)
    if not difference:
        return None
    place = max(_quantum(f) for f in [printed, *figures])
    return "rounding" if difference <= place * max(parts, 1) / 2 else "error"


def _difference_note(printed: Decimal, computed: Decimal, severity: str) -> str:
    note = f"差 {amount(printed - computed)}"
    return f"（{note}，尾差）" if severity == "rounding" else f"（{note}）"


# ---------------------------------------------------------------- reading a table

def _page(table: Table, row: Optional[int]) -> Optional[int]:
    page = table.page
    for first, on in table.pages:
        if row is not None and first <= row:
            page = on
    return page


def _table_name(table: Table) -> str:
    return f"{table.label} {table.title}" if table.label else table.title


class _Header(list):
    """The header rows of a table that name columns (not the "** 1 2 3" numbering row), with each column's
    name and each row's label worked out once (a check names its cell by row and column: a table has
    hundreds), and the columns that hold amounts."""

    def __init__(self, table: Table):
        super().__init__(row for row in table.header if any(c is not None for c in row) and not is_column_numbers(row))
        self.rows = table.rows
        self.names: dict[int, str] = {}
        self.labels: dict[int, str] = {}

    @cached_property
    def amounts(self) -> list[int]:
        return [j for j, holds in enumerate(amount_columns(self.rows)) if holds]

    def name(self, column: int) -> str:
        if column not in self.names:
            self.names[column] = _column_name(self, column)
        return self.names[column]

    def label(self, row: int) -> str:
        if row not in self.labels:
            self.labels[row] = _row_label(self.rows[row])
        return self.labels[row]


def _column_name(header: list[list], column: int) -> str:
    """The header's label for a column, its group's label first ("基本支出 小计"), as printed."""
    names = []
    for r, row in enumerate(header):
        label = _group_label(header, r, column)
        if label and label not in names:
            names.append(label)
    return " ".join(names) or f"第{column + 1}列"


def _group_label(header: list[list], r: int, column: int) -> Optional[str]:
    start = _group_start(header, r, column)
    cell = header[r][start] if start is not None else None
    return squash(cell) if isinstance(cell, str) else None


def _group_start(header: list[list], r: int, column: int) -> Optional[int]:
    """The column where the header cell covering ``column`` in row ``r`` starts (a merged cell spans right
    over the empty cells after it, within its own parent's span); None when nothing is printed there."""
    row = header[r]
    if column >= len(row):
        return None
    if row[column] is not None:
        return column
    parent = (lambda c: _group_start(header, r - 1, c)) if r else (lambda c: 0)
    c = column
    while c > 0 and row[c] is None and parent(c - 1) == parent(column):
        c -= 1
        if row[c] is not None:
            return c
    return None


def _group_end(header: list[list], r: int, start: int, width: int) -> int:
    end = start
    while end + 1 < width and _group_start(header, r, end + 1) == start:
        end += 1
    return end


def _row_label(row: list) -> str:
    """How a row is named: its code and name ("201 一般公共服务支出") or its first text."""
    texts = [squash(c) for c in row[:3] if isinstance(c, str) and c.strip()]
    return " ".join(texts[:2]) if texts and DIGITS.fullmatch(texts[0]) else (texts[0] if texts else "")


def _cell(row: list, j: int) -> Optional[Decimal]:
    value = row[j] if j < len(row) else None
    return value if isinstance(value, Decimal) else None


def _finding(check: str, severity: str, table: Table, row: int, column: int, where: str, printed: Decimal,
             computed: Decimal, message: str) -> Finding:
    return Finding(check=check, severity=severity, table=table.id, row=row, column=column,
                   label=f"{_table_name(table)} · {where}", printed=printed, computed=computed, unit=table.unit,
                   page=_page(table, row), message=message)


def _sum_check(check: str, table: Table, row: int, column: int, parts: list[Decimal], what: str,
               counter: _Counter, where: str, subject: str) -> Iterator[Finding]:
    """The printed cell (row, column) against the sum of ``parts``; ``what`` names the parts in the message,
    ``where`` the cell in the finding's label and ``subject`` in its message."""
    printed = _cell(table.rows[row], column)
    if printed is None:
        return
    counter.n += 1
    computed = sum(parts, Decimal(0))
    severity = _severity(printed, computed, parts, len(parts))
    if severity:
        yield _finding(check, severity, table, row, column, where, printed, computed,
                       f"{subject} {amount(printed)} ≠ {what} {amount(computed)}"
                       f"{_difference_note(printed, computed, severity)}")


def _compare_sum(check: str, table: Table, header: _Header, row: int, column: int, parts: list[Decimal],
                 what: str, counter: _Counter) -> Iterator[Finding]:
    """A cell named by its row and its column heading."""
    name, col = header.label(row), header.name(column)
    yield from _sum_check(check, table, row, column, parts, what, counter, f"{name} · {col}", f"{name} 的{col}")


def _check_table(table: Table, counter: _Counter) -> Iterator[Finding]:
    header = _Header(table)
    yield from _parent_sums(table, header, counter)
    yield from _total_rows(table, header, counter)
    yield from _row_totals(table, header, counter)
    yield from _two_sided_totals(table, counter)


# ---------------------------------------------------------------- 类/款/项

def _code(row: list) -> Optional[str]:
    return row[0] if row and is_code(row[0]) else None


def _parent_sums(table: Table, header: _Header, counter: _Counter) -> Iterator[Finding]:
    columns = [j for j in header.amounts if j > 0]
    rows = table.rows
    for i, row in enumerate(rows):
        code = _code(row)
        if code is None or code_level(code) == 2:
            continue
        children = []
        for k in range(i + 1, len(rows)):
            child = _code(rows[k])
            if child is None or not child.startswith(code) or len(child) <= len(code):
                break  # the parent's block ends at the next row that is not below it
            if len(child) == len(code) + 2 and rows[k] != rows[k - 1]:  # a line printed twice counts once
                children.append(k)
        if not children:
            continue
        for j in columns:
            parts = [v for k in children if (v := _cell(rows[k], j)) is not None]
            yield from _compare_sum("parent_sum", table, header, i, j, parts, "下级科目之和", counter)


# ---------------------------------------------------------------- 合计 rows

def _is_total_row(table: Table, i: int) -> bool:
    row = table.rows[i]
    texts = [c for c in row if isinstance(c, str)]
    if any(is_total(c) for c in row[:3]):
        return len([c for c in texts if not is_total(c)]) == 0  # a two-sided 收支总表 row is not one
    # an unlabelled first row above coded rows (项目支出表: the 合计 cell left blank)
    return i == 0 and not texts and any(isinstance(c, Decimal) for c in row) and len(table.rows) > 1 \
        and _top_code(table.rows[1]) is not None


def _top_code(row: list) -> Optional[str]:
    """A 类/款/项, unit or project code in the first column (any digit string)."""
    first = row[0] if row else None
    return first if isinstance(first, str) and DIGITS.fullmatch(first) else None


def _total_rows(table: Table, header: _Header, counter: _Counter) -> Iterator[Finding]:
    """A 合计 row against the rows with the shortest code in its block (the rows up to the next 合计 row)."""
    rows = table.rows
    totals = [i for i in range(len(rows)) if _is_total_row(table, i)]
    for n, i in enumerate(totals):
        if i + 1 < len(rows) and (n + 1 == len(totals) or totals[n + 1] > i + 1):
            block = range(i + 1, totals[n + 1] if n + 1 < len(totals) else len(rows))  # total printed first
        else:
            block = range(totals[n - 1] + 1 if n else 0, i)  # total printed last
        coded = [k for k in block if _top_code(rows[k])]
        if not coded or any(_amount_row(rows[k]) for k in block if k < coded[0]):
            continue  # uncoded amounts before the first code: which rows are top-level is not clear
        shortest = min(len(_top_code(rows[k])) for k in coded)
        top = [k for k in coded if len(_top_code(rows[k])) == shortest]
        if not all(_amount_row(rows[k]) for k in top):
            continue  # a unit printed as a heading, its figures on the rows below it
        what = "各类之和" if all(is_code(_top_code(rows[k])) for k in top) and shortest == 3 else "各项之和"
        for j in [j for j in header.amounts if j > 0]:
            parts = [v for k in top if (v := _cell(rows[k], j)) is not None]
            yield from _compare_sum("total_row", table, header, i, j, parts, what, counter)


def _amount_row(row: list) -> bool:
    return any(isinstance(c, Decimal) for c in row)


# ---------------------------------------------------------------- 合计 columns

def _is_total_label(cell: object) -> bool:
    if not isinstance(cell, str):
        return False
    text = squash(cell)
    return is_total(cell) or (text.endswith(("合计", "总计")) and not text.startswith("其中"))


def _value_columns(header: list[list], r: int, start: int, end: int) -> Optional[list[int]]:
    """The columns whose sum is the value of the header group start..end in row r: the group's own 小计
    column if it has one, else its subgroups' values; None when that is not clear."""
    if start == end:
        return [start]
    if r + 1 >= len(header):
        return None
    if _is_total_label(header[r + 1][start]):
        return [start]
    columns = []
    c = start
    while c <= end:
        sub = _group_start(header, r + 1, c)
        label = header[r + 1][c] if sub == c else None
        if sub != c or squash(label).startswith("其中"):
            return None
        sub_end = min(_group_end(header, r + 1, c, end + 1), end)
        value = _value_columns(header, r + 1, c, sub_end)
        if value is None:
            return None
        columns += value
        c = sub_end + 1
    return columns


def _total_columns(header: list[list], width: int) -> Iterator[tuple[int, list[int]]]:
    """(total column, the columns it is the sum of) for each 合计/小计 column the header makes clear: the
    other groups of the same parent, to its right."""
    for r, labels in enumerate(header):
        for c, cell in enumerate(labels):
            if not _is_total_label(cell) or _group_end(header, r, c, width) != c:
                continue
            parent_start = _group_start(header, r - 1, c) if r else 0
            if parent_start is None:
                continue
            parent_end = _group_end(header, r - 1, parent_start, width) if r else width - 1
            parts, k = [], c + 1
            while k <= parent_end:
                label = labels[k] if k < len(labels) else None
                if not isinstance(label, str) or squash(label).startswith("其中"):
                    parts = None  # an unnamed column or a 其中 (part of a part): not clear
                    break
                end = _group_end(header, r, k, parent_end + 1)
                value = _value_columns(header, r, k, min(end, parent_end))
                if value is None:
                    parts = None
                    break
                parts += value
                k = end + 1
            if parts and "三公" in squash(cell):  # 三公经费合计 beside 会议费, 培训费: only the three
                parts = [j for j in parts if any(w in "".join(header.name(j)) for w in SANGONG_WORDS)]
            if parts:
                yield c, parts


def _row_totals(table: Table, header: _Header, counter: _Counter) -> Iterator[Finding]:
    if not header:
        return
    width = max(len(h) for h in header)
    amounts = set(header.amounts)
    for total, parts in _total_columns(header, width):
        if total not in amounts:
            continue
        names = "+".join(header.name(j).split(" ")[-1] for j in parts)
        for i, row in enumerate(table.rows):
            values = [v for j in parts if (v := _cell(row, j)) is not None]
            yield from _compare_sum("row_total", table, header, i, total, values, f"{names} 之和", counter)


# ---------------------------------------------------------------- 收支总表

def _sides(table: Table) -> list[tuple[int, int]]:
    """(label column, amount column) of each side of a two-sided 收支总表, found from its 总计 row."""
    for row in reversed(table.rows):
        sides = [(k, k + 1) for k, c in enumerate(row[:-1])
                 if isinstance(c, str) and squash(c) in INCOME_LABELS + SPENDING_LABELS]
        if len(sides) == 2:
            return sides
    return []


def _two_sided_totals(table: Table, counter: _Counter) -> Iterator[Finding]:
    """In a 收支总表: 本年收入合计 = its numbered items, 收入总计 = 本年收入合计 + the rows after it (上年结转 …),
    on both sides; and 收入总计 = 支出总计."""
    sides = _sides(table)
    if not sides:
        return
    rows = table.rows
    grand = []
    for label, value in sides:
        labels = [squash(r[label]) if isinstance(r[label], str) else "" for r in rows]
        grand_rows = [i for i, text in enumerate(labels) if text in ("收入总计", "支出总计")]
        grand_row = grand_rows[-1] if grand_rows else None
        grand.append(grand_row)
        year_row = next((i for i, text in enumerate(labels) if text in ("本年收入合计", "本年支出合计")), None)
        if year_row is None or grand_row is None or year_row > grand_row:
            continue
        numbered = [i for i in range(year_row) if NUMBERED_ITEM.match(labels[i])]
        if not numbered:
            continue  # items printed without 一、二、: which lines are items and which their parts is not clear
        items = [v for i in numbered if (v := _cell(rows[i], value)) is not None]
        yield from _side_sum(table, year_row, value, items, "各项之和", counter)
        after = [v for i in range(year_row, grand_row) if (v := _cell(rows[i], value)) is not None]
        yield from _side_sum(table, grand_row, value, after, f"{labels[year_row]}与结转之和", counter)
    if None not in grand:
        (income_row, spending_row), (_, income), (_, spending) = grand, *sides
        yield from _cross(table, income_row, income, table, spending_row, spending, counter)


def _side_sum(table: Table, row: int, column: int, parts: list[Decimal], what: str,
              counter: _Counter) -> Iterator[Finding]:
    """A total of one side of a 收支总表, named by the label printed left of it."""
    name = squash(table.rows[row][column - 1])
    yield from _sum_check("total_row", table, row, column, parts, what, counter, name, name)


# ---------------------------------------------------------------- across tables

def _title(table: Table) -> str:
    return squash(table.title)


def _find(tables: list[Table], match) -> Optional[Table]:
    return next((t for t in tables if t.kind == "data" and t.rows and match(_title(t))), None)


def _cross_tables(tables: list[Table], counter: _Counter) -> Iterator[Finding]:
    summary = _find(tables, lambda t: re.search(r"收支.*总(?:体情况)?表", t) and "财政拨款" not in t)
    spending = _find(tables, lambda t: re.search(r"支出(?:预算)?总(?:体情况)?表", t) and "收支" not in t)
    general = _find(tables, lambda t: "一般公共预算支出" in t and not re.search("基本|三公|项目|单位", t))
    basic = _find(tables, lambda t: "一般公共预算基本支出" in t)
    sangong = _find(tables, lambda t: "三公" in t)
    projects = _find(tables, lambda t: re.search(r"项目支出(?:预算)?表$", t) is not None)

    spending_total = _total_cell(spending, "合计", "总计") if spending else None
    if summary and spending_total:
        year_spending = _labelled_amount(summary, ("本年支出合计",))
        if year_spending:
            yield from _cross(summary, *year_spending, spending, *spending_total, counter)
    if summary and general and not _carried_over(summary):
        income = _labelled_amount(summary, ("一、一般公共预算拨款收入", "一般公共预算拨款收入"))
        general_total = _total_cell(general, "合计", "总计")
        if income and general_total:
            yield from _cross(summary, *income, general, *general_total, counter)
    if projects and spending:
        project_total = _total_cell(projects, "合计", "总计")
        spending_projects = _total_cell(spending, "项目支出")
        if project_total and spending_projects:
            yield from _cross(projects, *project_total, spending, *spending_projects, counter)
    if sangong and basic:
        yield from _sangong(sangong, basic, counter)


def _total_cell(table: Table, *names: str) -> Optional[tuple[int, int]]:
    """(row, column) of the table's 合计 row under the first column named ``names``."""
    header = _Header(table)
    width = max(len(r) for r in table.rows)
    column = next((j for j in range(width) if header.name(j).split(" ")[-1] in names), None)
    row = next((i for i in range(len(table.rows)) if _is_total_row(table, i)), None)
    if column is None or row is None or _cell(table.rows[row], column) is None:
        return None
    return row, column


def _labelled_amount(table: Table, labels: tuple[str, ...]) -> Optional[tuple[int, int]]:
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row[:-1]):
            if isinstance(cell, str) and squash(cell) in labels and isinstance(row[j + 1], Decimal):
                return i, j + 1
    return None


def _carried_over(summary: Table) -> bool:
    """Whether the 收支总表 shows money carried over from last year (then its income is not the year's spending)."""
    found = _labelled_amount(summary, ("上年结转结余", "上年结转", "二、上年结转"))
    return found is None or _cell(summary.rows[found[0]], found[1]) != 0


def _cross(a: Table, a_row: int, a_col: int, b: Table, b_row: int, b_col: int,
           counter: _Counter) -> Iterator[Finding]:
    """The figure at (a_row, a_col) of table a against the figure b prints for the same thing."""
    printed, other = _cell(a.rows[a_row], a_col), _cell(b.rows[b_row], b_col)
    if printed is None or other is None or not a.unit or not b.unit:
        return
    computed = convert(other, b.unit, a.unit)  # exact: a power of ten
    if computed is None:
        return
    counter.n += 1
    place = max(_quantum(printed), convert(_quantum(other), b.unit, a.unit))
    difference = abs(printed - computed)
    if not difference:
        return
    severity = "rounding" if difference <= place / 2 else "error"
    a_name = f"{_table_name(a)} {_where(a, a_row, a_col)}"
    b_name = f"{_table_name(b)} {_where(b, b_row, b_col)}"
    converted = f"（{amount(other)} {b.unit}）" if b.unit != a.unit else ""
    yield _finding("cross_table", severity, a, a_row, a_col, _where(a, a_row, a_col), printed, computed,
                   f"{a_name} {amount(printed)} {a.unit} ≠ {b_name} {amount(computed.normalize())} {a.unit}"
                   f"{converted}{_difference_note(printed, computed, severity)}")


def _where(table: Table, row: int, column: int) -> str:
    cells = table.rows[row]
    if column and isinstance(cells[column - 1], str) and not DIGITS.fullmatch(cells[column - 1]):
        return squash(cells[column - 1])  # a label printed beside its figure (收支总表)
    name = _row_label(cells)
    col = _Header(table).name(column)
    return f"{name} · {col}" if name else col


SANGONG = (("因公出国",), ("公务用车运行",), ("公务接待",))
SANGONG_WORDS = ("因公出国", "公务用车", "公务接待")


def _sangong(sangong: Table, basic: Table, counter: _Counter) -> Iterator[Finding]:
    """The 三公 table's 出国 / 公务用车运行 / 公务接待 figures against the same lines of the 基本支出表."""
    header = _Header(sangong)
    data = [i for i, row in enumerate(sangong.rows) if _amount_row(row)]
    basic_total = _total_cell(basic, "合计")
    if len(data) != 1 or not basic_total:
        return  # a 三公 table per unit or per year: which row is the department's is not clear
    width = max(len(r) for r in sangong.rows)
    for words in SANGONG:
        column = next((j for j in range(width) if any(w in header.name(j).split(" ")[-1] for w in words)
                       and "购置" not in header.name(j).split(" ")[-1]), None)
        line = next((i for i, row in enumerate(basic.rows)
                     if any(isinstance(c, str) and any(w in squash(c) for w in words) for c in row[:2])), None)
        if column is not None and line is not None:
            yield from _cross(sangong, data[0], column, basic, line, basic_total[1], counter)


# ---------------------------------------------------------------- 专项绩效自评报告

def _check_evaluation(evaluation: Evaluation, counter: _Counter) -> Iterator[Finding]:
    budget, actual, rate = evaluation.budget, evaluation.actual, evaluation.completion_rate
    if not budget or actual is None or rate is None:
        return
    misprint = _misprinted(evaluation, budget)
    if misprint:
        implied = (actual * 100 / rate).quantize(_quantum(budget), ROUND_HALF_UP)
        yield Finding("unreadable_amount", "error", None, None, None, f"{evaluation.project} · 预算数", budget,
                      implied, evaluation.unit, evaluation.page,
                      f"{evaluation.project} 的预算数印作“{misprint}”，不是有效数字；按实际支出 {amount(actual)} "
                      f"与预算完成率 {rate}% 推算约为 {amount(implied)}（读作 {amount(budget)}）")
    counter.n += 1
    computed = (actual * 100 / budget).quantize(_quantum(rate), ROUND_HALF_UP)
    if computed == rate:
        return
    # the printed rate is rounding if some budget and actual that print as printed give it
    half_rate, half_b, half_a = _quantum(rate) / 2, _quantum(budget) / 2, _quantum(actual) / 2
    low = (actual - half_a) * 100 / (budget + half_b)
    high = (actual + half_a) * 100 / (budget - half_b) if budget > half_b else rate
    severity = "rounding" if low - half_rate <= rate <= high + half_rate else "error"
    yield Finding("completion_rate", severity, None, None, None, f"{evaluation.project} · 预算完成率", rate,
                  computed, "%", evaluation.page,
                  f"{evaluation.project} 的预算完成率印为 {rate}%，按实际支出 {amount(actual)} ÷ 预算 "
                  f"{amount(budget)} 计算为 {computed}%{_difference_note(rate, computed, severity)}")


def _misprinted(evaluation: Evaluation, budget: Decimal) -> Optional[str]:
    """The budget as printed when the report typed a comma for its decimal point ("1,202,32")."""
    text = amount(budget)
    if "." not in text:
        return None
    typo = text[::-1].replace(".", ",", 1)[::-1]
    pattern = re.compile(rf"(?<![\d,.]){re.escape(typo)}(?![\d,.])")
    for section in evaluation.sections:
        for paragraph in section.paragraphs:
            if pattern.search(paragraph):
                return typo
    return None
