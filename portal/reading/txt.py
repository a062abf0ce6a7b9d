"""Text extracted from a PDF (tab-separated, ``pdftotext -layout`` or plain ``pdftotext``) or saved from a web page.

Bytes → lines: encoding, line endings and page breaks; then each line becomes a table row (tab-separated
cells, or space-aligned columns in a run that carries amounts) or a line of text.
"""
from __future__ import annotations

import re
from itertools import accumulate

from ..cleaning import strip_markdown, tidy
from ..errors import SourceError
from .extract import PAGE_NUMBER, Extract, Line, furniture_key, running_lines
from .layout import aligned_amounts, find_tables, parts_of, tokens_of

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Site chrome around a document saved from a web page: breadcrumbs, font-size switches, footer links.
_NAVIGATION = re.compile(r"首页|当前位置|字号|打印本页|关闭窗口|返回顶部|网站地图|联系我们|版权所有|ICP备|主办单位|技术支持|分享到")
_NAVIGATION_LEFTOVER = re.compile(r"[\s|>›»/:：【】\[\]]|大|中|小|信息公开")
MAX_NAVIGATION_LENGTH = 60
_WIDE_GAP = re.compile(r"\S(?: {2,}|\u3000)\S")


def read_text(data: bytes, name: str) -> Extract:
    warnings: list[str] = []
    text = decode(data, name, warnings)
    raw_lines, pages = split_lines(text)
    running = _blank_page_furniture(raw_lines, pages) if pages[-1] else {}
    return Extract(lines=tokenize(raw_lines), format="text", warnings=warnings,
                   running_lines=sorted(running.values()))


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


def _blank_page_furniture(raw_lines: list[str], pages: list[int]) -> dict[str, str]:
    """Blank the page numbers and the running headers and footers at the top and bottom of each page
    (line numbers stay as they are); return the running lines."""
    on_page: dict[int, list[int]] = {}
    for no, (raw, page) in enumerate(zip(raw_lines, pages)):
        if raw.strip():
            on_page.setdefault(page, []).append(no)
    ends = [found[:2] + found[-2:] for found in on_page.values()]
    running = running_lines([[raw_lines[k] for k in end] for end in ends])
    for end in ends:
        for k in end:
            if PAGE_NUMBER.match(raw_lines[k]) and k in (end[0], end[-1]) or furniture_key(raw_lines[k]) in running:
                raw_lines[k] = ""
    return running


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """Lines with any line ending normalised and form feeds dropped (so line numbers stay as an editor shows
    them); and the page of each line, counted by those form feeds (pdftotext ends each page with one)."""
    pieces = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [p.replace("\f", "") for p in pieces], list(accumulate(p.count("\f") for p in pieces))


def is_navigation(text: str) -> bool:
    """A short line made of site navigation words (首页 > 信息公开 > …, 字号：大 中 小, 返回顶部 | 网站地图)."""
    if not text or len(text) > MAX_NAVIGATION_LENGTH or "。" in text or not _NAVIGATION.search(text):
        return False
    return len(_NAVIGATION_LEFTOVER.sub("", _NAVIGATION.sub("", text))) <= 20


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
    """Lines of a space-aligned table (``pdftotext -layout``) become rows. Columns are measured the way
    the file was aligned: by characters (pdftotext) or by display width (an editor), whichever lines up
    more amounts. A file with no wide gaps at all sets cells apart by single spaces: its words are cells."""
    open_lines = [not line.is_row and bool(raw.strip()) for line, raw in zip(lines, raw_lines)]
    if not any(_WIDE_GAP.search(raw.strip()) for raw, is_open in zip(raw_lines, open_lines) if is_open):
        candidates = [tokens_of(raw) if is_open else [] for raw, is_open in zip(raw_lines, open_lines)]
    else:
        measures = [[parts_of(raw, wide) if is_open else [] for raw, is_open in zip(raw_lines, open_lines)]
                    for wide in (False, True)]
        candidates = max(measures, key=aligned_amounts)
    for k, cells in find_tables(candidates, raw_lines).items():
        lines[k].cells = [tidy(c) for c in cells]
        lines[k].text = " ".join(c for c in lines[k].cells if c)
