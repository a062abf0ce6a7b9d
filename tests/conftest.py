"""Shared fixtures: the repository, a copy of the sample content, the sample site built once, and the
command line run in-process."""
import contextlib
import functools
import http.server
import io
import os
import shutil
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal import datafile, pipeline
from portal.config import load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


def copy_project(target: Path) -> Path:
    """A writable copy of content/, templates/ and config.yaml, so tests never write into the repo."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "config.yaml", target / "config.yaml")
    return target


def add_second_year(root: Path) -> None:
    """A hand-edited copy of sample 003's data (武汉市经济和信息化局 2024 budget) as its 2025 budget:
    收入总计 and 支出总计 of 表1 101,516.15 → 110,000.00 万元, 三公 97.35 → 90.00 (因公出国 42.75 → 35.40).
    The same row of 表4 财政拨款收支总表 is left as it was."""
    data = root / "content" / "data"
    text = (data / "003_0341060121c49e83.yaml").read_text(encoding="utf-8")
    edits = [("year: 2024", "year: 2025"), ("[收入总计, 101516.15, 支出总计, 101516.15]", "[收入总计, 110000.00, 支出总计, 110000.00]"),
             ("[97.35, 42.75, ", "[90.00, 35.40, ")]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    (data / "003_2025.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The bundled sample content built into a temporary site folder: (config, build report)."""
    root = copy_project(tmp_path_factory.mktemp("sample") / "project")
    config = load_config(root / "config.yaml")
    report = pipeline.build(config)
    assert report.errors == [] and report.written
    return config, report


def any_free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    return any_free_port()


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, cwd: Path = ROOT) -> Run:
    """``build.py ARGS`` run in ``cwd``, in-process: what a user sees, at the cost of a function call.
    (test_fresh_clone runs the real script in a subprocess.) An uncaught exception fails the test."""
    import build

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = build.main([str(a) for a in args])
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code
    return Run(code, out.getvalue(), err.getvalue())


CORPUS = ROOT / "tests" / "corpus"


@functools.cache
def corpus_document(name: str):
    """A document of tests/corpus/ parsed, once per test process. What is read from a PDF is kept in the
    project's .cache/extracts (by checksum and reader version, as a build keeps it), so that the other test
    processes and later runs only interpret it."""
    from portal.parsing import parse_file

    return parse_file(CORPUS / name, cache_dir=ROOT / ".cache" / "extracts")


def documents_of(config) -> list:
    """Every data file's Document (the site is rendered from them), in file-name order."""
    return [datafile.load_document(p) for p in sorted(config.data_dir.glob("*.yaml"))]


# The sample documents' pages: departments/<pinyin of the department>/<year>-<kind>/
DOC_001 = "departments/wu-han-jing-ji-ji-shu-kai-fa-qu-zhi-neng-zhi-zao-chan-ye-yuan-guan-li-ban-gong-shi/2024-budget/index.html"
DOC_002 = "departments/wu-han-shi-shang-wu-ju/2018-performance-evaluation/index.html"


def pages_of(config) -> list:
    """(Document, the path of its page in the site) for every data file, in file-name order."""
    from portal import buildcache, render

    where = render.plan(config, buildcache.Manifest()).where
    return [(datafile.load_document(p), where[p.name].url) for p in sorted(config.data_dir.glob("*.yaml"))]


# ---------------------------------------------------------------- the browser tests: Debian's chromium, via Playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-default-apps"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Debian's chromium not found at {CHROMIUM}")
class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path):
    """A static server of ``folder`` on a free loopback port: (its URL, the server to shut down)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/", httpd


@pytest.fixture(scope="module")
def base_url(sample_site):
    config, _ = sample_site
    url, httpd = serve(config.output_dir)
    yield url
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
