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
import os
import re
import statistics
from functools import reduce
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Optional

from ..cleaning import join_wrapped, tidy
from ..errors import SourceError
from ..numbers import parse_amount
from .extract import PAGE_NUMBER, Extract, Line, furniture_key, running_lines
from .layout import Part, find_tables

# A column gap between two words on one line, in multiples of the font size.
COLUMN_GAP = 1.6
# Words whose tops differ by less than this (points) are on one line.
LINE_TOLERANCE = 3
# Lines in the top or bottom strip of a page (share of its height) may be running headers or page numbers.
MARGIN = 0.09
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# How a line that a paragraph wraps at the right margin ends: mid-word in Chinese, or after a comma or
# bracket; never after the full stop that ends a paragraph, nor after a figure (a table's line).
RUNS_ON = re.compile(r"[\u4e00-\u9fff，、（）“”‘’《》()]$")
PARALLEL_PAGES = 24  # a shorter document is read in this process: starting workers costs more than it saves
CHUNK_PAGES = 6
MAX_WORKERS = 4
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines", "intersection_tolerance": 4}


@dataclass
class _Item:
    """One line of a page, in reading order: a line of text (with its parts between column gaps) or a grid row."""
    top: float
    text: str
    cells: Optional[list[str]] = None
    grid: Optional[int] = None
    parts: Optional[list[Part]] = None
    margin: bool = False  # in the strip at the top or bottom of the page
    size: float = 0.0  # font size of a text line
    page_width: float = 0.0


def read_pdf(data: bytes, name: str, progress) -> Extract:
    pdf = _open(data, name)
    with pdf:
        try:
            count = len(pdf.pages)
        except Exception as exc:
            raise SourceError(name, f"damaged or truncated PDF: its page list cannot be read ({_reason(exc)})") from None
        if count == 0:
            raise SourceError(name, "the PDF has no pages")
        metadata = pdf.metadata if isinstance(pdf.metadata, dict) else {}
        parallel = count >= PARALLEL_PAGES and (os.cpu_count() or 1) >= 2
        if not parallel:
            chunks = [_read_pages(pdf, range(count), progress)]
    if parallel:
        chunks = _read_in_parallel(data, count, progress)
    pages = [items for chunk in chunks for items in chunk.pages]
    warnings = [w for chunk in chunks for w in chunk.warnings]
    if len(warnings) == count:
        raise SourceError(name, "damaged PDF: none of its pages could be read")
    if sum(chunk.chars for chunk in chunks) == 0:
        if sum(chunk.images for chunk in chunks):
            raise SourceError(name, f"no text layer: a scanned document ({count} pages of images); OCR it first "
                                    "(e.g. ocrmypdf --language chi_sim) and add the OCRed PDF")
        raise SourceError(name, "the PDF contains no text")
    _number_grids(pages)
    furniture = running_lines([[i.text for i in items if i.cells is None and i.margin] for items in pages])
    title = metadata.get("Title")
    return Extract(lines=_lines(pages, furniture), format="pdf", pages=count, warnings=warnings,
                   title_hint=title if isinstance(title, str) else None,
                   running_lines=sorted(furniture.values()))


def _open(data: bytes, name: str):
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many types for a damaged file; pdfplumber wraps them
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise SourceError(name, "the PDF is encrypted and needs a password to open; ask the department for an "
                                    "unprotected copy") from None
        raise SourceError(name, f"damaged or truncated PDF, cannot be opened ({_reason(cause)}); download it again") from None


@dataclass
class _Chunk:
    """What was read from a run of pages."""
    pages: list[list[_Item]]
    warnings: list[str]
    chars: int = 0
    images: int = 0


def _read_pages(pdf, numbers: range, progress=None) -> _Chunk:
    chunk = _Chunk(pages=[], warnings=[])
    for index in numbers:
        page = pdf.pages[index]
        try:
            chunk.chars += len(page.chars)
            chunk.images += len(page.images)
            items = _read_page(page)
        except Exception as exc:
            chunk.warnings.append(f"page {index + 1}: could not be read ({_reason(exc)}); its content is missing")
            items = []
        finally:
            page.close()  # free the page's parsed objects: a 500-page document stays small in memory
        chunk.pages.append(items)
        if progress is not None:
            progress(index + 1, len(pdf.pages))
    return chunk


_worker_pdf = None  # the document, opened once in each worker process


def _open_in_worker(data: bytes) -> None:
    global _worker_pdf
    _worker_pdf = _open(data, "")


def _read_pages_in_worker(numbers: range) -> _Chunk:
    return _read_pages(_worker_pdf, numbers)


def _read_in_parallel(data: bytes, count: int, progress) -> list[_Chunk]:
    """Pages read by a process per core, a few pages at a time, in order (a 140-page table: half the time)."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    ranges = [range(start, min(start + CHUNK_PAGES, count)) for start in range(0, count, CHUNK_PAGES)]
    chunks = []
    with ProcessPoolExecutor(workers, initializer=_open_in_worker, initargs=(data,)) as pool:
        for numbers, chunk in zip(ranges, pool.map(_read_pages_in_worker, ranges)):
            chunks.append(chunk)
            progress(numbers.stop, count)
    return chunks


def _number_grids(pages: list[list[_Item]]) -> None:
    """Number the ruled tables through the document (each page numbered its own from 0)."""
    offset = 0
    for items in pages:
        grids = {i.grid for i in items if i.grid is not None}
        for item in items:
            if item.grid is not None:
                item.grid += offset
        offset += len(grids)


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]


def _read_page(page) -> list[_Item]:
    """The page's lines in reading order (top to bottom): text lines and table rows."""
    height = float(page.height)
    items: list[_Item] = []
    tables = [(t, cells) for t in page.find_tables(TABLE_SETTINGS) if _is_grid(cells := t.extract())]
    for index, (table, extracted) in enumerate(tables):
        for row, cells in zip(table.rows, extracted):
            texts = [_cell_text(c) for c in cells]
            if any(texts):
                top = min((c[1] for c in row.cells if c), default=table.bbox[1])
                items.append(_Item(top, "", cells=texts, grid=index))
    boxes = [t.bbox for t, _ in tables]
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes)) if boxes else page
    for top, text, parts, size in _text_lines(outside):
        items.append(_Item(top, text, parts=parts, margin=top < height * MARGIN or top > height * (1 - MARGIN),
                           size=size, page_width=round(float(page.width))))
    items.sort(key=lambda item: item.top)
    return items


def _is_grid(cells: list[list]) -> bool:
    """A real table has two rows and two columns, or is one row of three cells or more (a header left at the
    foot of a page, its rows on the next); a frame drawn around a text page or a title is not one."""
    columns = max((len(r) for r in cells), default=0)
    return (len(cells) >= 2 and columns >= 2) or (len(cells) == 1 and columns >= 3)


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
    return tidy(joined if parse_amount(joined) is not None else reduce(join_wrapped, pieces, ""))


def _text_lines(page) -> list[tuple[float, str, list[Part], float]]:
    """Lines of words: (top, text, parts between column gaps with their x positions, font size)."""
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
        parts: list[list] = [[line[0]["x0"], line[0]["x1"], line[0]["text"]]]
        for before, word in zip(line, line[1:]):
            if word["x0"] - before["x1"] > COLUMN_GAP * size:
                parts.append([word["x0"], word["x1"], word["text"]])
                continue
            joiner = "" if _CJK.search(before["text"][-1]) or _CJK.search(word["text"][0]) else " "
            parts[-1][1], parts[-1][2] = word["x1"], parts[-1][2] + joiner + word["text"]
        text = " ".join(p[2] for p in parts)
        out.append((min(w["top"] for w in line), text, [(s, e, t) for s, e, t in parts], size))
    return out


def _lines(pages: list[list[_Item]], furniture: dict[str, str]) -> list[Line]:
    """All pages as one line list: furniture dropped, unruled tables found, lines of one paragraph
    joined (also over a page break), a blank line at each page break."""
    margins = _text_margins(pages)
    lines: list[Line] = []
    shown: set[str] = set()  # running lines already kept once: over the first table they head
    runs_on = False  # the last text line reached the right margin mid-sentence: the paragraph goes on
    last_size = last_middle = 0.0  # a paragraph goes on in the same type size (a title: about the same middle)
    for number, items in enumerate(pages, 1):
        kept = _without_furniture(items, furniture, shown)
        unruled = find_tables([item.parts or [] for item in kept], [item.text for item in kept])
        for k, item in enumerate(kept):
            cells = item.cells if item.cells is not None else (
                [tidy(c) for c in unruled[k]] if k in unruled else None)  # grid cells are tidied as read
            if cells is not None:
                lines.append(Line(0, " ".join(c for c in cells if c), cells=cells, page=number, grid=item.grid))
                runs_on = False
                continue
            left, right = margins.get(item.page_width, (0.0, float("inf")))
            start, end = item.parts[0][0], item.parts[-1][1]
            flush_left = start <= left + item.size / 2 and end <= right + item.size
            centred = end < right - item.size and abs((start + end) / 2 - last_middle) <= item.size  # a title's 2nd line
            if runs_on and abs(item.size - last_size) <= 1 and (flush_left or centred):
                while not lines[-1].text:
                    lines.pop()  # the page break between the two halves of the paragraph goes
                lines[-1].text = join_wrapped(lines[-1].text, tidy(item.text))
            else:
                lines.append(Line(0, tidy(item.text), page=number))
            runs_on = end >= right - item.size and bool(RUNS_ON.search(item.text))
            last_size, last_middle = item.size, (start + end) / 2
        lines.append(Line(0, "", page=number))
    for no, line in enumerate(lines, 1):
        line.no = no
    return lines


def _without_furniture(items: list[_Item], furniture: dict[str, str], shown: set[str]) -> list[_Item]:
    """A page's items less its page number and running lines; a running line over a table is kept the first
    time (it may be the table's title or 部门名称), and recorded in ``shown``."""
    texts = [k for k, item in enumerate(items) if item.cells is None]
    ends = {texts[0], texts[-1]} if texts else set()
    has_grid = any(item.cells is not None for item in items)
    kept = []
    for k, item in enumerate(items):
        if item.cells is None and PAGE_NUMBER.match(item.text) and (k in ends or item.margin):
            continue  # a page number: first or last on the page
        key = furniture_key(item.text) if item.cells is None and item.margin else None
        if key in furniture:
            if not has_grid or key in shown:
                continue
            shown.add(key)
        kept.append(item)
    return kept


def _text_margins(pages: list[list[_Item]]) -> dict[float, tuple[float, float]]:
    """For each page width (portrait, landscape), where the body text's lines most often start and end."""
    lefts: dict[float, Counter] = {}
    rights: dict[float, Counter] = {}
    for items in pages:
        for item in items:
            if item.parts and not item.margin:
                lefts.setdefault(item.page_width, Counter())[round(item.parts[0][0])] += 1
                rights.setdefault(item.page_width, Counter())[round(item.parts[-1][1])] += 1
    return {width: (counts.most_common(1)[0][0], rights[width].most_common(1)[0][0]) for width, counts in lefts.items()}
