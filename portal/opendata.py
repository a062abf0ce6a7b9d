"""Open data downloads: a document as JSON, each table as CSV, and the Frictionless Data Package describing them.

The functions return file contents; the renderer decides where they go (``resources`` takes the folder).
Every output is deterministic: the same Document gives the same bytes.

CSV conventions, chosen for Excel and for Python's ``csv`` module alike:
- UTF-8 with a byte-order mark (Excel reads BOM-less CSV in the local code page and garbles Chinese);
- CRLF line endings (RFC 4180, the ``csv`` module's default; Excel and ``csv.reader`` both read them), minimal
  quoting, so a cell with a comma, quote or line break is quoted;
- one header line; amounts as printed digits without thousands separators; empty cells empty;
- a text cell that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, tab or CR)
  gets a leading ``'`` (the OWASP convention against CSV injection), unless it is plainly a number or a dash
  placeholder (``-5%``, ``--``), which a spreadsheet reads as a value. The JSON keeps the text unchanged.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections import Counter
from itertools import chain, zip_longest
from decimal import Decimal
from typing import Any

from . import urls
from .model import KIND_LABELS, Cell, Document, Table
from .views import UNKNOWN_UNIT, header_cells
from .vocabulary import is_column_numbers

CSV_ENCODING = "utf-8-sig"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS = re.compile(r"[-+]?\d[\d,.]*%?|-+")  # a signed number or percentage, or a dash placeholder
_NAME_CHARS = re.compile(r"[^a-z0-9._-]+")  # what a Frictionless name may hold (besides '/')
PACKAGE_DESCRIPTION = (
    "各部门预算、决算文件中的表格，每表一个 CSV 文件（UTF-8 带 BOM，CRLF 换行，金额不含千位分隔符，单位见各表说明）。"
    "以 = + - @ 开头的文字单元格前加了英文单引号 '，以免电子表格软件把它当作公式执行。"
)


# ---------------------------------------------------------------- JSON

def document_json(doc: Document) -> str:
    """The whole Document as JSON: keys sorted, lists in document order, UTF-8 text, one trailing newline.

    Amounts are strings as printed ("45084.94", "0.00"): a JSON number is read as a binary float by most
    parsers, which loses both exactness and the printed precision. In a table a cell may be text or an
    amount, and text can look like a number (the code "2010301"), so an amount cell is {"decimal": "45084.94"};
    a field that is always an amount (an evaluation's budget) is the bare string.
    """
    return json.dumps(_plain(doc), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, str):  # most values: paragraphs, names
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return _digits(value)
    if dataclasses.is_dataclass(value):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if isinstance(value, Table) and f.name in ("header", "rows"):
                out[f.name] = [[{"decimal": _digits(c)} if isinstance(c, Decimal) else c for c in row] for row in item]
            else:
                out[f.name] = _plain(item)
        return out
    return value


def _digits(value: Decimal) -> str:
    """The printed digits, never in exponent form ("1E+2"), which CSV readers and spreadsheets mistake."""
    text = str(value)  # the same digits, five times as fast, but for an exponent
    return format(value, "f") if "E" in text else text


# ---------------------------------------------------------------- CSV

def table_csv(table: Table) -> bytes:
    """The table as CSV bytes: its column names, then its rows (no rows for an empty table)."""
    names = column_names(table)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in table.rows:
        cells = [_csv_cell(c) for c in row]
        writer.writerow(cells + [""] * (len(names) - len(cells)))
    return out.getvalue().encode(CSV_ENCODING)


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return _digits(cell)
    return _defused(cell)


def _defused(text: str) -> str:
    if text.startswith(FORMULA_START) and not _HARMLESS.fullmatch(text):
        return "'" + text
    return text


def column_names(table: Table) -> list[str]:
    """One name per column: the header levels above it joined with " / " ("收入 / 预算数"), on one line;
    "第N列" where nothing is printed above it; " (2)", " (3)" … after a name already taken. A row that
    only numbers the columns (栏次 1 2 3) is left out."""
    width = max((len(r) for r in table.header + table.rows), default=0)
    levels: list[list[str]] = [[] for _ in range(width)]
    covered: set[tuple[int, int]] = set()
    # header_cells gives each printed heading its colspan/rowspan; they are laid out as an HTML table is
    for r, cells in enumerate(header_cells(table.header, [])):
        numbering = is_column_numbers(table.header[r])
        c = 0
        for cell in cells:
            while (r, c) in covered:
                c += 1
            covered.update((r + i, c + j) for i in range(cell.rowspan) for j in range(cell.colspan))
            text = " ".join(cell.text.split())
            for column in range(c, c + cell.colspan):
                if text and not numbering and (not levels[column] or levels[column][-1] != text):
                    levels[column].append(text)
            c += cell.colspan
    names: list[str] = []
    for index, path in enumerate(levels, 1):
        base = _defused(" / ".join(path)) if path else f"第{index}列"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return names


# ---------------------------------------------------------------- Data Package

@dataclasses.dataclass(frozen=True)
class Resources:
    """A document's tables in datapackage.json, serialised by the worker that wrote their CSVs: a build keeps
    every document's between builds (one object a document, quick to read back) and joins them."""
    folder: str  # the document's, site-relative: every path is in it
    names: tuple[str, ...]
    paths: tuple[str, ...]
    descriptors: bytes  # each table's resource, JSON in UTF-8, one line, keys sorted; comma-separated, in path order


def _dumps(value) -> str:
    # one line: an indented dump takes json's pure-Python path, ten times slower for a province's tables
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def resources(doc: Document, folder: str, csvs: list[bytes]) -> Resources:
    """A Frictionless tabular resource for each table's CSV (``csvs``, as table_csv made them, one per table), at
    ``folder``/urls.table_csv (site-relative)."""
    kind = KIND_LABELS[doc.kind]
    found = []
    for table, data in zip(doc.tables, csvs):
        caption = f"{table.label} {table.title}" if table.label else table.title
        where = f"，原文第 {table.page} 页" if table.page else ""
        path, name = f"{folder}/{urls.table_csv(table.id)}", _NAME_CHARS.sub("-", f"{folder}/{table.id}".lower()).strip("-")
        found.append((path, name, _dumps({
            "name": name,
            "path": path,
            "profile": "tabular-data-resource",
            "title": table.title,
            "description": f"{doc.department} {doc.year} 年{kind}：{caption}。金额单位：{table.unit or UNKNOWN_UNIT}{where}。",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": CSV_ENCODING,
            "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),  # validators check the file against it
            "schema": _schema(table, data),
        })))
    found.sort()
    return Resources(folder, tuple(name for _, name, _ in found), tuple(path for path, _, _ in found),
                     ",".join(descriptor for _, _, descriptor in found).encode())


def _schema(table: Table, data: bytes) -> dict:
    """A column of amounts only is a "number" (plain digits, '.' for the point, no group separator: the
    Table Schema defaults); any column with text (codes, names, "100%") is a "string". The names are read
    back from the CSV's header line (column names hold no line break)."""
    names = next(csv.reader([data.split(b"\r\n", 1)[0].decode(CSV_ENCODING)]))
    kinds = [set(map(type, column)) - {type(None)} for column in zip_longest(*table.rows)]
    return {"fields": [{"name": name, "type": "number" if index < len(kinds) and kinds[index] == {Decimal} else "string"}
                       for index, name in enumerate(names)],
            "missingValues": [""]}


def package(title: str, documents: list[Resources]) -> bytes:
    """datapackage.json: the resources sorted by path, whatever order the workers finished in (a document's
    paths are all in its folder, and no document's folder is in another's: documents sorted by folder).
    No licence is declared: the documents' terms of reuse are not known here."""
    ordered = sorted(documents, key=lambda d: d.folder + "/")
    for key in ("names", "paths"):
        values = list(chain.from_iterable(getattr(d, key) for d in ordered))
        if len(set(values)) < len(values):
            duplicates = sorted(v for v, n in Counter(values).items() if n > 1)
            raise ValueError(f"data package resources share a {key[:-1]}: {', '.join(duplicates)}")
    descriptor = _dumps({
        "profile": "tabular-data-package",
        "name": _NAME_CHARS.sub("-", title.lower()).strip("-") or "budget-open-data",
        "title": title,
        "description": PACKAGE_DESCRIPTION,
        "resources": [],
    })
    # the resources go into the empty list, already serialised: the only '"resources":[]' (a string value
    # holding it would have its quotes escaped)
    head, _, tail = descriptor.partition('"resources":[]')
    resources = b",".join(d.descriptors for d in ordered if d.descriptors)
    return b"".join([f'{head}"resources":['.encode(), resources, f"]{tail}\n".encode()])
