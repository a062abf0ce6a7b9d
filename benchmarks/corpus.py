#!/usr/bin/env python3
"""Parse every document of tests/corpus/ and the bundled samples; print what each gave and how long it took.

    python benchmarks/corpus.py           # a Markdown table: department, year, kind, tables, rows, terms, warnings, s

Reading is not cached here (each PDF is read in full), so the seconds are what a first parse costs.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.errors import PortalError  # noqa: E402
from portal.parsing import parse_file  # noqa: E402
from portal.reading import SUFFIXES  # noqa: E402

DOCUMENTS = sorted(p for p in (ROOT / "tests" / "corpus").iterdir() if p.suffix in SUFFIXES and p.name != "README.md") + sorted(
    (ROOT / "content" / "sources").iterdir())


def main() -> int:
    print("| document | department | year | kind | tables | rows | glossary terms | warnings | seconds |")
    print("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    failed = 0
    for path in DOCUMENTS:
        started = time.perf_counter()
        try:
            doc = parse_file(path)
        except PortalError as exc:
            failed += 1
            print(f"| {path.name} | error: {exc.message} | | | | | | | |")
            continue
        seconds = time.perf_counter() - started
        rows = sum(len(t.rows) for t in doc.tables)
        print(f"| {path.name} | {doc.department} | {doc.year} | {doc.kind} | {len(doc.tables)} | {rows} | "
              f"{len(doc.glossary)} | {len(doc.warnings)} | {seconds:.1f} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
