"""Where every page and file of the built site lives: the one place a path in the site is made.

Paths are relative to the site's root; templates prefix them with ``root`` (``../`` per level), so the
site works under any sub-path and from ``file://``.
"""
from __future__ import annotations

import re
from pathlib import Path

INDEX = "index.html"
GLOSSARY = "glossary/index.html"
SEARCH = "search/index.html"
SEARCH_FILES = "search"  # the search index (searchindex.py)
STATIC = "static"
SOURCE_PDF = "source.pdf"  # the published original, beside its document's page
FAVICON = "static/favicon.svg"
DATA_YAML = "data.yaml"  # a document's data, beside its page
DATA_JSON = "data.json"
DATA_PACKAGE = "datapackage.json"  # every table's CSV, described for Frictionless tools
CHECKS = "checks/index.html"  # the site-wide report of the figures that do not add up
DEPARTMENTS = "departments/index.html"  # every department by the pinyin of its name


def slugify(name: str) -> str:
    """A file name's stem as a URL segment: lower-case ASCII letters, digits, '-' and '_' ('' if none)."""
    return re.sub(r"[^a-z0-9_-]+", "-", Path(name).stem.lower()).strip("-_")


def root(path: str) -> str:
    """The way back to the site's root from the page at ``path``."""
    return "../" * path.count("/")


def department(slug: str) -> str:
    return f"departments/{slug}/index.html"


def document(department_slug: str, slug: str, file: str = "index.html") -> str:
    """A document's page (or a file beside it): under its department's."""
    return f"departments/{department_slug}/{slug}/{file}"


def folder(path: str) -> str:
    """The folder of a page: what is carried over, with everything beside the page, when it did not change."""
    return path.rsplit("/", 1)[0] + "/"


def page(slug: str) -> str:
    return f"pages/{slug}/index.html"


def table_csv(table_id: str) -> str:
    """A table's CSV, beside its document's page."""
    return f"{table_id}.csv"
