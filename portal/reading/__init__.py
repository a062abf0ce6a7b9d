"""Readers: one per source format, each turning a file's bytes into the same ``Extract`` (see extract.py).

The format is told by the bytes, not the file name: a ``.pdf`` that is really a saved web page is read
as HTML (with a warning), and an HTML page saved as ``.txt`` is read as HTML too.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import SourceError
from ..progress import PageProgress, no_pages
from .extract import Extract, Line

MAX_BYTES = 64 * 1024 * 1024  # documented limit: larger files are refused, not parsed
SUFFIXES = (".pdf", ".html", ".htm", ".txt", ".md")
_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<meta|<div|<table|<!--)", re.I)

def sniff(data: bytes) -> str:
    """"pdf", "html" or "text", from the first bytes."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf")
    if b"%PDF-" in head:  # readers accept the header anywhere in the first KiB, so do we
        return "pdf"
    if _HTML_START.match(head):
        return "html"
    return "text"


def read_bytes(data: bytes, name: str, progress: PageProgress = no_pages) -> Extract:
    """Read one document, whatever its format; ``name`` is how errors name it."""
    if not data.strip():
        raise SourceError(name, "file is empty (0 bytes of content); expected a PDF, an HTML page or the text "
                                "of a budget document")
    if len(data) > MAX_BYTES:
        raise SourceError(name, f"file is {len(data) / 2**20:.0f} MiB; documents above "
                                f"{MAX_BYTES // 2**20} MiB are refused (split it into one file per department)")
    fmt = sniff(data)
    suffix = Path(name).suffix.lower()
    if fmt == "pdf":
        from .pdf import read_pdf  # imported on demand: pdfplumber is only needed for PDFs
        return read_pdf(data, name, progress)
    if fmt == "html":
        from .html import read_html
        extract = read_html(data, name)
        if suffix == ".pdf":
            extract.warnings.insert(0, f"{Path(name).name} is named .pdf but is an HTML page; read it as HTML")
        return extract
    if suffix == ".pdf":
        raise SourceError(name, "not a PDF: the file does not start with '%PDF-' (damaged, or saved under the "
                                "wrong name); download the document again")
    from .txt import read_text
    return read_text(data, name)


__all__ = ["Extract", "Line", "MAX_BYTES", "SUFFIXES", "read_bytes", "sniff"]
