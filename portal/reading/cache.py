"""Reading a PDF takes seconds (a 140-page table, a minute): what a reader made of a PDF is kept, keyed by
the file's checksum and the readers' version, so re-interpreting it (a new parser version, ``--force``)
does not read it again. Only PDFs are kept: text and HTML are read in milliseconds."""
from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from pathlib import Path
from typing import Optional

from ..progress import PageProgress
from . import read_bytes, sniff
from .extract import Extract, Line

# Raise when a reader changes what it produces: kept extracts of older readers are then not used.
READER_VERSION = 4


def read_cached(data: bytes, sha256: str, name: str, progress: PageProgress, cache_dir: Optional[Path]) -> Extract:
    """``read_bytes``, through the cache; ``sha256`` is the checksum of ``data``."""
    if cache_dir is None or sniff(data) != "pdf":
        return read_bytes(data, name, progress)
    path = cache_dir / f"{sha256}-r{READER_VERSION}.json"
    kept = _load(path)
    if kept is not None:
        return kept
    extract = read_bytes(data, name, progress)
    _store(path, extract)
    return extract


def _load(path: Path) -> Optional[Extract]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Extract(**{**raw, "lines": [Line(**line) for line in raw["lines"]]})
    except (OSError, ValueError, TypeError, KeyError):
        return None  # absent or unusable: read the PDF again


def _store(path: Path, extract: Extract) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(dataclasses.asdict(extract), fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time
