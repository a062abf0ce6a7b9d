#!/usr/bin/env python3
"""Reading speed of the PDF reader on the corpus (medians, not asserted in tests).

    python benchmarks/read_pdf.py            # every PDF in tests/corpus/, 3 runs each
    python benchmarks/read_pdf.py --runs 1

Prints, per document, its pages, the median seconds of ``read_bytes`` and pages per second, then the
overall pages per second (all pages over the sum of the medians).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.reading import read_bytes  # noqa: E402

CORPUS = sorted((ROOT / "tests" / "corpus").glob("*.pdf"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    total_pages = total_seconds = 0.0
    print(f"{'document':<68} {'pages':>5} {'median s':>9} {'pages/s':>8}")
    for path in CORPUS:
        data = path.read_bytes()
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            extract = read_bytes(data, path.name)
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        total_pages += extract.pages
        total_seconds += seconds
        print(f"{path.name:<68} {extract.pages:>5} {seconds:>9.2f} {extract.pages / seconds:>8.1f}")
    print(f"{f'all {len(CORPUS)} PDFs':<68} {total_pages:>5.0f} {total_seconds:>9.2f} "
          f"{total_pages / total_seconds:>8.1f}")


if __name__ == "__main__":
    main()
