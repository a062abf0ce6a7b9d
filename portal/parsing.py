"""Parsing a source document: read it (one reader per format) → interpret it (one interpreter) → Document."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from .errors import SourceError
from .interpreting import interpret
from .model import Document, Source
from .progress import PageProgress, no_pages
from .reading.cache import read_cached

# Raise when parsing changes what it writes: data files written by an older parser are then
# regenerated (unless edited by hand, which parse keeps and reports).
PARSER_VERSION = 7


def parse_file(path: Path, progress: PageProgress = no_pages, cache_dir: Optional[Path] = None) -> Document:
    """Parse one source file; with ``cache_dir``, what was read from a PDF is kept there for next time."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read document: {exc.strerror or exc}") from None
    return parse_bytes(data, path.name, display_name=str(path), progress=progress, cache_dir=cache_dir)


def parse_bytes(data: bytes, file_name: str, display_name: str | None = None,
                progress: PageProgress = no_pages, cache_dir: Optional[Path] = None) -> Document:
    """Parse one document; ``file_name`` is recorded in the data file, ``display_name`` names it in errors."""
    source = Source(file=file_name, sha256=hashlib.sha256(data).hexdigest())
    extract = read_cached(data, source.sha256, display_name or file_name, progress, cache_dir)
    return interpret(extract, source)
