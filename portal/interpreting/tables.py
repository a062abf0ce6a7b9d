"""Tables: runs of rows, their title/label/unit lines, header rows, typed cells, page continuations.

A table is a run of rows (blank lines inside are page breaks). The text lines just above it give its
title, its label (附表5, 表1, 预算08表, 公开01表), its unit (单位：万元) and the department line; the line
just below may say it is empty (此表为空表) or carry a 备注. A run whose title and header repeat the
previous table's is the same table continued on the next page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..model import Cell, Table
from ..reading.extract import Line
from .metadata import ORGANISATION
from .sections import heading_level
from ..numbers import parse_amount
from ..cleaning import squash
from ..vocabulary import is_column_numbers

# A table's number as the national templates print it: 附表5, 表1, 表1-1, 预算08表, 预算表 11, 公开01表, 部门预算表3 …
_NUMBER = r"[\d一二三四五六七八九十]+(?:\s*[-—－]\s*\d+)?"
_LABEL = rf"(?:附表|(?:部门|单位)?(?:预算|决算|公开)?表)\s*{_NUMBER}|(?:预算|决算|公开|收支)\s*{_NUMBER}\s*表|附件\s*{_NUMBER}"
LABEL = re.compile(rf"^(?:{_LABEL})$")
# "表1：2026年…收支预算总表", "公开01表 部门收支总表", "收支总表（预算表 1）"
LABELLED_TITLE = re.compile(rf"^(?P<label>{_LABEL})(?:\s*[:：、.．]\s*|\s+|(?=[^\d一二三四五六七八九十\s—－-]))(?P<title>\S.*)$|^(?P<title2>.+?)\s*[（(]\s*(?P<label2>{_LABEL})\s*[）)]$")
UNIT = re.compile(r"^(?:金额)?单位\s*[:：]\s*(万元|元|千元|亿元)\s*$")
# "部门名称：杭州市气象局 单位：万元", "341-湖州市财政局 万元"
UNIT_AT_END = re.compile(r"(?:(?:金额)?单位\s*[:：]\s*|(?<=\s)|^)(万元|元|千元|亿元)\s*$")
BARE_UNIT = re.compile(r"(万元|元|千元|亿元)$")
DEPARTMENT_LINE = re.compile(r"^(?:部门\s*/\s*单位|部门\s*[（(]单位[）)](?:名称)?|单位名称|部门名称|预算单位|编制单位|填报单位|"
                             r"部门|单位)\s*[:：]\s*(.*)$")
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
MAX_NUMBERED_HEADER_ROWS = 10
HEADER_FRAGMENT_LENGTH = 24  # a header closed by a row of column numbers (1 2 3 …) may be this deep
MAX_COLUMNS = 100  # budget tables have a few dozen at most; more is a broken line, not columns
MAX_TITLE_LENGTH = 60
MAX_LABEL_LENGTH = 12  # a form cell this short can be the label of the value beside it
WRAPPED_FRAGMENT_LENGTH = 10
PART_HEADING = re.compile(r"^第[一二三四五六七八九十]+部分")
# How a table's title ends: …表, …表（按功能分类科目）, …表(预算表 1).
TITLE_LIKE = re.compile(r"表\s*(?:[（(][^（()）]{1,20}[）)])?$")
HEADING_NUMBER = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+\s*[、.．])\s*")
SUBTITLE = re.compile(r"^[（(][^（()）]{1,20}[）)]$")  # printed under a title: （2023年度）
WRAPPED_TITLE_END = 4  # a title line this short is the end of a title wrapped from the line above


@dataclass
class _Run:
    rows: list[Line]
    start: int  # index in the line list of the first row
    end: int  # index after the last row
    title: Optional[str] = None
    title_line: Optional[int] = None
    label: Optional[str] = None
    unit: Optional[str] = None
    title_page: Optional[int] = None
    empty: bool = False  # the document says so under it
    note: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    header_lines: list[Line] = field(default_factory=list)  # header text between the title and the rows


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
    return 0 < len(text) <= MAX_TITLE_LENGTH and not text.endswith(("。", "；", "，", ",", ";", ":", "："))


def _take_meta(run: _Run, text: str) -> bool:
    """Record ``text`` as the run's label or unit, or pass over a department or date line; False if it is none of these."""
    if LABEL.match(text):
        run.label = run.label or re.sub(r"\s+", "", text)
    elif m := UNIT.match(text):
        run.unit = run.unit or m.group(1)
    elif DEPARTMENT_LINE.match(text) or DATE_LINE.match(text):
        if m := UNIT_AT_END.search(text):
            run.unit = run.unit or m.group(1)
    elif ((m := UNIT_AT_END.search(text)) and "表" not in text[:m.start()]) or (
            (m := BARE_UNIT.search(text)) and ORGANISATION.search(text[:m.start()])):
        run.unit = run.unit or m.group(1)  # "341-湖州市财政局 单位：万元", "341-湖州市财政局万元": department and unit
    else:
        return False
    return True


def _set_title(run: _Run, line: Line, text: str) -> None:
    """The title, with a label printed in it (表1：…, …（预算表 1）) taken out into the label, and a unit
    printed after it (…收支总表 单位：万元) into the unit."""
    if m := UNIT_AT_END.search(text):
        run.unit = run.unit or m.group(1)
        text = text[:m.start()].strip()
    if m := LABELLED_TITLE.match(text):
        label, text = (m.group("label"), m.group("title")) if m.group("label") else (m.group("label2"), m.group("title2"))
        run.label = run.label or re.sub(r"\s+", "", label)
    run.title, run.title_line, run.title_page = text, line.no, line.page


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
        elif run.title is None and not PART_HEADING.match(line.text) and (
                _is_title(line.text) or (len(line.text) <= HEADER_FRAGMENT_LENGTH and _title_above(lines, i, floor))):
            i = _take_title(run, lines, i, floor, consumed)
            # a label printed above the title still belongs to this table
            k = _above(lines, i, floor)
            if k is not None and LABEL.match(lines[k].text):
                _take_meta(run, lines[k].text)
                consumed.add(k)
            break
        else:
            if run.title is None and line.text.endswith((":", "：")):
                _title_from_heading(run, lines, i, floor)  # "…绩效目标情况如下：" under a heading
            break
        i -= 1
    _take_meta_rows(run)


def _title_from_heading(run: _Run, lines: list[Line], i: int, floor: int) -> None:
    """A table printed without a caption, introduced by a sentence under a numbered heading
    (七、重点项目预算绩效目标情况): the heading, without its number, names it."""
    k = _above(lines, i, floor)
    if k is not None and heading_level(lines[k]) in (2, 3):
        run.title = HEADING_NUMBER.sub("", lines[k].text)
        run.title_line, run.title_page = lines[k].no, lines[k].page


def _above(lines: list[Line], i: int, floor: int) -> Optional[int]:
    """The nearest text line above index ``i`` (blank lines skipped), if no row comes first."""
    k = i - 1
    while k >= floor and lines[k].blank:
        k -= 1
    return k if k >= floor and not lines[k].is_row else None


def _title_above(lines: list[Line], i: int, floor: int) -> Optional[int]:
    """A line that reads like a table's title (…表) a few text lines above ``i``, over header fragments."""
    k, seen = i, 0
    while seen < MAX_HEADER_ROWS and (k := _above(lines, k, floor)) is not None:
        if TITLE_LIKE.search(lines[k].text) and _is_title(lines[k].text):
            return k
        if PART_HEADING.match(lines[k].text) or len(lines[k].text) > MAX_TITLE_LENGTH:
            return None
        seen += 1
    return None


def _take_title(run: _Run, lines: list[Line], i: int, floor: int, consumed: set[int]) -> int:
    """Set the run's title from the line at ``i``; return the index of the title's first line.

    When that line does not read like a table's title but one a few lines up does (``…收支总表``), the
    lines between are header lines that were not set out in columns (``pdftotext -layout``): they are
    kept as header rows."""
    text, first = lines[i].text, i
    if not TITLE_LIKE.search(text) and (k := _title_above(lines, i, floor)) is not None:
        fragments = [n for n in range(k + 1, i + 1) if not lines[n].blank]
        for n in fragments:
            if _take_meta(run, lines[n].text):
                consumed.add(n)
        subtitle = [lines[n].text for n in fragments if n not in consumed and SUBTITLE.match(lines[n].text)]
        run.header_lines = [lines[n] for n in fragments if n not in consumed and not SUBTITLE.match(lines[n].text)]
        consumed.update(fragments)
        text, first = lines[k].text + "".join(subtitle), k  # "…自评表" over "（2023年度）"
    k = _above(lines, first, floor)
    if (len(text) <= WRAPPED_TITLE_END and k is not None and len(lines[k].text) >= 10
            and not LABEL.match(lines[k].text) and _is_title(lines[k].text + text)):
        text, first = lines[k].text + text, k  # a title wrapped over two lines ("…绩效目" / "标表")
        consumed.add(k)
    _set_title(run, lines[first], text)
    consumed.add(first)
    return first


def _is_meta_row(cells: list[str]) -> bool:
    """A row carrying a table's label, unit or department line, or only its title (年度绩效目标表)."""
    filled = [c for c in cells if c]
    if len(filled) == 1 and cells[0] and len(cells[0]) <= MAX_TITLE_LENGTH and (
            cells[0].endswith("表") or LABELLED_TITLE.match(cells[0])):
        return True
    return 0 < len(filled) <= 3 and any(LABEL.match(c) or UNIT.match(c) or DEPARTMENT_LINE.match(c) for c in filled)


def _take_meta_rows(run: _Run) -> None:
    """Rows at the top of a run that only carry the label, title and unit (a title set in the grid)."""
    while run.rows and _is_meta_row(run.rows[0].cells):
        for cell in (c for c in run.rows[0].cells if c):
            if not _take_meta(run, cell) and run.title is None:
                _set_title(run, run.rows[0], cell)
        run.rows.pop(0)


def _is_value(cell: str) -> bool:
    return bool(cell) and (parse_amount(cell) is not None or bool(PERCENT.match(cell))) and not YEAR.match(cell)


def _is_form(rows: list[list[str]]) -> bool:
    return bool(rows) and squash(rows[0][0]) in {squash(c) for c in FORM_FIRST_CELLS}


def _is_data(cells: list[str]) -> bool:
    """A row of data, not of header: it carries an amount, a measure (6人, ≥13家) or starts with a code."""
    return any(_is_value(c) or (MEASURE.match(c) and not YEAR.match(c)) for c in cells) or bool(cells and CODE.match(cells[0]))


def split_header(rows: list[list[str]]) -> int:
    """How many of the leading rows are header rows."""
    if not rows or _is_form(rows):
        return 0
    numbered = next((i for i, cells in enumerate(rows[:MAX_NUMBERED_HEADER_ROWS]) if is_column_numbers(cells)), None)
    if numbered is not None and not any(_is_value(c) for cells in rows[:numbered] for c in cells):
        return numbered + 1  # everything down to the row numbering the columns is header
    first_values = next((i for i, cells in enumerate(rows[:MAX_NUMBERED_HEADER_ROWS]) if _is_data(cells)), None)
    if first_values and first_values > MAX_HEADER_ROWS and all(
            len(c) <= HEADER_FRAGMENT_LENGTH for cells in rows[:first_values] for c in cells):
        return first_values  # a deep header of short words over the first amounts (pdftotext -layout)
    count = 0
    for i, cells in enumerate(rows[:MAX_HEADER_ROWS]):
        if is_column_numbers(cells):
            count = i + 1
            continue
        if _is_data(cells):
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
        label = cells[index - 1] if form and index > 0 and len(cells[index - 1]) <= MAX_LABEL_LENGTH else ""
        amount = parse_amount(cell)
        is_id = index in id_columns or bool(label and ID_HINT.search(label)) or (index == 0 and bool(CODE.match(cell)))
        out.append(amount if amount is not None and not is_id else cell)
    return out


def _after_break(row: Line, previous: Line) -> bool:
    """A page break (or, in text, a blank line) between two rows."""
    return row.page != previous.page or row.no - previous.no > 1


def _merge_wrapped(rows: list[Line], warnings: list[str]) -> list[Line]:
    """Rejoin a row that a page break cut in two: short fragments under filled cells, or a row whose
    leading amount column is empty and whose filled cells (a number among them) continue the row above."""
    merged: list[Line] = []
    lead = _lead_column(rows)
    for k, row in enumerate(rows):
        previous = merged[-1] if merged else None
        filled = [i for i, c in enumerate(row.cells) if c]
        if (previous is not None and filled and _after_break(row, rows[k - 1])
                and all(i < len(previous.cells) and previous.cells[i] for i in filled)
                and (_fragments(row, filled) or _cut_row(row, previous, filled, lead))):
            cells = list(previous.cells)
            for i in filled:
                cells[i] = cells[i] + row.cells[i]
            merged[-1] = Line(previous.no, " ".join(c for c in cells if c), cells=cells, page=previous.page)
            warnings.append(f"{row.where}: joined cells cut by a page break onto the row above ({previous.where}); "
                            "check them")
            continue
        merged.append(row)
    return merged


def _fragments(row: Line, filled: list[int]) -> bool:
    return not row.cells[0] and all(len(row.cells[i]) <= WRAPPED_FRAGMENT_LENGTH and not _is_value(row.cells[i])
                                    for i in filled)


def _lead_column(rows: list[Line]) -> Optional[int]:
    """The first amount column that (nearly) every row fills: a 合计 or 总计 column."""
    values = [r for r in rows if any(_is_value(c) for c in r.cells)]
    if len(values) < 3:
        return None
    width = max(len(r.cells) for r in values)
    for i in range(1, width):
        if sum(i < len(r.cells) and _is_value(r.cells[i]) for r in values) >= 0.9 * len(values):
            return i
    return None


def _cut_row(row: Line, previous: Line, filled: list[int], lead: Optional[int]) -> bool:
    return (lead is not None and lead not in filled and any(_is_value(row.cells[i]) for i in filled if i > 0) and lead < len(previous.cells) and bool(previous.cells[lead])
            and not CODE.match(row.cells[0] or "") and len(filled) < sum(bool(c) for c in previous.cells))


def _drop_repeated_header(rows: list[Line], header_count: int) -> tuple[list[Line], list[int]]:
    """Body rows without the header rows printed again after a page break; and the lines where that happened."""
    header = [_row_key(r.cells) for r in rows[:header_count]]
    if not header:
        return rows, []
    kept, repeats, dropping = rows[:header_count], [], False
    for k in range(header_count, len(rows)):
        row = rows[k]
        key = _row_key(row.cells)
        if key in header and (dropping or _after_break(row, rows[k - 1])):
            if not dropping:
                repeats.append(row.no)
            dropping = True
            continue
        dropping = False
        kept.append(row)
    return kept, repeats


def _row_key(cells: list[str]) -> tuple[str, ...]:
    return tuple(squash(c) for c in _trim(cells))


def _capped(cells: list[str], where: str, warnings: list[str]) -> list[str]:
    """At most MAX_COLUMNS cells: the rest are kept, joined by tabs into the last cell (not a real table)."""
    if len(cells) <= MAX_COLUMNS:
        return cells
    warnings.append(f"{where}: row has {len(cells)} cells; the cells after the {MAX_COLUMNS}th are kept "
                    "joined in the last one")
    return cells[:MAX_COLUMNS - 1] + ["\t".join(cells[MAX_COLUMNS - 1:])]


def build_table(runs: list[_Run], index: int, warnings: list[str]) -> Table:
    """One table from its run of rows and the runs that continue it on the following pages."""
    run = runs[0]
    fragments = [Line(l.no, l.text, cells=[l.text], page=l.page) for l in run.header_lines]
    all_rows = fragments + [r for part in runs for r in part.rows]
    header_count = split_header([_trim(r.cells) for r in all_rows[:MAX_NUMBERED_HEADER_ROWS]]) if all_rows else 0
    kept, repeats = _drop_repeated_header(all_rows, header_count)
    rows = _merge_wrapped(kept[header_count:], warnings)
    header_rows = kept[:header_count]
    texts = [_capped(_trim(r.cells), r.where, warnings) for r in header_rows + rows]
    form = _is_form(texts[len(run.header_lines):])
    if form:
        header_rows, rows, header_count = [], header_rows + rows, 0
    header, body = texts[:header_count], texts[header_count:]
    width = max((len(r) for r in texts), default=0)
    # header text that was not set out in columns says nothing of the table's width
    header_width = min(max((len(r.cells) for r in header_rows if r not in fragments), default=0), MAX_COLUMNS)
    for row, cells in zip(rows, body):
        if header_width and len(cells) > header_width:
            warnings.append(f"{row.where}: row has {len(cells)} cells but the table's header has {header_width}; "
                            f"the extra cells are kept in extra columns")
    id_columns = _id_columns(header)
    title = run.title or _fallback_title(run)
    if run.title is None:
        warnings.append(f"{run.rows[0].where if run.rows else f'line {run.start + 1}'}: table without a title line; "
                        f"called it '{title}'")
    kind = "form" if form else "performance" if "绩效" in title else "data"
    first = (run.rows or [None])[0]
    return Table(
        id=f"t{index:02d}", title=title, unit=next((r.unit for r in runs if r.unit), None),
        line=run.title_line or (first.no if first else 1),
        header=[_pad(list(r), width) for r in header],
        rows=[_pad(_typed(r, id_columns, form), width) for r in body],
        label=run.label, kind=kind, empty=not body,
        note=next((r.note for r in runs if r.note), None), notes=[n for r in runs for n in r.notes],
        continued_at=_continued_at(runs, repeats),
        page=run.title_page or (first.page if first else None), pages=_pages(rows),
    )


def _continued_at(runs: list[_Run], repeats: list[int]) -> list[int]:
    """Where the table went on: each following run (at its title), or a header printed again inside a run."""
    starts = {r.rows[0].no for r in runs[1:] if r.rows}
    return sorted({*(r.title_line or r.rows[0].no for r in runs[1:] if r.rows), *(n for n in repeats if n not in starts)})


def _pages(rows: list[Line]) -> list[list[int]]:
    """[index of the first row on each page, page], for sources that have pages."""
    out: list[list[int]] = []
    for i, row in enumerate(rows):
        if row.page is not None and (not out or out[-1][1] != row.page):
            out.append([i, row.page])
    return out


def _fallback_title(run: _Run) -> str:
    first = next((c for c in (run.rows[0].cells if run.rows else []) if c), "")
    return first[:MAX_TITLE_LENGTH] if first else "表格"


def _pad(cells: list, width: int) -> list:
    return [c if c != "" else None for c in cells] + [None] * (width - len(cells))


def attach_after(run: _Run, lines: list[Line], start: int, consumed: set[int]) -> None:
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
        if EMPTY_NOTE.search(line.text) and len(line.text) <= 60 and not run.rows[split_header([r.cells for r in run.rows]):]:
            run.empty, run.note = True, line.text
        elif NOTE.match(line.text):
            run.notes.append(line.text)
        else:
            return
        consumed.add(i - 1)


def _continues(previous: list[_Run], run: _Run, lines: list[Line], consumed: set[int]) -> bool:
    """Is ``run`` the previous table continued on the next page? Nothing but blank or meta lines lies
    between them, and either the title is printed again over the same header, or no title is printed
    and the rows carry on under the same header (printed again or not)."""
    last = previous[-1]
    if not run.rows or not all(lines[i].blank or i in consumed for i in range(last.end, run.start)):
        return False
    first = previous[0]
    head = [_row_key(r.cells) for r in first.rows[:split_header([_trim(r.cells) for r in first.rows[:MAX_NUMBERED_HEADER_ROWS]])]]
    repeated = bool(head) and [_row_key(r.cells) for r in run.rows[:len(head)]] == head
    if run.title is not None:
        same_title = first.title is not None and squash(run.title) == squash(first.title)
        same_label = run.label is not None and run.label == first.label
        return same_title and (same_label or (repeated and run.label in (None, first.label)))
    if run.label is not None or _is_form([_trim(r.cells) for r in first.rows[:1]]):
        return False
    width = max(len(_trim(r.cells)) for r in first.rows)
    return repeated or (split_header([_trim(r.cells) for r in run.rows[:MAX_NUMBERED_HEADER_ROWS]]) == 0
                        and abs(max(len(_trim(r.cells)) for r in run.rows) - width) <= 1)


def extract_tables(lines: list[Line], warnings: list[str]) -> tuple[list[Table], set[int]]:
    """Every table in the document, page continuations merged; and the indexes of lines they used."""
    consumed: set[int] = set()
    groups: list[list[_Run]] = []
    floor = 0
    for run in find_runs(lines):
        attach_meta(run, lines, floor, consumed)
        attach_after(run, lines, run.end, consumed)
        if groups and _continues(groups[-1], run, lines, consumed):
            groups[-1].append(run)
        else:
            groups.append([run])
        floor = run.end
        consumed.update(range(run.start, run.end))
    return [build_table(group, i, warnings) for i, group in enumerate(groups, 1)], consumed
