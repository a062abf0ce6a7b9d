#!/usr/bin/env python3
"""The site search at portal scale: index build time and size, and the bytes one query downloads.

    .venv/bin/python benchmarks/search.py                    # 5000 departments, 3 pages each
    .venv/bin/python benchmarks/search.py --departments 200

Each department gets three document pages made from three of the five sample documents (round-robin), the
records made as tests/test_searchindex.py makes them; the department's name replaces the sample's in every
record, and every amount with decimals is scaled by a factor of the department, so that names and amounts
give realistic postings. prepare() runs in a pool of worker processes (as in the build), write_index() in this
one (timed: wall seconds). Then the index is served on 127.0.0.1 and each query is typed into the search page
in Debian's chromium (a fresh context: empty cache): the bytes of every index file it loads (until the first
results are shown) are summed from Playwright's responses, raw and gzip-compressed (level 6, as a static host
would serve them). A Markdown table goes to stdout.
"""
from __future__ import annotations

import argparse
import gzip
import multiprocessing
import re
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.searchindex import SearchPage, prepare, write_index  # noqa: E402
from tests.conftest import CHROMIUM, FLAGS, serve  # noqa: E402
from tests.test_searchindex import SEARCH_PAGE, sample_pages  # noqa: E402

PLACES = ["武汉市", "江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区", "东西湖区", "蔡甸区",
          "江夏区", "黄陂区", "新洲区", "汉南区", "东湖新技术开发区", "经济技术开发区", "长江新区", "东湖风景区",
          "黄石市", "襄阳市"]
BUREAUS = ["商务局", "财政局", "教育局", "民政局", "司法局", "审计局", "统计局", "水务局", "园林局", "城管局",
           "科学技术局", "人力资源和社会保障局", "自然资源和规划局", "生态环境局", "住房保障和房屋管理局",
           "交通运输局", "农业农村局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局",
           "市场监督管理局", "体育局", "医疗保障局", "信访局"]
AMOUNT = re.compile(r"\d[\d,]*\.\d+")
SAMPLES: list[SearchPage] = []
SITE: list[Path] = []  # the folder the index goes to, in each worker


def department_name(i: int) -> str:
    name = PLACES[i % len(PLACES)] + BUREAUS[i // len(PLACES) % len(BUREAUS)]
    return name if i < len(PLACES) * len(BUREAUS) else f"{name}第{i // (len(PLACES) * len(BUREAUS))}分局"


def scaled(text: str, factor: Decimal) -> str:
    def scale(m: re.Match) -> str:
        printed = m.group(0)
        value = Decimal(printed.replace(",", ""))
        value = (value * factor).quantize(value)
        return format(value, ",f") if "," in printed else format(value, "f")
    return AMOUNT.sub(scale, text) if "." in text else text


def make_page(number: int) -> SearchPage:
    """The number-th page: department number // 3, from sample (number // 3 + number % 3) % 5."""
    dept, which = divmod(number, 3)
    sample = SAMPLES[(dept + which) % len(SAMPLES)]
    name, factor = department_name(dept), Decimal(100 + dept % 997) / 100
    records = [r._replace(title=r.title.replace(sample.department, name),
                          text=scaled(r.text.replace(sample.department, name), factor),
                          amount=scaled(r.amount, factor)) for r in sample.records]
    return SearchPage(f"departments/d{dept}/{which}/index.html", name, sample.year, sample.kind,
                      sample.title.replace(sample.department, name), records)


def prepare_page(number: int):
    """As the build's workers do: the page's part of the index, its records written beside it."""
    prepared, files = prepare(make_page(number))
    for path, text in files:
        (SITE[0] / path).parent.mkdir(parents=True, exist_ok=True)
        (SITE[0] / path).write_text(text, encoding="utf-8")
    return prepared


def init_worker(site: Path) -> None:
    SAMPLES[:] = sample_pages()
    SITE[:] = [site]


def measure(site: Path, queries: list[str]) -> list[tuple[str, str, int, int, int, float]]:
    """(query, status line, files, raw bytes, gzip bytes, seconds) of each query, in a fresh browser context."""
    from playwright.sync_api import sync_playwright

    base, httpd = serve(site)
    out = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                page.set_default_timeout(120_000)
                bodies = []
                page.on("response", lambda r: bodies.append(r.body()) if "/search" in r.url else None)  # index and records
                started = time.perf_counter()
                page.goto(base + "find/index.html?q=" + quote(query))
                page.wait_for_function("() => /找到|没有找到|至少|无法/.test(document.querySelector('.search-status').textContent)")
                seconds = time.perf_counter() - started
                status = page.locator(".search-status").inner_text()
                out.append((query, status, len(bodies), sum(map(len, bodies)),
                            sum(len(gzip.compress(b, 6)) for b in bodies), seconds))
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--departments", type=int, default=5000)
    parser.add_argument("--keep", type=Path, help="write the index here (kept) instead of a temporary folder")
    args = parser.parse_args()
    site = args.keep or Path(tempfile.mkdtemp(prefix="search-bench-"))
    shutil.rmtree(site / "search", ignore_errors=True)
    shutil.rmtree(site / "departments", ignore_errors=True)
    init_worker(site)
    count = args.departments * 3
    started = time.perf_counter()
    with multiprocessing.Pool(initializer=init_worker, initargs=(site,)) as pool:
        prepared = pool.map(prepare_page, range(count), chunksize=32)
    prepare_wall = time.perf_counter() - started

    started = time.perf_counter()
    written = list(write_index(site, prepared).files)
    write_wall = time.perf_counter() - started
    del prepared
    sizes = {path: (site / path).stat().st_size for path in written}
    postings = [s for path, s in sizes.items() if path.startswith("search/p/")]
    (site / "static").mkdir(exist_ok=True)
    shutil.copy(ROOT / "templates/static/search.js", site / "static/search.js")
    (site / "find").mkdir(exist_ok=True)
    (site / "find/index.html").write_text(SEARCH_PAGE, encoding="utf-8")
    (site / "favicon.ico").write_bytes(b"")

    sample = make_page(3 * 1234 if args.departments > 1234 else 3)
    amount = next(r.amount for r in sample.records if r.kind == "row" and len(r.amount) > 6)
    queries = ["一般公共预算", "支出", "人员经费", "三公经费", "2010301", "维修(护)费", sample.department, amount,
               "餐厨废物", "资金评审", "公务用车运行维护费", "经",
               department_name(len(PLACES) * len(BUREAUS) + 7) if args.departments > 600 else sample.department]
    results = measure(site, queries)

    print(f"## Search index: {args.departments} departments, {count} pages, "
          f"{sum(len(SAMPLES[i % 5].records) for i in range(count)):,} records\n")
    print(f"- prepare (pool of {multiprocessing.cpu_count()} workers): {prepare_wall:.1f} s wall")
    print(f"- write_index: {write_wall:.2f} s wall")
    records = [p.stat().st_size for p in (site / "departments").rglob("search-*.js")]
    print(f"- records beside the pages: {sum(records) / 1e6:.1f} MB in {len(records):,} files")
    print(f"- index: {sum(sizes.values()) / 1e6:.1f} MB in {len(sizes):,} files; manifest "
          f"{sizes['search/manifest.js'] / 1e3:.1f} KB; {len(postings):,} posting shards, median "
          f"{sorted(postings)[len(postings) // 2] / 1e3:.1f} KB, largest {max(postings) / 1e3:.1f} KB\n")
    print("| query | result | files | raw KB | gzip KB | s |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for query, status, files, raw, packed, seconds in results:
        print(f"| {query} | {status} | {files} | {raw / 1e3:.1f} | {packed / 1e3:.1f} | {seconds:.1f} |")
    print(f"\n(index files only; the search page and search.js add "
          f"{(ROOT / 'templates/static/search.js').stat().st_size / 1e3:.1f} KB raw, once.)")
    if not args.keep:
        shutil.rmtree(site)


if __name__ == "__main__":
    main()
