#!/usr/bin/env python3
"""The screenshots in docs/screenshots/ (shown in the README), taken from the sample site in Debian's chromium.

    .venv/bin/python docs/screenshots.py

The sample content is built in a temporary folder, with one addition so that a department page shows its
years side by side: the hand-edited 2025 copy of sample 003's data that the tests use (tests/conftest.py,
add_second_year). Nothing in content/ is changed.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from portal import pipeline  # noqa: E402
from portal.config import load_config  # noqa: E402
from tests.conftest import CHROMIUM, DOC_001, FLAGS, add_second_year, copy_project, serve  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
ECONOMY = "departments/wu-han-shi-jing-ji-he-xin-xi-hua-ju/"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1366, "height": 900}
# name, page, viewport, where to scroll to (a selector) or None
SHOTS = [
    ("index", "index.html", DESKTOP, None),
    ("department", ECONOMY + "index.html", DESKTOP, None),
    ("document-desktop", DOC_001, DESKTOP, None),
    ("document-phone", DOC_001 + "#附表5", PHONE, None),
    ("charts-desktop", ECONOMY + "2024-budget/index.html", DESKTOP, ".charts"),
    ("charts-phone", ECONOMY + "2024-budget/index.html", PHONE, ".charts"),
    ("checks", DOC_001, DESKTOP, "#checks"),
    ("glossary", "glossary/index.html", DESKTOP, None),
    ("search", "search/index.html?q=" + "公务接待费", DESKTOP, None),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project")
        add_second_year(root)
        config = load_config(root / "config.yaml")
        report = pipeline.build(config)
        if report.errors:
            sys.exit(f"the sample site did not build: {report.errors}")
        base, server = serve(config.output_dir)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for name, path, viewport, target in SHOTS:
                page = browser.new_page(viewport=viewport, locale="zh-CN")
                page.goto(base + path)
                page.wait_for_timeout(600)  # the search draws its results after loading its index
                if target:
                    page.locator(target).first.scroll_into_view_if_needed()
                    page.evaluate(f"document.querySelector('{target}').scrollIntoView()")
                page.screenshot(path=str(OUT / f"{name}.png"))
                page.close()
                print(f"docs/screenshots/{name}.png  ({path})")
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
