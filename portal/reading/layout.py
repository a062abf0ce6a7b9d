"""Tables set out in space-aligned columns, as ``pdftotext -layout`` prints them: lines → rows of cells.

A block of consecutive lines that are split into parts by wide gaps, two or more of which carry
amounts, is a table. Its columns are found from the positions of the parts on the lines that carry
amounts (names are left-aligned, amounts right-aligned, so each column's parts overlap); every part of
every line of the block, header lines included, is then put in the column it overlaps most. Lines of
one part inside the block (a name on its own, an indented continuation) are rows too.
"""
from __future__ import annotations

import re
import unicodedata
from ..numbers import parse_amount

_GAP = re.compile(r"[ \u3000]{2,}|\u3000")
# A single space that pdftotext left between an amount and the next column's text ("4,651.67 一、一般…",
# "行政运行 535.83").
_AMOUNT_THEN_TEXT = re.compile(r"(?<=\d\.\d\d) (?=\S)|(?<=[^\x00-\x7f]) (?=[-+]?\d[\d,]*\.\d+(?: |$))")
_PROSE = re.compile(r"[。；！？]|，.*，|万元")  # a sentence (justified text is spaced out too), not a row
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DECIMAL_AMOUNT = re.compile(r"(?:^|\s)[-+]?\d[\d,]*\.\d+(?:\s|$)")
ALIGN = 1  # a lone part belongs to the block if it starts or ends within this of a part above it

Part = tuple[float, float, str]  # where the part starts and ends on its line (characters, or points in a PDF), text


def parts_of(raw: str, wide: bool = False) -> list[Part]:
    """The pieces of a line between wide gaps, with their positions: in characters (as ``pdftotext -layout``
    places text), or with ``wide`` in display columns (CJK two wide, as a file aligned in an editor)."""
    parts: list[Part] = []
    position = 0
    pieces = _GAP.split(raw.rstrip())
    if _PROSE.search(raw):
        pieces = [raw.strip()]
    for piece in pieces:
        start = raw.index(piece, position) if piece else position
        position = start + len(piece)
        if not piece.strip():
            continue
        offset = start
        for sub in (_AMOUNT_THEN_TEXT.split(piece) if len(pieces) > 1 else [piece]):
            sub_start = raw.index(sub, offset)
            offset = sub_start + len(sub)
            begin = _width(raw[:sub_start]) if wide else sub_start
            parts.append((begin, begin + (_width(sub) if wide else len(sub)), sub.strip()))
    return parts


def tokens_of(raw: str) -> list[Part]:
    """The words of a line whose cells are set apart by single spaces (pdfplumber's and plain text
    extractors' rows: ``行政运行 535.83 535.83 0.00``), positioned by their order. Letter-spaced words
    (``收 入 总 计``) are one word. Only a line with an amount in it is split: a sentence, a heading
    (第四部分 名词解释) or a contents entry (一、主要职能 3) is one part, set apart from every column."""
    if _PROSE.search(raw) or (" " in raw.strip() and not _DECIMAL_AMOUNT.search(raw)):
        return [(-2, -1, raw.strip())]
    words: list[str] = []
    for word in raw.split():
        if words and len(word) == 1 and len(words[-1].split()[-1]) == 1 and _CJK.match(word) and _CJK.match(words[-1][-1]):
            words[-1] += word
        else:
            words.append(word)
    return [(i, i + 1, word) for i, word in enumerate(words)]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned_amounts(lines: list[list[Part]]) -> int:
    """How many amounts end exactly where an amount ends on the line before: right-aligned columns."""
    count = 0
    for before, line in zip(lines, lines[1:]):
        ends = {e for _, e, text in before if parse_amount(text) is not None}
        count += sum(e in ends for _, e, text in line if parse_amount(text) is not None)
    return count


def _has_amount(parts: list[Part]) -> bool:
    return any(parse_amount(text) is not None for _, _, text in parts)


def find_tables(parts: list[list[Part]], texts: list[str]) -> dict[int, list[str]]:
    """For each line (given as its parts, and its text) that is a table row, its cells."""
    parts = [[(p[0][0], p[-1][1], text)] if p and _PROSE.search(text) else p for p, text in zip(parts, texts)]
    rows: dict[int, list[str]] = {}
    i = 0
    while i < len(parts):
        end = _block_end(parts, i)
        block = range(i, end)
        if sum(_has_amount(parts[k]) for k in block) >= 2 and any(len(parts[k]) >= 3 for k in block):
            rows.update(_cells(parts, block))
            i = end
        else:
            i += 1
    return rows


def _block_end(parts: list[list[Part]], start: int) -> int:
    """Index after the run of columned lines starting at ``start``. A line of one part (a name on its own,
    a row whose other cells are empty) stays in the run when it lines up with a part above it; a single
    blank line (rows set double-spaced) does not end the run."""
    if len(parts[start]) < 2:
        return start + 1
    starts, ends = set(), set()
    k = start
    while k < len(parts):
        line = parts[k]
        if not line:
            if k + 1 < len(parts) and len(parts[k + 1]) >= 2:
                k += 1
                continue
            break
        if len(line) == 1:
            s, e, _ = line[0]
            if not any(abs(s - x) <= ALIGN for x in starts) and not any(abs(e - x) <= ALIGN for x in ends):
                break
        starts.update(s for s, _, _ in line)
        ends.update(e for _, e, _ in line)
        k += 1
    while k > start + 1 and len(parts[k - 1]) < 2:
        k -= 1  # a run ends on a columned line
    return k


def _columns(parts: list[list[Part]], block: range) -> list[tuple[int, int]]:
    """Column spans: the parts of the amount lines, overlapping ones merged; then, from the lowest line
    up (the finest header line first), each part that overlaps no column yet opens one (empty columns)."""
    spans = sorted((s, e) for k in block if _has_amount(parts[k]) for s, e, _ in parts[k])
    merged: list[list[float]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    for k in reversed(block):
        if _has_amount(parts[k]):
            continue
        for s, e, _ in parts[k]:
            if not any(min(e, ce) > max(s, cs) for cs, ce in merged):
                merged.append([s, e])
    return sorted((s, e) for s, e in merged)


def _column_of(part: Part, columns: list[tuple[int, int]]) -> int:
    start, end, _ = part
    overlaps = [min(end, e) - max(start, s) for s, e in columns]
    best = max(range(len(columns)), key=lambda c: overlaps[c])
    if overlaps[best] > 0:
        return best
    middle = (start + end) / 2
    return min(range(len(columns)), key=lambda c: abs((columns[c][0] + columns[c][1]) / 2 - middle))


def _cells(parts: list[list[Part]], block: range) -> dict[int, list[str]]:
    columns = _columns(parts, block)
    out: dict[int, list[str]] = {}
    for k in block:
        if not parts[k]:
            continue
        cells = [""] * len(columns)
        for part in parts[k]:
            c = _column_of(part, columns)
            cells[c] = f"{cells[c]} {part[2]}".strip() if cells[c] else part[2]
        out[k] = cells
    return out
