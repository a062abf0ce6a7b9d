#!/usr/bin/env python3
"""Timing and memory figures for the README and the issue notes (medians, not asserted in tests).

    python benchmarks/bench.py            # samples, builds, one-document rebuild, what a page costs
    python benchmarks/bench.py --big      # also a ~50 MB document and a 100,000-row table

Each figure is the median of --runs runs; big inputs report wall time and peak traced memory.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import datafile, opendata, pipeline  # noqa: E402
from portal.checks import check_document  # noqa: E402
from portal.config import load_config  # noqa: E402
from portal.parsing import parse_bytes  # noqa: E402
from portal.render import plan, site_context  # noqa: E402
from portal.buildcache import Manifest  # noqa: E402
from portal.search import search_entries  # noqa: E402
from portal.views import document_view  # noqa: E402
from portal.writer import SiteWriter  # noqa: E402

SAMPLES = sorted((ROOT / "content" / "sources").glob("*.txt"))


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure_big(name: str, data: bytes) -> None:
    """Wall time of a plain run, then peak memory from a second, traced run (tracing slows it down)."""
    started = time.perf_counter()
    doc = parse_bytes(data, name)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    parse_bytes(data, name)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows = sum(len(t.rows) for t in doc.tables)
    print(f"{name}: {len(data) / 2**20:.1f} MiB, {len(doc.tables)} tables, {rows} rows: {seconds:.1f} s "
          f"({len(data) / 2**20 / seconds:.2f} MiB/s), peak traced memory {peak / 2**20:.0f} MiB "
          f"({peak / len(data):.1f} bytes per input byte)")


def page_costs(runs: int) -> None:
    """Where a document page's time goes, step by step (what a build's worker does for each data file)."""
    config = load_config(ROOT / "config.yaml")
    where = plan(config, Manifest()).where
    paths = sorted(config.data_dir.glob("*.yaml"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    docs = [datafile.read_data(t, p.name) for t, p in zip(texts, paths)]
    views = [document_view(d, where[p.name]) for d, p in zip(docs, paths)]
    with tempfile.TemporaryDirectory() as tmp:
        writer = SiteWriter(config, Path(tmp), site_context(config, []))
        steps = [
            ("read the YAML data file", lambda: [datafile.read_data(t, p.name) for t, p in zip(texts, paths)]),
            ("view (cells, anchors, figures, charts, checks)", lambda: [document_view(d, where[p.name]) for d, p in zip(docs, paths)]),
            ("  of which the arithmetic checks", lambda: [check_document(d) for d in docs]),
            ("HTML (document.html)", lambda: [writer.page(v.url, "document.html", d=v) for v in views]),
            ("search records and postings", lambda: [search_entries(v) for v in views]),
            ("JSON and CSVs", lambda: [(opendata.document_json(d), [opendata.table_csv(t) for t in d.tables]) for d in docs]),
        ]
        print(f"a document page, the {len(docs)} samples (ms a page, median of {runs}):")
        for label, action in steps:
            print(f"  {label}: {median_seconds(action, runs) * 1000 / len(docs):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--big", action="store_true", help="also parse a ~50 MB document and a 100,000-row table")
    args = parser.parse_args()

    total = sum(p.stat().st_size for p in SAMPLES)
    for path in SAMPLES:
        data = path.read_bytes()
        seconds = median_seconds(lambda: parse_bytes(data, path.name), args.runs)
        print(f"parse {path.name} ({len(data) / 1024:.0f} KiB): median {seconds * 1000:.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for name in ("content", "templates"):
            shutil.copytree(ROOT / name, project / name)
        shutil.copy(ROOT / "config.yaml", project / "config.yaml")
        config = load_config(project / "config.yaml")

        def cold():
            shutil.rmtree(config.data_dir, ignore_errors=True)
            pipeline.build(config)
        print(f"cold build (parse all {len(SAMPLES)} samples, {total / 1024:.0f} KiB, render): "
              f"median {median_seconds(cold, args.runs):.2f} s")
        pipeline.build(config)
        print(f"warm build (nothing changed, data files cached): median "
              f"{median_seconds(lambda: pipeline.build(config), args.runs):.2f} s")
        source = config.sources_dir / SAMPLES[2].name
        original = source.read_text(encoding="utf-8")

        def one_changed():
            source.write_text(original + f"\n{time.perf_counter()}\n", encoding="utf-8")
            pipeline.build(config)
        print(f"rebuild after one document changed (what `serve` does on save): median "
              f"{median_seconds(one_changed, args.runs):.2f} s")

    page_costs(args.runs)

    if args.big:
        sample = SAMPLES[1].read_bytes()
        measure_big("big-50MB.txt", sample + b"\n" + sample.split(b"\n", 3)[3] * (50 * 2**20 // len(sample)))
        header = "某局 2024 年部门预算\n\n支出总表\n\n单位：万元\n\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n"
        rows = "".join(f"{2010000 + i}\t项目{i}\t{i}.{i % 100:02d}\t{i % 7}.00\t0.00\n" for i in range(100_000))
        measure_big("table-100000-rows.txt", (header + rows).encode())


if __name__ == "__main__":
    main()
