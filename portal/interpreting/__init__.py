"""Extract → Document: the budget model, whatever the source format. Each step lives in a module named
for what it recognises:

metadata (department, year, kind) → tables → evaluations (专项绩效自评报告) → glossary (名词解释) →
sections (narrative).
"""
from __future__ import annotations

import re

from ..cleaning import squash
from ..model import Document, Source, Table
from ..reading.extract import Extract, Line
from .evaluations import from_forms, split_reports
from .glossary import match_codes, parse_glossary, split_glossary
from .metadata import find_metadata
from .sections import PART, drop_toc, build_sections
from .metadata import ORGANISATION
from .tables import DEPARTMENT_LINE, TITLE_LIKE, UNIT, UNIT_AT_END, extract_tables

FORM_NAME_LABELS = {"部门名称", "单位名称", "部门(单位)名称", "项目主管部门"}


def interpret(extract: Extract, source: Source) -> Document:
    warnings: list[str] = list(extract.warnings)
    lines = extract.lines
    meta = find_metadata(lines, source.file, extract.running_lines, extract.title_hint, warnings)
    # a title that reads like a table's (a one-table document: 绩效目标表, 自评表) is also that table's title
    body = [l for l in lines if l.no > meta.line or (l.no == meta.line and TITLE_LIKE.search(l.text))]
    tables, used = extract_tables(body, warnings)
    text_lines = [l for i, l in enumerate(body) if i not in used and not l.is_row]
    _check_unread_tables(text_lines, warnings)
    text_lines, listed_parts = drop_toc(text_lines)
    # the title line may itself be the first report's title in a 专项绩效自评报告 collection
    title_lines = [l for l in lines if l.no == meta.line]
    evaluations, before = split_reports(title_lines + text_lines, warnings)
    if evaluations:
        text_lines = before[len(title_lines):]
    else:
        evaluations = from_forms(tables, warnings)
    glossary_lines, text_lines, glossary_heading = split_glossary(text_lines)
    glossary = match_codes(parse_glossary(glossary_lines), tables)
    sections = build_sections(text_lines)
    kind = "performance_evaluation" if evaluations and meta.kind == "budget" else meta.kind
    _check_truncation(lines, extract, listed_parts, sections, glossary_heading, warnings)
    if glossary_heading is not None and not glossary:
        warnings.append(f"{glossary_heading.where}: 名词解释 heading with no entries under it")
    return Document(
        department=meta.department, year=meta.year, kind=kind, title=meta.title, source=source,
        department_aliases=_aliases(meta.department, lines, tables),
        warnings=warnings, sections=sections, tables=tables, glossary=glossary, evaluations=evaluations,
    )


def _aliases(department: str, lines: list[Line], tables: list[Table]) -> list[str]:
    """Other printed forms of the department's name (部门/单位：…, 单位名称：…, 部门名称 cells), first seen first."""
    names = [UNIT_AT_END.sub("", m.group(1)).strip() for l in lines if not l.is_row and (m := DEPARTMENT_LINE.match(l.text))]
    names += [row[1] for t in tables if t.kind == "form" for row in t.rows
              if len(row) > 1 and isinstance(row[0], str) and isinstance(row[1], str) and squash(row[0]) in FORM_NAME_LABELS]
    seen, out = {squash(department)}, []
    for name in names:
        bare = re.sub(r"[（(].*?[）)]", "", name)
        if len(re.findall(r"[\u4e00-\u9fff]", bare)) < 4 or not ORGANISATION.search(squash(bare)):
            continue  # "(盖章)", "“三公”经费合计" and other non-names
        if squash(name) not in seen:
            seen.add(squash(name))
            out.append(name)
    return out


def _check_unread_tables(text_lines: list[Line], warnings: list[str]) -> None:
    """A unit line (单位：万元) that no table claimed: the rows under it could not be read as cells."""
    for i, line in enumerate(text_lines):
        if UNIT.match(line.text):
            title = next((l.text for l in reversed(text_lines[max(0, i - 3):i]) if l.text), "")
            warnings.append(f"{line.where}: a table{f' ({title})' if title else ''} whose rows could not be read as "
                            "cells; its text is kept as paragraphs")


def _part_number(heading: str) -> str:
    match = PART.match(heading)
    return match.group(0) if match else heading


def _check_truncation(lines, extract, listed_parts, sections, glossary_heading, warnings) -> None:
    """A document that ends before parts its own contents list, or mid-row, was probably cut short."""
    headings = [s.heading for s in sections if s.level == 1]
    if glossary_heading is not None:
        headings.append(glossary_heading.text)
    present = {_part_number(h) for h in headings}
    missing = [p for p in listed_parts if _part_number(p) not in present]
    if missing:
        warnings.append(f"{lines[-1].where}: the document ends without part(s) its contents list: "
                        f"{', '.join(missing)}; it may be truncated")
    rows = [l for l in lines if l.is_row]
    ends_mid_line = extract.format == "text" and lines and lines[-1].text != ""
    if ends_mid_line and len(rows) >= 2 and rows[-1] is lines[-1] and len(rows[-1].cells) < len(rows[-2].cells):
        warnings.append(f"{rows[-1].where}: the last table row has {len(rows[-1].cells)} of "
                        f"{len(rows[-2].cells)} cells and the file ends mid-line; it may be truncated")
