"""Raw lines to typed lines: a table row (cells) or a line of text, each with its line number.

Tables arrive tab-separated (most extractors) or as space-aligned columns (``pdftotext -layout``);
both become rows of cells here, so everything after this works on one shape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .numbers import parse_amount
from .text import strip_markdown, tidy

_COLUMN_GAP = re.compile(r"(?:[ \u3000]{2,}|\u3000)")
# Site chrome around a document saved from a web page: breadcrumbs, font-size switches, footer links.
_NAVIGATION = re.compile(r"首页|当前位置|字号|打印本页|关闭窗口|返回顶部|网站地图|联系我们|版权所有|ICP备|主办单位|技术支持|分享到")
_NAVIGATION_LEFTOVER = re.compile(r"[\s|>›»/:：【】\[\]]|大|中|小|信息公开")
MAX_NAVIGATION_LENGTH = 60


@dataclass
class Line:
    no: int
    text: str  # cleaned text; for a row, its cells joined by spaces
    cells: Optional[list[str]] = None  # set for table rows
    heading: bool = False  # marked as a heading in the source (Markdown #)

    @property
    def is_row(self) -> bool:
        return self.cells is not None

    @property
    def blank(self) -> bool:
        return not self.text


def is_navigation(text: str) -> bool:
    """A short line made of site navigation words (首页 > 信息公开 > …, 字号：大 中 小, 返回顶部 | 网站地图)."""
    if not text or len(text) > MAX_NAVIGATION_LENGTH or "。" in text or not _NAVIGATION.search(text):
        return False
    return len(_NAVIGATION_LEFTOVER.sub("", _NAVIGATION.sub("", text))) <= 20


def _layout_cells(raw: str) -> Optional[list[str]]:
    """Cells of a space-aligned row: three or more columns separated by runs of spaces."""
    parts = [p for p in _COLUMN_GAP.split(raw.strip()) if p]
    return parts if len(parts) >= 3 else None


def tokenize(raw_lines: list[str]) -> list[Line]:
    lines: list[Line] = []
    for no, raw in enumerate(raw_lines, 1):
        if "\t" in raw:
            cells = [tidy(c) for c in raw.split("\t")]
            if any(cells):
                lines.append(Line(no, " ".join(c for c in cells if c), cells=cells))
            else:
                lines.append(Line(no, ""))
            continue
        text, heading = strip_markdown(raw)
        text = tidy(text).replace("\n", " ")
        lines.append(Line(no, "" if is_navigation(text) else text, heading=heading))
    _mark_layout_tables(lines, raw_lines)
    return lines


def _mark_layout_tables(lines: list[Line], raw_lines: list[str]) -> None:
    """Turn runs of space-aligned lines into rows when the run carries amounts (a table, not prose)."""
    i = 0
    while i < len(lines):
        run = []
        j = i
        while j < len(lines) and not lines[j].is_row and (cells := _layout_cells(raw_lines[j])):
            run.append((j, cells))
            j += 1
        has_amounts = sum(any(parse_amount(c) is not None for c in cells) for _, cells in run)
        if len(run) >= 2 and has_amounts >= 1:
            for k, cells in run:
                lines[k].cells = [tidy(c) for c in cells]
        i = max(j, i + 1)
