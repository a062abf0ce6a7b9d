"""Source document → Document. Each step lives in a module named for what it recognises:

reading (bytes → text) → lines (rows and text lines) → metadata (title line) → tables →
evaluations (专项绩效自评报告) → glossary (名词解释) → sections (narrative).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import SourceError
from ..model import Document, Source, Table
from .evaluations import split_reports
from .glossary import match_codes, parse_glossary, split_glossary
from .lines import Line, tokenize
from .metadata import find_title
from .reading import decode, split_lines
from .sections import PART, drop_toc, build_sections
from .tables import DEPARTMENT_LINE, UNIT, extract_tables
from .text import squash

# Raise when parsing changes what it writes: data files written by an older parser are then
# regenerated (unless edited by hand, which parse keeps and reports).
PARSER_VERSION = 3

FORM_NAME_LABELS = {"部门名称", "单位名称", "部门(单位)名称", "项目主管部门"}


def parse_file(path: Path) -> Document:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read document: {exc.strerror or exc}") from None
    return parse_bytes(data, path.name, display_name=str(path))


def parse_bytes(data: bytes, file_name: str, display_name: str | None = None) -> Document:
    """Parse one document; ``file_name`` is recorded in the data file, ``display_name`` names it in errors."""
    name = display_name or file_name
    warnings: list[str] = []
    text = decode(data, name, warnings)
    lines = tokenize(split_lines(text))
    title = find_title(lines)
    if title is None:
        first = next((l for l in lines if not l.blank), None)
        raise SourceError(name, "no title line found: expected a line naming the department, the year and the kind "
                                "of document near the top (e.g. '武汉市商务局 2024 年部门预算')",
                          first.no if first else 1)
    body = [l for l in lines if l.no > title.line]
    tables, used = extract_tables(body, warnings)
    text_lines = [l for i, l in enumerate(body) if i not in used and not l.is_row]
    _check_unread_tables(text_lines, warnings)
    text_lines, listed_parts = drop_toc(text_lines)
    # the title line may itself be the first report's title in a 专项绩效自评报告 collection
    title_line = next(l for l in lines if l.no == title.line)
    evaluations, before = split_reports([title_line, *text_lines], warnings)
    if evaluations:
        text_lines = before[1:]
    glossary_lines, text_lines, glossary_heading = split_glossary(text_lines)
    glossary = parse_glossary(glossary_lines)
    match_codes(glossary, tables)
    sections = build_sections(text_lines)
    kind = "performance_evaluation" if evaluations and title.kind == "budget" else title.kind
    _check_truncation(lines, text.endswith("\n"), listed_parts, sections, glossary_heading, warnings)
    if glossary_heading is not None and not glossary:
        warnings.append(f"line {glossary_heading.no}: 名词解释 heading with no entries under it")
    return Document(
        department=title.department, year=title.year, kind=kind, title=title.text, slug=_slug(file_name, data),
        source=Source(file=file_name, sha256=hashlib.sha256(data).hexdigest()),
        department_aliases=_aliases(title.department, lines, tables),
        warnings=warnings, sections=sections, tables=tables, glossary=glossary, evaluations=evaluations,
    )


def _aliases(department: str, lines: list[Line], tables: list[Table]) -> list[str]:
    """Other printed forms of the department's name (部门/单位：…, 单位名称：…, 部门名称 cells), first seen first."""
    names = [m.group(1).strip() for l in lines if not l.is_row and (m := DEPARTMENT_LINE.match(l.text))]
    names += [row[1] for t in tables if t.kind == "form" for row in t.rows
              if len(row) > 1 and isinstance(row[0], str) and isinstance(row[1], str) and squash(row[0]) in FORM_NAME_LABELS]
    seen, out = {squash(department)}, []
    for name in names:
        if len(re.findall(r"[\u4e00-\u9fff]", re.sub(r"[（(].*?[）)]", "", name))) < 4:
            continue  # "(盖章)" and other non-names
        if squash(name) not in seen:
            seen.add(squash(name))
            out.append(name)
    return out


def _slug(file_name: str, data: bytes) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", Path(file_name).stem.lower()).strip("-_")
    return slug or "doc-" + hashlib.sha256(data).hexdigest()[:8]


def _check_unread_tables(text_lines: list[Line], warnings: list[str]) -> None:
    """A unit line (单位：万元) that no table claimed: the rows under it could not be read as cells."""
    for i, line in enumerate(text_lines):
        if UNIT.match(line.text):
            title = next((l.text for l in reversed(text_lines[max(0, i - 3):i]) if l.text), "")
            warnings.append(f"line {line.no}: a table{f' ({title})' if title else ''} whose rows could not be read as "
                            "cells; its text is kept as paragraphs")


def _part_number(heading: str) -> str:
    match = PART.match(heading)
    return match.group(0) if match else heading


def _check_truncation(lines, ends_with_newline, listed_parts, sections, glossary_heading, warnings) -> None:
    """A document that ends before parts its own contents list, or mid-row, was probably cut short."""
    headings = [s.heading for s in sections if s.level == 1]
    if glossary_heading is not None:
        headings.append(glossary_heading.text)
    present = {_part_number(h) for h in headings}
    missing = [p for p in listed_parts if _part_number(p) not in present]
    if missing:
        warnings.append(f"line {lines[-1].no}: the document ends without part(s) its contents list: "
                        f"{', '.join(missing)}; it may be truncated")
    rows = [l for l in lines if l.is_row]
    if not ends_with_newline and len(rows) >= 2 and rows[-1] is lines[-1] and len(rows[-1].cells) < len(rows[-2].cells):
        warnings.append(f"line {rows[-1].no}: the last table row has {len(rows[-1].cells)} of "
                        f"{len(rows[-2].cells)} cells and the file ends mid-line; it may be truncated")
