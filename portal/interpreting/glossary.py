"""The 名词解释 section: numbered (or unnumbered) terms and their definitions.

Entries are numbered ``（一）``, ``(一)``, ``一、``, ``1.``, ``1、`` or not at all; a definition that runs
over a line or page break continues on lines without a number. An entry with no definition of its own
followed by entries numbered in another style (``（四）本部门使用的主要支出功能分类科目：`` then
``1.…（项）：…``) is a group heading for them. Function-classification entries
(``一般公共服务支出（类）…（款）行政运行（项）``) are matched to the table row with their code.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional

from ..model import GlossaryEntry, Table
from ..vocabulary import code_level, is_code, parent_codes
from ..reading.extract import Line
from .sections import PART, heading_level
from ..cleaning import join_wrapped, squash

HEADING = re.compile(r"名词解释|名词解析|术语解释")
NUMBERS = (
    ("paren", re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]\s*")),
    ("chinese", re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*")),
    ("arabic", re.compile(r"^\d+\s*[.、．)）]\s*(?!\d)")),
    ("paren-arabic", re.compile(r"^[（(]\s*\d+\s*[）)]\s*")),
)
ENDS_GLOSSARY = re.compile(r"^(?:备注|注)\s*[:：]")
CLASSIFICATION = re.compile(r"^(?P<lei>.+?)[（(]类[）)](?P<kuan>.+?)[（(]款[）)](?P<xiang>.+?)[（(]项[）)]")
MAX_TERM_LENGTH = 60


def _numbered(text: str) -> tuple[Optional[str], str]:
    for style, pattern in NUMBERS:
        if m := pattern.match(text):
            return style, text[m.end():]
    return None, text


def _split(text: str) -> tuple[str, str]:
    """Term and definition: after a （项） classification, else at the first colon, else all term."""
    if c := CLASSIFICATION.match(text):
        return text[:c.end()].strip(), text[c.end():].lstrip(" :：").strip()
    m = re.search(r"[:：]", text)
    if m and 0 < m.start() <= MAX_TERM_LENGTH:
        return text[:m.start()].strip(), text[m.end():].strip()
    return text.strip(), ""


def split_glossary(lines: list[Line]) -> tuple[list[Line], list[Line], Optional[Line]]:
    """(lines of the glossary, all other lines, the glossary's heading line)."""
    for i, line in enumerate(lines):
        level = heading_level(line)
        if HEADING.search(line.text) and (level is not None or len(line.text) <= 12):
            end = i + 1
            while end < len(lines):
                other = lines[end]
                other_level = heading_level(other)
                if ENDS_GLOSSARY.match(other.text) or (PART.match(other.text) and other_level is not None) or (
                        other_level is not None and level is not None and other_level < level) or (
                        other_level == level and level is not None and level > 1 and not _split(other.text)[1]
                        and not CLASSIFICATION.match(_numbered(other.text)[1])):
                    break  # a part, a higher heading, or the next sibling heading (四、… after 三、名词解释)
                end += 1
            # a heading printed again (on a part's title page, then over the entries) is not an entry
            entries = [l for l in lines[i + 1:end] if not (HEADING.search(l.text) and len(squash(l.text)) <= 6)]
            return entries, lines[:i] + lines[end:], line
    return [], lines, None


def parse_glossary(lines: list[Line]) -> list[GlossaryEntry]:
    entries: list[GlossaryEntry] = []
    styles: list[Optional[str]] = []
    group: Optional[GlossaryEntry] = None
    group_style: Optional[str] = None
    numbered = any(_numbered(line.text)[0] for line in lines if not line.blank)
    open_term = ""  # the text of an entry whose term has not ended yet (no colon so far): a term wrapped over lines
    for line in lines:
        if line.blank:
            continue
        style, rest = _numbered(line.text)
        if style is None and entries and (numbered or not _looks_like_entry(line.text)):
            last = entries[-1]
            if open_term:
                open_term = join_wrapped(open_term, line.text)
                term, definition = _split(open_term)
                open_term = "" if definition or _has_colon(open_term) else open_term
            else:
                term, definition = last.term, join_wrapped(last.definition, line.text) if last.definition else line.text
            entries[-1] = replace(last, term=term, definition=definition)
            continue
        if entries and style != styles[-1] and not entries[-1].definition and entries[-1].group is None:
            group, group_style = entries[-1], styles[-1]  # the previous entry heads this list
        elif group is not None and style == group_style:
            group = None
        term, definition = _split(rest)
        open_term = rest if not definition and not _has_colon(rest) else ""
        entries.append(GlossaryEntry(term=term, definition=definition, line=line.no, page=line.page,
                                     group=group.term if group is not None else None))
        styles.append(style)
    return [e for e in entries if e.term]


def _has_colon(text: str) -> bool:
    return bool(re.search(r"[:：]", text)) or bool(CLASSIFICATION.match(text))


def _looks_like_entry(text: str) -> bool:
    """In an unnumbered glossary a new entry reads 'term：definition' with a short term."""
    term, definition = _split(text)
    return bool(definition) and len(term) <= 20


def classification(term: str) -> Optional[tuple[str, str, str]]:
    """(类, 款, 项) names of a function-classification term, compared squashed."""
    m = CLASSIFICATION.match(term)
    return (squash(m.group("lei")), squash(m.group("kuan")), squash(m.group("xiang"))) if m else None


def match_codes(entries: list[GlossaryEntry], tables: list[Table]) -> list[GlossaryEntry]:
    """The entries, with ``code`` set on classification entries whose 项 and 款 names match a coded table row."""
    names: dict[str, set[str]] = {}
    for table in tables:
        for row in table.rows:
            if len(row) >= 2 and is_code(row[0]) and isinstance(row[1], str):
                names.setdefault(row[0], set()).add(squash(row[1]))
    return [_with_code(entry, names) for entry in entries]


def _with_code(entry: GlossaryEntry, names: dict[str, set[str]]) -> GlossaryEntry:
    parts = classification(entry.term)
    if not parts:
        return entry
    lei, kuan, xiang = parts
    candidates = sorted(
        code for code, found in names.items()
        if code_level(code) == 2 and xiang in found and kuan in names.get(parent_codes(code)[1], set())
        and any(n.startswith(lei) or lei.startswith(n) for n in names.get(parent_codes(code)[0], set()))
    )
    return replace(entry, code=candidates[0] if len(candidates) == 1 else None)
