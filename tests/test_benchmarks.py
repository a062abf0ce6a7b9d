"""The benchmarks run, at their smallest, as anyone would run them: a benchmark that stopped working with the
code it measures (as benchmarks/search.py once did) is found here, not when its figures are needed."""
import re
import shutil
import subprocess
import sys

from tests.conftest import ROOT, needs_chromium


def run(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    return done


def test_scale_builds_distinct_departments_and_finds_the_changed_figure():
    done = run("benchmarks/scale.py", "--sizes", "3", "--runs", "1")
    assert "3 data files, 3 distinct departments" in done.stderr
    assert re.search(r"changed an amount in \S+ to [\d,.]+: on departments/\S+/index.html after the rebuild", done.stderr)
    assert re.search(r"^\| 3 \| [\d.]+ \| [\d.]+ \(CPU [\d.]+\) \|", done.stdout, re.M)


def test_bench_times_every_step_of_a_page():
    done = run("benchmarks/bench.py", "--runs", "1")
    for step in ("read the YAML data file", "view (cells, anchors, figures, charts, checks)", "HTML (document.html)",
                 "search records and postings", "JSON and CSVs"):
        assert re.search(rf"^  {re.escape(step)}: [\d.]+$", done.stdout, re.M), step


def test_instructions_renders_pages_as_a_worker_does(tmp_path):
    """What benchmarks/instructions.py runs under callgrind (which CI does not have): the samples' pages."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    run("benchmarks/instructions.py", "--render", "2", "--content", str(tmp_path / "content"))
    assert len(list((tmp_path / ".cache" / "build" / "summaries").iterdir())) == 2  # two pages rendered


@needs_chromium
def test_preview_sees_the_saved_figure_in_the_browser():
    done = run("benchmarks/preview.py", "--departments", "20", "--saves", "1")
    assert re.search(r"save 1: reload after [\d.]+ s; the page shows [\d,.]+: True", done.stdout + done.stderr)


@needs_chromium
def test_search_measures_what_a_query_downloads():
    done = run("benchmarks/search.py", "--departments", "2")
    assert re.search(r"^\| 一般公共预算 \| 找到[^|]*\| \d+ \| [\d.]+ \| [\d.]+ \|", done.stdout, re.M)
