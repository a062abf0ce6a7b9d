"""Render the loaded documents into a static site: views of every page, then templates, then files.

Output is deterministic: same data, same bytes.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from . import urls
from .config import Config
from .errors import DataError
from .model import Document
from .pages import load_pages
from .progress import Say, quiet
from .search import search_entries
from .views import department_view
from .writer import SiteWriter, script_json


def published_pdf(config: Config, doc: Document) -> Optional[Path]:
    """The PDF a document was parsed from, to publish beside its page: only the very file the data came
    from (same checksum), so that 原文第 N 页 points at the page it names. Never an HTML source: served
    from the portal's own address, its markup would run as the portal's."""
    path = config.sources_dir / doc.source.file
    if not doc.source.file.lower().endswith(".pdf") or not path.is_file():
        return None
    with path.open("rb") as fh:
        return path if hashlib.file_digest(fh, "sha256").hexdigest() == doc.source.sha256 else None


def check_slugs(documents: list[Document]) -> None:
    owners: dict[str, str] = {}
    for doc in documents:
        if doc.slug in owners:
            raise DataError(doc.source.file, f"slug '{doc.slug}' is used by {owners[doc.slug]} too; "
                                             "give one of them another slug")
        owners[doc.slug] = doc.source.file


def render_site(config: Config, documents: list[Document], out_dir: Path, progress: Say = quiet) -> int:
    """Write the whole site into ``out_dir`` (an empty folder) and return the number of pages."""
    check_slugs(documents)
    pages = load_pages(config.pages_dir)
    site = {"title": config.title, "description": config.description, "language": config.language,
            "base_url": config.base_url, "pages": pages, "urls": urls}
    published = {doc.slug: path for doc in documents if (path := published_pdf(config, doc))}
    departments = [department_view(doc, urls.SOURCE_PDF if doc.slug in published else None) for doc in documents]
    writer = SiteWriter(config, out_dir, site)
    writer.page(urls.INDEX, "index.html", departments=departments)
    for index, d in enumerate(departments, 1):
        progress(f"[{index}/{len(departments)}] rendering {d.doc.department}")
        writer.page(d.url, "department.html", d=d)
        if d.slug in published:
            writer.copy(published[d.slug], urls.department(d.slug, urls.SOURCE_PDF))
    writer.page(urls.GLOSSARY, "glossary.html", departments=departments)
    writer.page(urls.SEARCH, "search.html")
    for page in pages:
        writer.page(page.url, "page.html", page=page)
    writer.static(urls.STATIC)
    writer.text(urls.SEARCH_INDEX, "window.PORTAL_SEARCH_INDEX = " + script_json(search_entries(departments)) + ";\n")
    return writer.count
