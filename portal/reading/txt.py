"""Text extracted from a PDF (tab-separated, ``pdftotext -layout`` or plain ``pdftotext``) or saved from a web page.

Bytes → lines: encoding, line endings and page breaks; then each line becomes a table row (tab-separated
cells, or space-aligned columns in a run that carries amounts) or a line of text.
"""
from __future__ import annotations

import re
from typing import Optional

from ..cleaning import strip_markdown, tidy
from ..errors import SourceError
from ..numbers import parse_amount
from .extract import Extract, Line

_CJK = re.compile(r"[\u4e00-\u9fff]")
_COLUMN_GAP = re.compile(r"(?:[ \u3000]{2,}|\u3000)")
# Site chrome around a document saved from a web page: breadcrumbs, font-size switches, footer links.
_NAVIGATION = re.compile(r"首页|当前位置|字号|打印本页|关闭窗口|返回顶部|网站地图|联系我们|版权所有|ICP备|主办单位|技术支持|分享到")
_NAVIGATION_LEFTOVER = re.compile(r"[\s|>›»/:：【】\[\]]|大|中|小|信息公开")
MAX_NAVIGATION_LENGTH = 60


def read_text(data: bytes, name: str) -> Extract:
    warnings: list[str] = []
    text = decode(data, name, warnings)
    lines = tokenize(split_lines(text))
    return Extract(lines=lines, format="text", warnings=warnings)


def decode(data: bytes, name: str, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM) as published; GB18030/GBK is read too, with a warning."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(name, "binary file (it contains NUL bytes) that is not a PDF: expected a PDF, an HTML page "
                                "or the UTF-8 text of a budget document", data.count(b"\n", 0, nul) + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(_CJK.findall(text)) >= max(1, len(text) // 20):
        warnings.append(f"line {bad_line}: file is not UTF-8; read it as GB18030/GBK (save it as UTF-8 to silence this)")
        return text
    raise SourceError(name, "not UTF-8 text (nor GBK): expected the UTF-8 text of a budget document", bad_line)


def split_lines(text: str) -> list[str]:
    """Lines with any line ending normalised; form feeds (page breaks) dropped so line numbers stay as an editor shows them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.replace("\f", "") for line in text.split("\n")]


def is_navigation(text: str) -> bool:
    """A short line made of site navigation words (首页 > 信息公开 > …, 字号：大 中 小, 返回顶部 | 网站地图)."""
    if not text or len(text) > MAX_NAVIGATION_LENGTH or "。" in text or not _NAVIGATION.search(text):
        return False
    return len(_NAVIGATION_LEFTOVER.sub("", _NAVIGATION.sub("", text))) <= 20


def layout_cells(raw: str) -> Optional[list[str]]:
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
    mark_layout_tables(lines, raw_lines)
    return lines


def mark_layout_tables(lines: list[Line], raw_lines: list[str]) -> None:
    """Turn runs of space-aligned lines into rows when the run carries amounts (a table, not prose)."""
    i = 0
    while i < len(lines):
        run = []
        j = i
        while j < len(lines) and not lines[j].is_row and (cells := layout_cells(raw_lines[j])):
            run.append((j, cells))
            j += 1
        has_amounts = sum(any(parse_amount(c) is not None for c in cells) for _, cells in run)
        if len(run) >= 2 and has_amounts >= 1:
            for k, cells in run:
                lines[k].cells = [tidy(c) for c in cells]
        i = max(j, i + 1)
