"""What every reader produces: the document as a sequence of lines, each a line of text or a table row.

A PDF, an HTML page and an extracted text file all come out in this one shape, so the interpreter
never knows which format it reads. A table row carries its cells (a grid read from the page's ruling,
a ``<tr>``, or a tab/space-aligned line); rows of one ruled grid share a ``grid`` number. A blank line
stands for a page break or a paragraph break. ``page`` is the physical page (PDF) when known.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


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
    running_header: Optional[str] = None  # a line printed at the top or bottom of most pages
