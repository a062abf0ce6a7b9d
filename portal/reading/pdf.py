"""PDF → lines and table rows, with pdfplumber.

Tables are read from the page's ruling (lines, rectangles and the vector paths some producers draw
borders with), so a cell whose text wraps (``18,536.8`` / ``8``, a header stacked one character a line)
stays one cell. Text outside the tables is read line by line; wide gaps between words are kept as
column gaps so that an unruled table is still recognised by its aligned columns, as in a
``pdftotext -layout`` file. Page furniture (page numbers, a running header printed on most pages) is
dropped, so a table continued on the next page reads as one run of rows.
"""
from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from typing import Optional

from ..cleaning import tidy
from ..errors import SourceError
from ..numbers import parse_amount
from .extract import Extract, Line
from .txt import mark_layout_tables

# A column gap between two words on one line, in multiples of the font size.
COLUMN_GAP = 1.6
# Words whose tops differ by less than this (points) are on one line.
LINE_TOLERANCE = 3
# Lines in the top or bottom strip of a page (share of its height) may be running headers or page numbers.
MARGIN = 0.09
PAGE_NUMBER = re.compile(r"^[-—–\s]*(?:第\s*)?\d(?:\s?\d){0,2}\s*(?:页)?(?:\s*[/共]\s*\d+\s*页?)?[-—–\s]*$")  # "- 3 -", "2 8", "第3页/共9页"
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "intersection_tolerance": 4}


def read_pdf(data: bytes, name: str, progress) -> Extract:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    warnings: list[str] = []
    pages: list[list[tuple[str, Optional[list[str]], float, float]]] = []  # per page: (text, cells, top, height)
    grids: list[list[Optional[int]]] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect:
        raise SourceError(name, "the PDF is encrypted and needs a password to open; ask the department for an "
                                "unprotected copy") from None
    except Exception as exc:  # pdfminer raises many types for a damaged file
        raise SourceError(name, f"damaged or truncated PDF, cannot be opened ({_reason(exc)}); download it again") from None
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise SourceError(name, f"damaged or truncated PDF: its page list cannot be read ({_reason(exc)})") from None
        if count == 0:
            raise SourceError(name, "the PDF has no pages")
        chars = images = failed = 0
        for number, page in enumerate(pdf.pages, 1):
            try:
                chars += len(page.chars)
                images += len(page.images)
                rows, grid_ids = _read_page(page, len(grids))
            except Exception as exc:
                failed += 1
                warnings.append(f"page {number}: could not be read ({_reason(exc)}); its content is missing")
                rows, grid_ids = [], []
            finally:
                page.close()  # free the page's parsed objects: a 500-page document stays small in memory
            pages.append(rows)
            grids.append(grid_ids)
            progress(number, count)
        title_hint = (pdf.metadata or {}).get("Title") if isinstance(pdf.metadata, dict) else None
    if failed == count:
        raise SourceError(name, "damaged PDF: none of its pages could be read")
    if chars == 0:
        if images:
            raise SourceError(name, f"no text layer: a scanned document ({count} pages of images); OCR it first "
                                    "(e.g. ocrmypdf --language chi_sim) and add the OCRed PDF")
        raise SourceError(name, "the PDF contains no text")
    furniture = _furniture(pages)
    return Extract(lines=_lines(pages, grids, furniture), format="pdf", pages=count, warnings=warnings,
                   title_hint=title_hint if isinstance(title_hint, str) else None,
                   running_header=max(furniture.values(), key=len) if furniture else None)


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]


def _read_page(page, first_grid: int) -> tuple[list[tuple[str, Optional[list[str]], float, float]], list[Optional[int]]]:
    """The page's items in reading order (top to bottom): text lines and table rows."""
    items: list[tuple[float, str, Optional[list[str]], Optional[int]]] = []
    tables = [t for t in page.find_tables(TABLE_SETTINGS) if _is_grid(t)]
    for index, table in enumerate(tables):
        for row, cells in zip(table.rows, table.extract()):
            top = min((c[1] for c in row.cells if c), default=table.bbox[1])
            texts = [_cell_text(c) for c in cells]
            if any(texts):
                items.append((top, "", texts, first_grid + index))
    boxes = [t.bbox for t in tables]
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes)) if boxes else page
    for top, text in _text_lines(outside):
        items.append((top, text, None, None))
    items.sort(key=lambda item: item[0])
    rows = [(text, cells, top, float(page.height)) for top, text, cells, _ in items]
    return rows, [grid for *_, grid in items]


def _is_grid(table) -> bool:
    """A real table has two rows and two columns; a frame drawn around a text page is not one."""
    cells = table.extract()
    return len(cells) >= 2 and max((len(r) for r in cells), default=0) >= 2


def _inside(obj, boxes) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _cell_text(text: Optional[str]) -> str:
    """One cell: its wrapped lines joined (a number cut by a narrow cell becomes whole again)."""
    if not text:
        return ""
    pieces = [p.strip() for p in text.split("\n") if p.strip()]
    joined = "".join(pieces)
    if len(pieces) > 1 and parse_amount(joined) is None:
        out = pieces[0]
        for piece in pieces[1:]:
            ascii_join = out[-1].isascii() and out[-1].isalpha() and piece[0].isascii() and piece[0].isalpha()
            out += (" " if ascii_join else "") + piece
        joined = out
    return tidy(joined)


def _text_lines(page) -> list[tuple[float, str]]:
    """Lines of words, words joined as they stand: nothing between CJK characters, a column gap as three spaces."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=LINE_TOLERANCE, keep_blank_chars=False, use_text_flow=False)
    words.sort(key=lambda w: (round(w["top"]), w["x0"]))
    lines: list[list[dict]] = []
    for word in words:
        if lines and abs(lines[-1][0]["top"] - word["top"]) <= LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    out = []
    for line in lines:
        line.sort(key=lambda w: w["x0"])
        size = statistics.median(w["bottom"] - w["top"] for w in line) or 10
        text = line[0]["text"]
        for before, word in zip(line, line[1:]):
            gap = word["x0"] - before["x1"]
            if gap > COLUMN_GAP * size:
                text += "   "
            elif not (_CJK.search(before["text"][-1]) or _CJK.search(word["text"][0])):
                text += " "
            text += word["text"]
        out.append((min(w["top"] for w in line), text))
    return out


def _furniture(pages: list[list[tuple[str, Optional[list[str]], float, float]]]) -> dict[str, str]:
    """Texts printed in the page margins on many pages (running headers and footers): key → one printed form."""
    counts: Counter = Counter()
    printed: dict[str, str] = {}
    for rows in pages:
        seen = set()
        for text, cells, top, height in rows:
            if cells is None and _in_margin(top, height) and not PAGE_NUMBER.match(text):
                key = _furniture_key(text)
                seen.add(key)
                printed.setdefault(key, text)
        counts.update(seen)
    threshold = max(3, len(pages) // 3)
    return {key: printed[key] for key, n in counts.items() if n >= threshold and key}


def _in_margin(top: float, height: float) -> bool:
    return top < height * MARGIN or top > height * (1 - MARGIN)


def _furniture_key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _lines(pages, grids, furniture: dict[str, str]) -> list[Line]:
    """All pages as one line list: furniture dropped, a blank line at each page break."""
    lines: list[Line] = []
    for number, (rows, grid_ids) in enumerate(zip(pages, grids), 1):
        raw: list[str] = []
        page_lines: list[Line] = []
        texts = [k for k, (_, cells, _, _) in enumerate(rows) if cells is None]
        ends = {texts[0], texts[-1]} if texts else set()
        for k, ((text, cells, top, height), grid) in enumerate(zip(rows, grid_ids)):
            if cells is not None:
                page_lines.append(Line(0, " ".join(c for c in cells if c), cells=cells, page=number, grid=grid))
                raw.append("")
                continue
            if PAGE_NUMBER.match(text) and (k in ends or _in_margin(top, height)):
                continue  # a page number: the first or last line of the page
            if _in_margin(top, height) and _furniture_key(text) in furniture:
                continue
            page_lines.append(Line(0, text, page=number))
            raw.append(text)
        _mark_columns(page_lines, raw)
        lines.extend(page_lines)
        lines.append(Line(0, "", page=number))
    for no, line in enumerate(lines, 1):
        line.no = no
    return lines


def _mark_columns(lines: list[Line], raw: list[str]) -> None:
    """Unruled tables: runs of text lines with column gaps that carry amounts become rows."""
    mark_layout_tables(lines, raw)
    for line in lines:
        if line.is_row and line.grid is None:
            line.text = " ".join(c for c in line.cells if c)
        elif not line.is_row:
            line.text = tidy(line.text)
