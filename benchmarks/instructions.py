#!/usr/bin/env python3
"""Instructions a document page costs to render, counted by Valgrind's callgrind: a figure that stays the same
from run to run, for telling whether a change to the code made a page cheaper.

    sudo apt-get install valgrind                        # once
    .venv/bin/python benchmarks/instructions.py          # this checkout
    .venv/bin/python benchmarks/instructions.py --pages 40

On a shared machine the wall time of the same build moves by a fifth from minute to minute, so a change worth
3% cannot be seen in seconds; the count of instructions executed moves by less than 0.1%. It is not time
(a cache miss costs more than an add), but a change that saves instructions in this code saves time too.

It writes 4 + N source documents as benchmarks/scale.py does, parses them, then renders the first 4 and the
first 4 + N document pages, each in one process the way a build's worker does (YAML, view, checks, HTML,
search records, JSON and CSVs), under callgrind; the difference over N is a page's instructions, without
Python's start, the imports and the templates' compilation. To compare two versions of the code, run it in
each checkout.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import ROOT, Site, cold_parse, generate, progress  # noqa: E402

FIRST = 4  # pages rendered before those counted: the first ones also compile the templates


def render(content: Path, count: int) -> None:
    """Render the first ``count`` document pages of ``content`` here, as a build's worker would."""
    sys.path.insert(0, str(ROOT))
    from portal import parallel, render as rendering
    from portal.buildcache import Manifest
    from portal.config import load_config

    config = load_config(ROOT / "config.yaml", content=content, output=content.parent / "site")
    parallel.PARALLEL_FROM = 10 ** 9  # one process, so that one count holds everything
    todo = rendering.plan(config, Manifest())
    with tempfile.TemporaryDirectory() as out:
        parallel._start(rendering.DocumentRenderer, (config, Path(out), rendering.site_context(config, [])))
        for path in todo.paths[:count]:
            done = parallel._call((path, todo.where[path.name]))
            if done.error:
                sys.exit(f"error: {done.error}")


def instructions(content: Path, count: int) -> int:
    shutil.rmtree(content.parent / ".cache" / "build", ignore_errors=True)  # every data file read as YAML, as in a cold build
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                           __file__, "--render", str(count), "--content", str(content)],
                          capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})  # same sets, same order
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or not found:
        sys.exit(f"error: rendering {count} pages under callgrind failed:\n{done.stderr[-3000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20,
                        help="pages counted (default 20); a multiple of 5 takes each sample as often")
    parser.add_argument("--render", type=int, help=argparse.SUPPRESS)  # the process callgrind runs
    parser.add_argument("--content", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render is not None:
        render(args.content, args.render)
        return
    if shutil.which("valgrind") is None:
        sys.exit("error: valgrind is not installed (Debian: sudo apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="instructions-") as tmp:
        site = Site(content=Path(tmp) / "portal" / "content", output=Path(tmp) / "portal" / "site")
        generate(site.content, FIRST + args.pages)
        cold_parse(site)
        progress(f"counting the instructions of {FIRST} and {FIRST + args.pages} pages (a few minutes)")
        base, more = instructions(site.content, FIRST), instructions(site.content, FIRST + args.pages)
    print(f"{(more - base) / args.pages / 1e6:.1f} million instructions a document page "
          f"({more - base:,} for {args.pages} pages; the samples round-robin)")


if __name__ == "__main__":
    main()
