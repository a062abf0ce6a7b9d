"""Render the loaded documents into a static site: context first (views of every page), then write.

Every page is written with links relative to itself, so the site works under any sub-path, from a
local preview and from ``file://``. Output is deterministic: same data, same bytes.
"""
from __future__ import annotations

import hashlib

import json
import re
import shutil
import traceback
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import urlsplit

import jinja2
import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from .config import Config
from .errors import DataError, TemplateError
from .linking import Linker, term_id
from .model import KIND_LABELS, Cell, Document, GlossaryEntry, Section, Table
from .cleaning import squash
from .summary import Headline, headline

HIERARCHY_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")  # 类 201 › 款 20103 › 项 2010301 (and 301 › 30101)
TOTAL_LABELS = {"合计", "总计", "小计", "本年收入合计", "本年支出合计", "收入总计", "支出总计"}
SAFE_SCHEMES = {"", "http", "https", "mailto"}


# ---------------------------------------------------------------- views

@dataclass
class HeaderCell:
    text: str
    colspan: int
    rowspan: int
    column: Optional[int]  # the body column it heads, for sorting; None when it spans several


@dataclass
class RowView:
    id: str
    cells: list[Cell]
    code: Optional[str]
    level: int
    total: bool
    term: Optional[GlossaryEntry]  # the 类/款/项 glossary entry explaining this row


@dataclass
class TableView:
    table: Table
    header: list[list[HeaderCell]]
    rows: list[RowView]
    numeric: list[bool]  # per column: does it hold amounts?


@dataclass
class EntryView:
    id: str
    term: str
    definition: str
    group: Optional[str]
    row: Optional[str]  # anchor of the table row with the entry's classification code


@dataclass
class Block:
    kind: str  # "section" or "table"
    line: int
    section: Optional[Section] = None
    table: Optional[TableView] = None


@dataclass
class DepartmentView:
    doc: Document
    slug: str
    kind_label: str
    headline: Headline
    blocks: list[Block]
    tables: list[TableView]
    glossary: list[EntryView]
    link: Callable[[object], Markup] = field(repr=False)
    source_pdf: Optional[str] = None  # the published PDF beside the page, for 原文第 N 页 links


def header_cells(header: list[list[Cell]]) -> list[list[HeaderCell]]:
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
            row_out.append(HeaderCell(grid[r][c] or "", span, down, c if span == 1 else None))
        out.append(row_out)
    return out


def table_view(table: Table, code_terms: dict[str, GlossaryEntry]) -> TableView:
    rows = []
    for index, cells in enumerate(table.rows, 1):
        first = cells[0] if cells else None
        code = first if isinstance(first, str) and HIERARCHY_CODE.match(first) else None
        rows.append(RowView(
            id=f"{table.id}-{code}" if code else f"{table.id}-r{index}",
            cells=cells, code=code, level=(len(code) - 3) // 2 if code else 0,
            total=any(isinstance(c, str) and squash(c) in TOTAL_LABELS for c in cells[:3]),
            term=code_terms.get(code) if code else None,
        ))
    _unique_ids(rows)
    width = max((len(r) for r in table.rows), default=0)
    numeric = [any(isinstance(r[c], Decimal) for r in table.rows if c < len(r)) for c in range(width)]
    return TableView(table=table, header=header_cells(table.header), rows=rows, numeric=numeric)


def _unique_ids(rows: list[RowView]) -> None:
    """A code printed twice in one table (a repeated row) still gets distinct anchors."""
    seen: dict[str, int] = {}
    for row in rows:
        if row.id in seen:
            seen[row.id] += 1
            row.id = f"{row.id}-{seen[row.id]}"
        else:
            seen[row.id] = 1


def department_view(doc: Document, source_pdf: Optional[str] = None) -> DepartmentView:
    code_terms = {g.code: g for g in doc.glossary if g.code}
    tables = [table_view(t, code_terms) for t in doc.tables]
    row_of_code: dict[str, str] = {}
    for view in tables:
        for row in view.rows:
            if row.code:
                row_of_code.setdefault(row.code, row.id)
    glossary = [EntryView(id=term_id(g.term), term=g.term, definition=g.definition, group=g.group,
                          row=row_of_code.get(g.code) if g.code else None) for g in doc.glossary]
    blocks = [Block("section", s.line, section=s) for s in doc.sections]
    blocks += [Block("table", v.table.line, table=v) for v in tables]
    blocks.sort(key=lambda b: (b.line, b.kind))
    return DepartmentView(doc=doc, slug=doc.slug, kind_label=KIND_LABELS[doc.kind], headline=headline(doc),
                          blocks=blocks, tables=tables, glossary=glossary, link=Linker(doc.glossary),
                          source_pdf=source_pdf)


# ---------------------------------------------------------------- Markdown pages

@dataclass
class Page:
    slug: str
    title: str
    html: Markup


class _SafeLinks(Treeprocessor):
    """Drop href/src values with a scheme other than http(s)/mailto (javascript:, data:, vbscript: …)."""

    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and urlsplit(value.strip()).scheme.lower() not in SAFE_SCHEMES:
                    element.set(attribute, "#")
        return root


def markdown_to_html(text: str) -> Markup:
    """Markdown with raw HTML escaped (never passed through) and unsafe link schemes removed."""
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    return Markup(md.convert(text))


def load_pages(config: Config) -> list[Page]:
    pages = []
    directory = config.pages_dir
    for path in sorted(directory.glob("*.md")) if directory.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        slug = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-") or "page"
        pages.append(Page(slug=slug, title=title, html=markdown_to_html(text)))
    return pages


# ---------------------------------------------------------------- writing

def amount(value: object) -> str:
    """An amount with thousands separators and exactly its printed decimals."""
    return format(value, ",f") if isinstance(value, Decimal) else ("" if value is None else str(value))


def make_environment(config: Config) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(config.templates_dir)),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["amount"] = amount
    env.filters["term_id"] = term_id
    env.tests["decimal"] = lambda value: isinstance(value, Decimal)
    return env


class _Writer:
    def __init__(self, config: Config, env: jinja2.Environment, out_dir: Path, site: dict):
        self.config, self.env, self.out_dir, self.site = config, env, out_dir, site
        self.count = 0

    def page(self, path: str, template: str, **context) -> None:
        depth = path.count("/")
        root = "../" * depth
        canonical = self.config.base_url + path.removesuffix("index.html") if self.config.base_url else None
        try:
            html = self.env.get_template(template).render(site=self.site, root=root, path=path,
                                                          canonical=canonical, **context)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(str(exc.filename or exc.name or template), exc.message or str(exc), exc.lineno) from None
        except Exception as exc:  # any failure inside a template: report its file and line
            raise _template_error(exc, self.config.templates_dir, template) from None
        target = self.out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8", newline="\n")
        self.count += 1


def _template_error(exc: Exception, templates_dir: Path, template: str) -> TemplateError:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).suffix == ".html"]
    message = f"{type(exc).__name__}: {exc}"
    if frames:
        return TemplateError(frames[-1].filename, message, frames[-1].lineno)
    return TemplateError(str(templates_dir / template), message)


def search_index(departments: list[DepartmentView]) -> list[list[str]]:
    """[text, where, url] for departments, tables, glossary terms and coded rows."""
    entries = []
    for d in departments:
        base = f"departments/{d.slug}/"
        entries.append([d.doc.department, f"{d.doc.year} {d.kind_label}", base])
        for view in d.tables:
            entries.append([view.table.title, d.doc.department, f"{base}#{view.table.id}"])
            for row in view.rows:
                if row.code and len(row.cells) > 1 and isinstance(row.cells[1], str):
                    entries.append([f"{row.code} {row.cells[1]}", f"{d.doc.department} · {view.table.title}", f"{base}#{row.id}"])
        for entry in d.glossary:
            entries.append([entry.term, f"{d.doc.department} · 名词解释", f"{base}#{entry.id}"])
    return entries


def _script_json(value: object) -> str:
    """JSON that is safe inside a JavaScript file, whatever the document text contains."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


SOURCE_PDF = "source.pdf"


def published_pdf(config: Config, doc: Document) -> Optional[Path]:
    """The PDF a document was parsed from, to publish beside its page: only the very file the data came
    from (same checksum), so that 原文第 N 页 points at the page it names. Never an HTML source: served
    from the portal's own address, its markup would run as the portal's."""
    path = config.sources_dir / doc.source.file
    if not doc.source.file.lower().endswith(".pdf") or not path.is_file():
        return None
    with path.open("rb") as fh:
        return path if hashlib.file_digest(fh, "sha256").hexdigest() == doc.source.sha256 else None


def render_site(config: Config, documents: list[Document], out_dir: Path, report: Callable[[str], None] = lambda _: None) -> int:
    """Write the whole site into ``out_dir`` (an empty folder) and return the number of pages."""
    slugs: dict[str, str] = {}
    for doc in documents:
        if doc.slug in slugs:
            raise DataError(doc.source.file, f"slug '{doc.slug}' is used by {slugs[doc.slug]} too; give one of them another slug")
        slugs[doc.slug] = doc.source.file
    env = make_environment(config)
    pages = load_pages(config)
    site = {"title": config.title, "description": config.description, "language": config.language,
            "base_url": config.base_url, "pages": pages}
    published = {doc.slug: path for doc in documents if (path := published_pdf(config, doc))}
    departments = [department_view(doc, SOURCE_PDF if doc.slug in published else None) for doc in documents]
    writer = _Writer(config, env, out_dir, site)
    writer.page("index.html", "index.html", departments=departments)
    for index, d in enumerate(departments, 1):
        report(f"[{index}/{len(departments)}] rendering {d.doc.department}")
        writer.page(f"departments/{d.slug}/index.html", "department.html", d=d)
        if d.slug in published:
            shutil.copyfile(published[d.slug], out_dir / "departments" / d.slug / SOURCE_PDF)
    writer.page("glossary/index.html", "glossary.html", departments=departments)
    writer.page("search/index.html", "search.html")
    for page in pages:
        writer.page(f"pages/{page.slug}/index.html", "page.html", page=page)
    static = out_dir / "static"
    if config.static_dir.is_dir():
        shutil.copytree(config.static_dir, static)
    static.mkdir(exist_ok=True)
    (static / "search-index.js").write_text(
        "window.PORTAL_SEARCH_INDEX = " + _script_json(search_index(departments)) + ";\n", encoding="utf-8")
    return writer.count
