"""Tables: runs of rows, their title/label/unit lines, header rows, typed cells, page continuations.

A table is a run of rows (blank lines inside are page breaks). The text lines just above it give its
title, its label (附表5, 表1, 预算08表, 公开01表), its unit (单位：万元) and the department line; the line
just below may say it is empty (此表为空表) or carry a 备注. A run whose title and header repeat the
previous table's is the same table continued on the next page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..model import Cell, Table
from .lines import Line
from .numbers import parse_amount
from .text import squash

LABEL = re.compile(r"^(?:附表\s*\d+(?:-\d+)?|表\s*\d+(?:-\d+)?|预算\s*\d+\s*表|公开\s*\d+\s*表|附件\s*[\d一二三四五六七八九十]+)$")
UNIT = re.compile(r"^(?:金额)?单位\s*[:：]\s*(万元|元|千元|亿元)\s*$")
DEPARTMENT_LINE = re.compile(r"^(?:部门\s*/\s*单位|单位名称|部门名称|单位)\s*[:：]\s*(.*)$")
DATE_LINE = re.compile(r"^(?:申报|填报|编制)日期\s*[:：]")
EMPTY_NOTE = re.compile(r"此表为空表|为空表|本(?:单位|部门)?(?:没有|无|未)|^注\s*[:：].*无|^无.{0,30}(?:支出|收入|数据|安排)")
NOTE = re.compile(r"^(?:备注|注|说明)\s*[:：]")
PERCENT = re.compile(r"^[<>≥≤＞＜]?\s*[+-]?\d+(?:\.\d+)?\s*%$")
CODE = re.compile(r"^\d{3,}[A-Z0-9]*$")
YEAR = re.compile(r"^(?:19|20)\d{2}\s*年?$")
MEASURE = re.compile(r"^[<>≥≤＞＜]?\s*\d+(?:\.\d+)?\s*[%\u4e00-\u9fff]{1,4}$")  # 6人, ≥13家, 25人次: a value, not a header
ID_HINT = re.compile(r"编码|代码|编号|电话|邮编|邮政|年度|日期|序号|号码|行次|栏次")
FORM_FIRST_CELLS = ("项目名称", "部门名称", "部门(单位)名称", "单位名称")
MAX_HEADER_ROWS = 4
MAX_COLUMNS = 100  # budget tables have a few dozen at most; more is a broken line, not columns
MAX_TITLE_LENGTH = 60
WRAPPED_FRAGMENT_LENGTH = 10


@dataclass
class _Run:
    rows: list[Line]
    start: int  # index in the line list of the first row
    end: int  # index after the last row
    title: Optional[str] = None
    title_line: Optional[int] = None
    label: Optional[str] = None
    unit: Optional[str] = None


def find_runs(lines: list[Line]) -> list[_Run]:
    """Consecutive rows, blank lines allowed between them."""
    runs, i = [], 0
    while i < len(lines):
        if not lines[i].is_row:
            i += 1
            continue
        start, rows, j = i, [], i
        while j < len(lines) and (lines[j].is_row or lines[j].blank):
            if lines[j].is_row and rows and _is_meta_row(lines[j].cells) and not _is_meta_row(rows[-1].cells):
                break  # a label/title/unit row opens the next table
            if lines[j].is_row:
                rows.append(lines[j])
                end = j + 1
            j += 1
        runs.append(_Run(rows=rows, start=start, end=end))
        i = end
    return runs


def _is_title(text: str) -> bool:
    return 0 < len(text) <= MAX_TITLE_LENGTH and not text.endswith(("。", "；", "，", ",", ";"))


def _take_meta(run: _Run, text: str) -> bool:
    """Record ``text`` as the run's label or unit, or pass over a department or date line; False if it is none of these."""
    if LABEL.match(text):
        run.label = run.label or re.sub(r"\s+", "", text)
    elif m := UNIT.match(text):
        run.unit = run.unit or m.group(1)
    elif not (DEPARTMENT_LINE.match(text) or DATE_LINE.match(text)):
        return False
    return True


def attach_meta(run: _Run, lines: list[Line], floor: int, consumed: set[int]) -> None:
    """Read title, label, unit and department lines above the run (down to index ``floor``)."""
    i = run.start - 1
    while i >= floor and (lines[i].blank or not lines[i].is_row):
        line = lines[i]
        if line.blank:
            i -= 1
            continue
        if _take_meta(run, line.text):
            consumed.add(i)
        elif run.title is None and _is_title(line.text) and not re.match(r"^第[一二三四五六七八九十]+部分", line.text):
            run.title, run.title_line = line.text, line.no
            consumed.add(i)
            # a label printed above the title still belongs to this table
            k = i - 1
            while k >= floor and lines[k].blank:
                k -= 1
            if k >= floor and not lines[k].is_row and LABEL.match(lines[k].text):
                _take_meta(run, lines[k].text)
                consumed.add(k)
            break
        else:
            break
        i -= 1
    _take_meta_rows(run)


def _is_meta_row(cells: list[str]) -> bool:
    """A row carrying a table's label, unit or department line, or only its title (年度绩效目标表)."""
    filled = [c for c in cells if c]
    if len(filled) == 1 and cells[0] and len(cells[0]) <= 30 and cells[0].endswith("表"):
        return True
    return 0 < len(filled) <= 3 and any(LABEL.match(c) or UNIT.match(c) or DEPARTMENT_LINE.match(c) for c in filled)


def _take_meta_rows(run: _Run) -> None:
    """Rows at the top of a run that only carry the label, title and unit (a title set in the grid)."""
    while run.rows and _is_meta_row(run.rows[0].cells):
        for cell in (c for c in run.rows[0].cells if c):
            if not _take_meta(run, cell) and run.title is None:
                run.title, run.title_line = cell, run.rows[0].no
        run.rows.pop(0)


def _is_value(cell: str) -> bool:
    return bool(cell) and (parse_amount(cell) is not None or bool(PERCENT.match(cell))) and not YEAR.match(cell)


def _is_column_numbers(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 3 and all(c.isdigit() for c in filled) and [int(c) for c in filled] == list(range(1, len(filled) + 1))


def _is_form(rows: list[list[str]]) -> bool:
    return bool(rows) and squash(rows[0][0]) in {squash(c) for c in FORM_FIRST_CELLS}


def split_header(rows: list[list[str]]) -> int:
    """How many of the leading rows are header rows."""
    if not rows or _is_form(rows):
        return 0
    count = 0
    for i, cells in enumerate(rows[:MAX_HEADER_ROWS]):
        if _is_column_numbers(cells):
            count = i + 1
            continue
        if any(_is_value(c) or (MEASURE.match(c) and not YEAR.match(c)) for c in cells) or (cells and CODE.match(cells[0])):
            break
        if i == 0:
            count = 1
            continue
        previous = rows[i - 1]
        spans = any(not c for c in previous[1:]) and any(previous)
        # under a header that already left its first cell empty, a filled first cell starts the data
        if count == i and (not cells[0] or (spans and previous[0])):
            count = i + 1
        else:
            break
    return count


def _trim(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _id_columns(header: list[list[str]]) -> set[int]:
    columns = set()
    for row in header:
        for index, cell in enumerate(row):
            if cell and ID_HINT.search(cell):
                columns.add(index)
    return columns


def _typed(cells: list[str], id_columns: set[int], form: bool) -> list[Cell]:
    out: list[Cell] = []
    for index, cell in enumerate(cells):
        if not cell:
            out.append(None)
            continue
        label = cells[index - 1] if form and index > 0 else ""
        amount = parse_amount(cell)
        is_id = index in id_columns or bool(label and ID_HINT.search(label))
        out.append(amount if amount is not None and not is_id else cell)
    return out


def _merge_wrapped(rows: list[Line], warnings: list[str]) -> list[Line]:
    """Rejoin cells that a page break wrapped onto a row of their own (short fragments under filled cells)."""
    merged: list[Line] = []
    last_no = 0  # line of the previous raw row: only a row after a blank line (a page break) can be a wrap
    for row in rows:
        previous = merged[-1] if merged else None
        filled = [i for i, c in enumerate(row.cells) if c]
        after_break, last_no = row.no - last_no > 1, row.no
        if (previous is not None and after_break and not row.cells[0] and filled
                and all(i < len(previous.cells) and previous.cells[i] for i in filled)
                and all(len(row.cells[i]) <= WRAPPED_FRAGMENT_LENGTH and not _is_value(row.cells[i]) for i in filled)):
            cells = list(previous.cells)
            for i in filled:
                cells[i] = cells[i] + row.cells[i]
            merged[-1] = Line(previous.no, previous.text, cells=cells)
            warnings.append(f"line {row.no}: joined cells wrapped over a page break onto the row at line {previous.no}; check them")
            continue
        merged.append(row)
    return merged


def _capped(cells: list[str], line: int, warnings: list[str]) -> list[str]:
    """At most MAX_COLUMNS cells: the rest are kept, joined by tabs into the last cell (not a real table)."""
    if len(cells) <= MAX_COLUMNS:
        return cells
    warnings.append(f"line {line}: row has {len(cells)} cells; the cells after the {MAX_COLUMNS}th are kept "
                    "joined in the last one")
    return cells[:MAX_COLUMNS - 1] + ["\t".join(cells[MAX_COLUMNS - 1:])]


def build_table(run: _Run, index: int, warnings: list[str]) -> Table:
    rows = _merge_wrapped(run.rows, warnings)
    texts = [_capped(_trim(r.cells), r.no, warnings) for r in rows]
    form = _is_form(texts)
    header_count = split_header(texts)
    header, body = texts[:header_count], texts[header_count:]
    width = max((len(r) for r in texts), default=0)
    header_width = min(max((len(r.cells) for r in rows[:header_count]), default=0), MAX_COLUMNS)
    for row, cells in zip(rows[header_count:], body):
        if header_width and len(cells) > header_width:
            warnings.append(f"line {row.no}: row has {len(cells)} cells but the table's header has {header_width}; "
                            f"the extra cells are kept in extra columns")
    id_columns = _id_columns(header)
    title = run.title or _fallback_title(run)
    if run.title is None:
        warnings.append(f"line {run.rows[0].no if run.rows else run.start + 1}: table without a title line; called it '{title}'")
    kind = "form" if form else "performance" if "绩效" in title else "data"
    return Table(
        id=f"t{index:02d}", title=title, unit=run.unit, line=run.title_line or (run.rows[0].no if run.rows else 1),
        header=[_pad(list(r), width) for r in header],
        rows=[_pad(_typed(r, id_columns, form), width) for r in body],
        label=run.label, kind=kind, empty=not body,
    )


def _fallback_title(run: _Run) -> str:
    first = next((c for c in (run.rows[0].cells if run.rows else []) if c), "")
    return first[:MAX_TITLE_LENGTH] if first else "表格"


def _pad(cells: list, width: int) -> list:
    return [c if c != "" else None for c in cells] + [None] * (width - len(cells))


def attach_after(table: Table, lines: list[Line], start: int, consumed: set[int]) -> None:
    """An empty-table statement or 备注 printed just below the table."""
    i, seen = start, 0
    while i < len(lines) and seen < 2:
        line = lines[i]
        i += 1
        if line.blank:
            continue
        if line.is_row or len(line.text) > 120:
            return
        seen += 1
        if EMPTY_NOTE.search(line.text) and len(line.text) <= 60 and not table.rows:
            table.empty, table.note = True, line.text
        elif NOTE.match(line.text):
            table.notes.append(line.text)
        else:
            return
        consumed.add(i - 1)


def same_table(previous: Table, table: Table) -> bool:
    """A page continuation: same title and the same non-empty header printed again."""
    return (bool(table.header) and squash(previous.title) == squash(table.title)
            and [list(map(_key, r)) for r in previous.header] == [list(map(_key, r)) for r in table.header]
            and previous.unit in (table.unit, None) and table.label in (None, previous.label))


def _key(cell: Cell) -> str:
    return squash(str(cell)) if cell is not None else ""


def extract_tables(lines: list[Line], warnings: list[str]) -> tuple[list[Table], set[int]]:
    """Every table in the document, page continuations merged; and the indexes of lines they used."""
    consumed: set[int] = set()
    tables: list[Table] = []
    floor = 0
    for run in find_runs(lines):
        attach_meta(run, lines, floor, consumed)
        table = build_table(run, len(tables) + 1, warnings)
        attach_after(table, lines, run.end, consumed)
        floor = run.end
        if tables and same_table(tables[-1], table):
            previous = tables[-1]
            previous.rows.extend(table.rows)
            previous.continued_at.append(table.line)
            previous.empty = previous.empty and table.empty
            previous.notes.extend(table.notes)
        else:
            tables.append(table)
        consumed.update(range(run.start, run.end))
    return tables, consumed

