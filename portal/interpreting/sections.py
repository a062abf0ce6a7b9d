"""Narrative sections: headings (第X部分, 一、, （一）, Markdown #) and their paragraphs.

Paragraph breaks are kept; a sentence cut by a page break (a paragraph that does not end in
punctuation followed by one that does not start a new item) is joined again. The 目录 (table of
contents) is dropped: it repeats the headings, which are read where they stand.
"""
from __future__ import annotations

import re
from typing import Optional

from ..model import Section
from ..reading.extract import Line
from ..cleaning import join_wrapped, squash

NUMERAL = "[一二三四五六七八九十廿]+"
PART = re.compile(rf"^第{NUMERAL}部分")
LEVEL2 = re.compile(rf"^{NUMERAL}\s*[、.．]\s*\S")
LEVEL3 = re.compile(rf"^[（(]{NUMERAL}[）)]\s*\S")
TOC = {"目录", "目次"}
MIN_ENTRY_PREFIX = 4
TOC_LEADER = re.compile(r"[\s.．。…·•_\-—－]*(?:\d{1,3}|[-—]\s*\d{1,3}\s*[-—])?\s*$")  # "……… 3" after an entry
ITEM_START = re.compile(rf"^(?:[（(]?(?:{NUMERAL}|\d+)[）)、.．](?!\d)|\d+\s|[-•·]|第{NUMERAL})")  # not "90.5%"
SENTENCE_END = tuple("。！？；：:;!?）)”\"…%」』")
MAX_HEADING_LENGTH = 40
MAX_PART_LENGTH = 80


def heading_level(line: Line) -> Optional[int]:
    """1 for a part (第X部分), 2 for 一、, 3 for （一）; None for a paragraph."""
    text = line.text
    if not text or text.endswith(("。", "；", "，", ";", ",")):
        return None
    if PART.match(text) and len(text) <= MAX_PART_LENGTH:  # parts carry the department's full name
        return 1
    if len(text) > MAX_HEADING_LENGTH:
        return None
    if LEVEL2.match(text):
        return 2
    if LEVEL3.match(text):
        return 3
    return 2 if line.heading else None


def drop_toc(lines: list[Line]) -> tuple[list[Line], list[str]]:
    """Lines without the table of contents, and the part headings the contents listed."""
    out, listed = [], []
    i = 0
    while i < len(lines):
        heading_end = _toc_heading_end(lines, i)
        if heading_end is None:
            out.append(lines[i])
            i += 1
            continue
        repeat = _end_of_contents(lines, heading_end)
        if repeat is None:
            out.append(lines[i])
            i += 1
            continue
        listed.extend(l.text for l in lines[i + 1:repeat] if PART.match(l.text))
        i = repeat
    return out, listed


def _toc_heading_end(lines: list[Line], i: int) -> Optional[int]:
    """Index after a 目录 heading at ``i``, also when letter-spacing set it as 目 and 录 on two lines."""
    if squash(lines[i].text) in TOC:
        return i + 1
    k = next((k for k in range(i + 1, len(lines)) if not lines[k].blank), None)
    if k is not None and squash(lines[i].text) + squash(lines[k].text) in TOC:
        return k + 1
    return None


def _end_of_contents(lines: list[Line], start: int) -> Optional[int]:
    """Where the contents end: the first line that prints one of their entries again (or its start,
    when the heading wraps over two lines), i.e. the body's first heading."""
    seen: list[str] = []
    for k in range(start, len(lines)):
        key = _toc_key(lines[k].text)
        if not key:
            continue
        if any(entry.startswith(key) and len(key) >= MIN_ENTRY_PREFIX for entry in seen):
            return k
        seen.append(key)
    return None


def _toc_key(text: str) -> str:
    """A contents entry without its dot leader and page number, compared squashed."""
    return squash(TOC_LEADER.sub("", text))


def build_sections(lines: list[Line]) -> list[Section]:
    sections: list[Section] = []
    current: Optional[Section] = None
    for line in lines:
        if line.blank:
            continue
        level = heading_level(line)
        if level is not None:
            current = Section(heading=line.text, level=level, paragraphs=[], line=line.no, page=line.page)
            sections.append(current)
            continue
        if current is None:
            current = Section(heading="", level=1, paragraphs=[], line=line.no, page=line.page)
            sections.append(current)
        paragraphs = current.paragraphs
        if paragraphs and not paragraphs[-1].endswith(SENTENCE_END) and not ITEM_START.match(line.text):
            paragraphs[-1] = join_wrapped(paragraphs[-1], line.text)
        else:
            paragraphs.append(line.text)
            if line.page is not None and line.page != (current.pages[-1][1] if current.pages else current.page):
                current.pages.append([len(paragraphs) - 1, line.page])
    return sections
