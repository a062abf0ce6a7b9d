"""View models: everything a template shows, worked out in Python so templates only lay it out.

Each cell arrives with its role (amount, code, classification term, blank, text), each row, table,
section, report and glossary entry with its anchor, each department with its URL and its table of
contents. Anchors are made here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Literal, NamedTuple, Optional

from markupsafe import Markup

from . import urls
from .linking import Linker, shorten, term_id
from .numbers import amount
from .model import KIND_LABELS, Cell, Document, Evaluation, GlossaryEntry, Section, Table
from .summary import Headline, headline
from .vocabulary import code_level, is_code, is_total, parent_codes

UNKNOWN_UNIT = "原文未注明"
MIXED_UNITS = "见各行"


@dataclass(frozen=True)
class HeaderCell:
    text: str
    colspan: int
    rowspan: int
    column: Optional[int]  # the body column it heads, for sorting; None when it spans several
    numeric: bool = False  # the column holds amounts


class CellView(NamedTuple):  # a tuple, unpacked by the template: a page has thousands of cells
    role: Literal["amount", "text", "blank", "code", "term"]
    value: Cell
    shown: str = ""  # amount: as displayed (thousands separators, printed decimals); text: with its term links
    href: Optional[str] = None  # code: the row's own anchor; term: the glossary entry
    title: Optional[str] = None  # term: the definition, shortened for a tooltip


@dataclass(frozen=True)
class RowView:
    id: str
    cells: list[CellView]
    code: Optional[str]
    parents: str  # the codes of the 类/款 above this row, space-separated, for the filter to keep in view
    level: int
    total: bool


@dataclass(frozen=True)
class TableView:
    table: Table
    unit: str
    header: list[list[HeaderCell]]
    rows: list[RowView]
    continued_pages: list[int]  # pages after the first that the table runs on


@dataclass(frozen=True)
class SectionView:
    id: str
    section: Section


@dataclass(frozen=True)
class EvaluationView:
    id: str  # its row in the summary table
    report_id: str  # its report
    evaluation: Evaluation


@dataclass(frozen=True)
class EntryView:
    id: str
    term: str
    definition: str
    group: Optional[str]
    row: Optional[str]  # anchor of the table row with the entry's classification code


@dataclass(frozen=True)
class TocEntry:
    level: str  # CSS class: toc-level-1, toc-level-2, toc-table
    href: str
    text: str


@dataclass(frozen=True)
class Block:
    line: int
    section: Optional[SectionView] = None
    table: Optional[TableView] = None


@dataclass(frozen=True)
class DepartmentView:
    doc: Document
    slug: str
    url: str
    kind_label: str
    headline: Headline
    blocks: list[Block]
    tables: list[TableView]
    evaluations: list[EvaluationView]
    evaluations_unit: str  # their common unit, for the summary table's caption
    glossary: list[EntryView]
    toc: list[TocEntry]
    link: Callable[[object], Markup] = field(repr=False)
    source_pdf: Optional[str] = None  # the published PDF beside the page, for 原文第 N 页 links


def header_cells(header: list[list[Cell]], numeric: list[bool]) -> list[list[HeaderCell]]:
    """Printed header rows to cells with colspan/rowspan: a blank right of a heading whose columns have
    sub-headings below is part of that heading; a blank below a heading is part of it too."""
    height = len(header)
    width = max((len(r) for r in header), default=0)
    grid = [[(str(r[c]) if c < len(r) and r[c] is not None else None) for c in range(width)] for r in header]
    covered: set[tuple[int, int]] = set()
    out: list[list[HeaderCell]] = []
    for r in range(height):
        row_out = []
        for c in range(width):
            if (r, c) in covered:
                continue
            span = 1
            if grid[r][c] is not None:
                while (c + span < width and grid[r][c + span] is None and (r, c + span) not in covered
                       and any(grid[k][c + span] is not None for k in range(r + 1, height))):
                    span += 1
            down = 1
            while r + down < height and all(grid[r + down][j] is None for j in range(c, c + span)):
                down += 1
            covered.update((r + i, c + j) for i in range(down) for j in range(span))
            column = c if span == 1 else None
            row_out.append(HeaderCell(grid[r][c] or "", span, down, column,
                                      column is not None and column < len(numeric) and numeric[column]))
        out.append(row_out)
    return out


def _cells(cells: list[Cell], row_id: str, code: Optional[str], term: Optional[GlossaryEntry],
           link: Linker) -> list[CellView]:
    out = [CellView("amount", v, amount(v)) if isinstance(v, Decimal) else
           CellView("blank", v) if v is None else CellView("text", v, link(v)) for v in cells]
    if code:
        out[0] = CellView("code", code, href=f"#{row_id}")
    if term and len(out) > 1 and out[1].role == "text":
        out[1] = CellView("term", out[1].value, href=f"#{term_id(term.term)}", title=shorten(term.definition))
    return out


def table_view(table: Table, code_terms: dict[str, GlossaryEntry], link: Linker) -> TableView:
    ids = _unique([f"{table.id}-{row[0]}" if row and is_code(row[0]) else f"{table.id}-r{index}"
                   for index, row in enumerate(table.rows, 1)])
    rows = []
    for row_id, cells in zip(ids, table.rows):
        code = cells[0] if cells and is_code(cells[0]) else None
        term = code_terms.get(code) if code else None
        rows.append(RowView(
            id=row_id, cells=_cells(cells, row_id, code, term, link), code=code,
            parents=" ".join(parent_codes(code)) if code else "", level=code_level(code) if code else 0,
            total=any(is_total(c) for c in cells[:3]),
        ))
    width = max((len(r) for r in table.rows), default=0)
    numeric = [any(isinstance(r[c], Decimal) for r in table.rows if c < len(r)) for c in range(width)]
    return TableView(table=table, unit=table.unit or UNKNOWN_UNIT, header=header_cells(table.header, numeric),
                     rows=rows, continued_pages=[page for _, page in table.pages[1:]])


def _unique(ids: list[str]) -> list[str]:
    """A code printed twice in one table (a repeated row) still gets distinct anchors."""
    seen: dict[str, int] = {}
    out = []
    for anchor in ids:
        seen[anchor] = seen.get(anchor, 0) + 1
        out.append(anchor if seen[anchor] == 1 else f"{anchor}-{seen[anchor]}")
    return out


def _toc(blocks: list[Block], evaluations: list[EvaluationView], glossary: list[EntryView]) -> list[TocEntry]:
    """Parts and chapters (levels 1–2) and every table, in document order; then reports and the glossary."""
    toc = []
    for b in blocks:
        if b.section and b.section.section.heading and b.section.section.level <= 2:
            toc.append(TocEntry(f"toc-level-{b.section.section.level}", f"#{b.section.id}", b.section.section.heading))
        elif b.table:
            t = b.table.table
            toc.append(TocEntry("toc-table", f"#{t.id}", f"{t.label} {t.title}" if t.label else t.title))
    if evaluations:
        toc.append(TocEntry("toc-level-1", "#evaluations", f"项目绩效自评（{len(evaluations)} 个项目）"))
        toc += [TocEntry("toc-table", f"#{e.report_id}", e.evaluation.project) for e in evaluations]
    if glossary:
        toc.append(TocEntry("toc-level-1", "#glossary", "名词解释"))
    return toc


def department_view(doc: Document, source_pdf: Optional[str] = None) -> DepartmentView:
    code_terms = {g.code: g for g in doc.glossary if g.code}
    link = Linker(doc.glossary)
    tables = [table_view(t, code_terms, link) for t in doc.tables]
    row_of_code: dict[str, str] = {}
    for view in tables:
        for row in view.rows:
            if row.code:
                row_of_code.setdefault(row.code, row.id)
    glossary = [EntryView(id=term_id(g.term), term=g.term, definition=g.definition, group=g.group,
                          row=row_of_code.get(g.code) if g.code else None) for g in doc.glossary]
    evaluations = [EvaluationView(f"e-{i}", f"e-{i}-report", e) for i, e in enumerate(doc.evaluations, 1)]
    units = {e.unit for e in doc.evaluations}
    blocks = [Block(s.line, section=SectionView(f"s-{s.line}", s)) for s in doc.sections]
    blocks += [Block(v.table.line, table=v) for v in tables]
    blocks.sort(key=lambda b: (b.line, b.table is not None))  # a section before a table on the same line
    return DepartmentView(doc=doc, slug=doc.slug, url=urls.department(doc.slug), kind_label=KIND_LABELS[doc.kind],
                          headline=headline(doc), blocks=blocks, tables=tables, evaluations=evaluations,
                          evaluations_unit=units.pop() if len(units) == 1 else MIXED_UNITS,
                          glossary=glossary, toc=_toc(blocks, evaluations, glossary), link=link,
                          source_pdf=source_pdf)


@dataclass(frozen=True)
class DepartmentSummary:
    """What the site-wide pages (index, glossary, search) need of one department page."""
    slug: str
    url: str
    department: str
    year: int
    kind: str
    kind_label: str
    headline: Headline
    table_count: int
    search: str  # the page's entries in the site search, as JSON array items (joined as they are)
    source_file: str
    terms: int  # glossary entries
    warnings: int
    index_row: str = ""  # its row on the index and section on the glossary page, rendered (render.py)
    glossary_html: str = ""  # "" when the document has no 名词解释


def summary_of(view: DepartmentView, search: str) -> DepartmentSummary:
    doc = view.doc
    return DepartmentSummary(slug=view.slug, url=view.url, department=doc.department, year=doc.year,
                             kind=doc.kind, kind_label=view.kind_label, headline=view.headline, table_count=len(view.tables),
                             search=search, source_file=doc.source.file,
                             terms=len(doc.glossary), warnings=len(doc.warnings))

