"""View models of a document's page: everything its template shows, worked out in Python so templates only
lay it out (the site-wide pages' are in sitewide.py).

Each cell arrives with its role (amount, code, classification term, blank, text), each row, table,
section, report and glossary entry with its anchor, the document with its URL, its table of contents,
charts, checks and downloads. Anchors are made here and nowhere else.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Literal, NamedTuple, Optional

from markupsafe import Markup

from . import urls
from .cleaning import squash
from .departments import Address, plain_name
from .linking import Linker, anchor_text, shorten, term_id
from .numbers import amount, amount_columns
from .model import KIND_LABELS, Cell, Document, Evaluation, GlossaryEntry, Section, Table
from .charts import bar_chart, share_chart
from .checks import CheckReport, Finding, check_document
from .figures import Figures, figures
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


class RowView(NamedTuple):  # a tuple, like CellView: made for every row of every table
    id: str
    cells: list[CellView]
    code: Optional[str]
    parents: str  # the codes of the 类/款 above this row, space-separated, for the filter to keep in view
    level: int
    total: bool


@dataclass(frozen=True)
class TableView:
    id: str  # its anchor, made from its label or title (and project, where a form repeats)
    name: str  # what the table of contents calls it
    table: Table
    unit: str
    header: list[list[HeaderCell]]
    rows: list[RowView]
    continued_pages: list[int]  # pages after the first that the table runs on
    coded: bool  # its first column holds 类/款/项 codes (the page keeps code and name in view)


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
    level: int  # 1 part, 2 chapter, 3 table or report
    href: str
    text: str
    children: list["TocEntry"] = field(default_factory=list)


@dataclass(frozen=True)
class Block:
    line: int
    section: Optional[SectionView] = None
    table: Optional[TableView] = None


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    href: str  # the row, table or report it is about, on this page


@dataclass(frozen=True)
class Checks:
    """Whether the document's figures add up (checks.py), for its page."""
    checked: int
    errors: list[FindingView]
    roundings: list[FindingView]


@dataclass(frozen=True)
class Download:
    label: str
    file: str  # beside the page


@dataclass(frozen=True)
class DocumentView:
    """A document's page."""
    doc: Document
    url: str
    department_url: str  # its department's page
    department_key: str
    department: str  # the department's name, without a 本级 suffix
    kind_label: str
    subtitle: str
    contents: list[str]  # what the document holds, for the summary at the top
    headline: Headline
    figures: Figures
    blocks: list[Block]
    tables: list[TableView]
    evaluations: list[EvaluationView]
    evaluations_unit: str  # their common unit, for the summary table's caption
    glossary: list[EntryView]
    toc: list[TocEntry]
    checks: Checks
    charts: list[Markup]
    downloads: list[Download]
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


_BLANK = CellView("blank", None)


class _TextCells(dict):
    """A page's text cells by their text, each made (and its terms linked) once: names repeat from table to
    table, labels from row to row."""

    def __init__(self, link: Linker):
        super().__init__()
        self.link = link

    def __missing__(self, text: Cell) -> CellView:
        self[text] = cell = CellView("text", text, self.link(text))
        return cell


def _cells(cells: list[Cell], row_id: str, code: Optional[str], term: Optional[GlossaryEntry],
           texts: _TextCells) -> list[CellView]:
    out = [CellView("amount", v, amount(v)) if isinstance(v, Decimal) else _BLANK if v is None else texts[v]
           for v in cells]
    if code:
        out[0] = CellView("code", code, href=f"#{row_id}")
    if term and len(out) > 1 and out[1].role == "text":
        out[1] = CellView("term", out[1].value, href=f"#{term_id(term.term)}", title=shorten(term.definition))
    return out


class Anchors:
    """The ids of one page, made from what they point to (a table's label or title, a row's code or name, a
    heading, a term), so that a shared link keeps its meaning after a rebuild; a repeat gets -2, -3."""

    RESERVED = {"main", "toc", "toc-title", "summary", "evaluations", "glossary", "checks", "downloads"}

    def __init__(self):
        self.used = set(self.RESERVED)

    def take(self, text: str) -> str:
        base = anchor_text(text) or "x"
        anchor, n = base, 1
        while anchor in self.used:
            n += 1
            anchor = f"{base}-{n}"
        self.used.add(anchor)
        return anchor


def project_name(table: Table) -> Optional[str]:
    """The project a form table is about (项目名称 | …), to tell repeated forms apart."""
    for row in table.rows[:6]:
        for label, value in zip(row, row[1:]):
            if isinstance(label, str) and squash(label) == "项目名称" and isinstance(value, str) and value.strip():
                return value.strip()
    return None


def table_view(table: Table, code_terms: dict[str, GlossaryEntry], texts: _TextCells, anchors: Anchors,
               project: Optional[str] = None) -> TableView:
    """``project``: the project a repeated table is about (its own 项目名称, or that of the form it follows)."""
    name = f"{table.label} {table.title}" if table.label else table.title
    if project:
        name = f"{name}：{project}"
    anchor = anchors.take(table.label or (f"{table.title}-{project}" if project else table.title))
    rows = []
    for index, cells in enumerate(table.rows, 1):
        code = cells[0] if cells and is_code(cells[0]) else None
        label = code or next((c for c in cells if isinstance(c, str) and c.strip()), None) or f"r{index}"
        row_id = anchors.take(f"{anchor}-{label}")
        term = code_terms.get(code) if code else None
        rows.append(RowView(
            id=row_id, cells=_cells(cells, row_id, code, term, texts), code=code,
            parents=" ".join(parent_codes(code)) if code else "", level=code_level(code) if code else 0,
            total=any(is_total(c) for c in cells[:3]),
        ))
    numeric = amount_columns(table.rows)
    return TableView(id=anchor, name=name, table=table, unit=table.unit or UNKNOWN_UNIT,
                     header=header_cells(table.header, numeric), rows=rows,
                     continued_pages=[page for _, page in table.pages[1:]], coded=any(r.code for r in rows))


def _toc(blocks: list[Block], evaluations: list[EvaluationView], glossary: list[EntryView]) -> list[TocEntry]:
    """The document's own parts (第X部分, 一、…) with the tables under the part they are printed in; then the
    project reports and the glossary."""
    top: list[TocEntry] = []
    open_: list[TocEntry] = []  # the part and chapter the next entry goes under
    for b in blocks:
        if b.section and b.section.section.heading and b.section.section.level <= 2:
            entry = TocEntry(b.section.section.level, f"#{b.section.id}", b.section.section.heading)
            while open_ and open_[-1].level >= entry.level:
                open_.pop()
            (open_[-1].children if open_ else top).append(entry)
            open_.append(entry)
        elif b.table:
            (open_[-1].children if open_ else top).append(TocEntry(3, f"#{b.table.id}", b.table.name))
    if evaluations:
        top.append(TocEntry(1, "#evaluations", f"项目绩效自评（{len(evaluations)} 个项目）",
                            [TocEntry(3, f"#{e.report_id}", e.evaluation.project) for e in evaluations]))
    if glossary:
        top.append(TocEntry(1, "#glossary", f"名词解释（{len(glossary)} 条）"))
    top.append(TocEntry(1, "#checks", "数字核对"))
    top.append(TocEntry(1, "#downloads", "下载数据"))
    return top


def _contents(doc: Document) -> list[str]:
    empty = sum(1 for t in doc.tables if t.empty)
    out = []
    if doc.tables:
        out.append(f"{len(doc.tables)} 张表格" + (f"（其中 {empty} 张空表）" if empty else ""))
    if doc.sections:
        out.append(f"{sum(1 for s in doc.sections if s.heading)} 个章节的说明")
    if doc.evaluations:
        out.append(f"{len(doc.evaluations)} 个项目的绩效自评")
    if doc.glossary:
        out.append(f"名词解释 {len(doc.glossary)} 条")
    return out


def document_view(doc: Document, address: Address, source_pdf: Optional[str] = None) -> DocumentView:
    code_terms = {g.code: g for g in doc.glossary if g.code}
    link = Linker(doc.glossary)
    texts = _TextCells(link)
    anchors = Anchors()
    # anchors are taken in document order: sections and tables interleaved as printed
    order = sorted([(s.line, 0, s) for s in doc.sections] + [(t.line, 1, t) for t in doc.tables],
                   key=lambda item: item[:2])
    titles = Counter(squash(t.title) for t in doc.tables)
    blocks, project = [], None
    for _, _, item in order:
        if isinstance(item, Table):
            # a form per project, each followed by its 绩效目标 tables: named by the project, not by a number
            project = project_name(item) or project
            repeated = titles[squash(item.title)] > 1
            blocks.append(Block(item.line, table=table_view(item, code_terms, texts, anchors, project if repeated else None)))
        else:
            blocks.append(Block(item.line, section=SectionView(anchors.take(item.heading or f"s-{item.line}"), item)))
    tables = [b.table for b in blocks if b.table]
    row_of_code: dict[str, str] = {}
    for view in tables:
        for row in view.rows:
            if row.code:
                row_of_code.setdefault(row.code, row.id)
    evaluations = [EvaluationView(anchors.take(f"汇总-{e.project}"), anchors.take(e.project), e) for e in doc.evaluations]
    glossary = [EntryView(id=anchors.take(term_id(g.term)), term=g.term, definition=g.definition, group=g.group,
                          row=row_of_code.get(g.code) if g.code else None) for g in doc.glossary]
    units = {e.unit for e in doc.evaluations}
    department = plain_name(doc.department)
    kind_label = KIND_LABELS[doc.kind]
    found = figures(doc)
    # a collection of project reports prints no title of its own: its first report's is not the document's
    subtitle = (f"{department} {doc.year} 年{kind_label}（{len(doc.evaluations)} 个项目）" if len(doc.evaluations) > 1
                else doc.title)
    rows = {view.table.id: view for view in tables}
    return DocumentView(doc=doc, url=address.url, department_url=address.department_url, department_key=address.department_key,
                        department=department,
                        kind_label=kind_label, subtitle=subtitle, contents=_contents(doc),
                        headline=headline(doc, found), figures=found, blocks=blocks, tables=tables, evaluations=evaluations,
                        evaluations_unit=units.pop() if len(units) == 1 else MIXED_UNITS,
                        glossary=glossary, toc=_toc(blocks, evaluations, glossary),
                        checks=_checks(check_document(doc), rows, evaluations), charts=charts_of(found, rows),
                        downloads=_downloads(doc), link=link, source_pdf=source_pdf)


def _row_href(tables: dict[str, TableView], table: Optional[str], row: Optional[int], page: str = "") -> Optional[str]:
    """The link to a table's row (or the table) on the document's page; ``page`` leads there from elsewhere."""
    view = tables.get(table or "")
    if view is None:
        return None
    return f"{page}#{view.rows[row].id}" if row is not None and row < len(view.rows) else f"{page}#{view.id}"


def _checks(report: CheckReport, tables: dict[str, TableView], evaluations: list[EvaluationView]) -> Checks:
    reports = {e.evaluation.project: f"#{e.report_id}" for e in evaluations}
    found = [FindingView(f, _row_href(tables, f.table, f.row) or reports.get(f.label.split(" · ")[0], "#evaluations"))
             for f in report.findings]
    return Checks(report.checked, [f for f in found if f.finding.severity == "error"],
                  [f for f in found if f.finding.severity != "error"])


def charts_of(f: Figures, tables: dict[str, TableView], page: str = "") -> list[Markup]:
    """The shape of the budget, drawn from the very cells the tables show (each bar links to its row, on the
    document's page: ``page`` is the way there from the page the charts are on)."""
    charts = []
    if f.by_class:
        charts.append(bar_chart("支出按功能分类（类）", [(f"{code} {name}", fig.value) for code, name, fig in f.by_class],
                                f.by_class[0][2].unit or UNKNOWN_UNIT,
                                href=[_row_href(tables, fig.table, fig.row, page) or "#" for _, _, fig in f.by_class]))
    if f.basic and f.project and f.basic.unit == f.project.unit:
        charts.append(share_chart("基本支出与项目支出", [("基本支出", f.basic.value), ("项目支出", f.project.value)],
                                  f.basic.unit or UNKNOWN_UNIT))
    if f.sangong_parts:
        charts.append(bar_chart("“三公”经费构成", [(label, fig.value) for label, fig in f.sangong_parts],
                                f.sangong_parts[0][1].unit or UNKNOWN_UNIT,
                                href=[_row_href(tables, fig.table, fig.row, page) or "#" for _, fig in f.sangong_parts]))
    return [c for c in charts if c]


def _downloads(doc: Document) -> list[Download]:
    """The document's data beside its page: the YAML data file, JSON, and a CSV for each table."""
    out = [Download("全部数据（YAML，本站数据文件）", urls.DATA_YAML), Download("全部数据（JSON）", urls.DATA_JSON)]
    out += [Download(f"{t.label + ' ' if t.label else ''}{t.title}（CSV）", urls.table_csv(t.id)) for t in doc.tables if not t.empty]
    return out
