"""What every reader produces: the document as a sequence of lines, each a line of text or a table row.

A PDF, an HTML page and an extracted text file all come out in this one shape, so the interpreter
never knows which format it reads. A table row carries its cells (a grid read from the page's ruling,
a ``<tr>``, or a tab/space-aligned line); rows of one ruled grid share a ``grid`` number. A blank line
stands for a page break or a paragraph break. ``page`` is the physical page (PDF) when known.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Optional

# A page number printed alone: "3", "- 3 -", "2 8" (spaced), "第3页", "第3页/共9页".
MIN_NUMBERED_FURNITURE = 8
PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d(?:\s?\d){0,2}\s*(?:页)?(?:\s*[/共]\s*\d+\s*页?)?[-—–\s]*$")


@dataclass
class Line:
    no: int  # position in the document: the line number of a text file, the running line of a PDF or page
    text: str  # cleaned text; for a row, its cells joined by spaces
    cells: Optional[list[str]] = None  # set for table rows
    heading: bool = False  # marked as a heading in the source (Markdown #, <h1>…<h6>)
    page: Optional[int] = None  # physical page, for sources that have pages
    grid: Optional[int] = None  # rows of one ruled table share a number

    @property
    def is_row(self) -> bool:
        return self.cells is not None

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def where(self) -> str:
        """How a message points a person at this line: its page in a PDF, its line number in text."""
        return f"page {self.page}" if self.page is not None else f"line {self.no}"


@dataclass
class Extract:
    lines: list[Line]
    format: str  # "text", "pdf" or "html"
    pages: Optional[int] = None  # page count of a PDF
    warnings: list[str] = field(default_factory=list)  # what the reader noticed (encoding, damaged pages …)
    title_hint: Optional[str] = None  # a title the format itself carries (<title>, PDF metadata)
    running_lines: list[str] = field(default_factory=list)  # lines printed at the top or bottom of most pages


def running_lines(candidates: list[list[str]]) -> dict[str, str]:
    """Of the lines printed at the top or bottom of each page, those repeated on many pages (running headers
    and footers): their key (spaces removed) → one printed form."""
    counts: Counter = Counter()
    printed: dict[str, str] = {}
    for texts in candidates:
        keys = {furniture_key(t): t for t in texts if t.strip() and not PAGE_NUMBER.match(t)}
        counts.update(keys.keys())
        for key, text in keys.items():
            printed.setdefault(key, text)
    threshold = max(3, len(candidates) // 3)
    return {key: printed[key] for key, n in counts.items() if n >= threshold}


def furniture_key(text: str) -> str:
    """Spaces removed; in a longer line numbers too ("…预算公开 第 7 页"), but not in a short one, which
    may be a table's own number (表2) printed at the top of its page."""
    key = re.sub(r"\s+", "", text)
    return re.sub(r"\d+", "#", key) if len(key) > MIN_NUMBERED_FURNITURE else key
