"""Extra pages written in Markdown (content/pages/*.md): about, how to read a budget.

Raw HTML in them is escaped, never passed through, and links with a scheme other than http(s) or
mailto are dropped: a page is as untrusted as a document.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from . import urls
from .errors import DataError

SAFE_SCHEMES = {"", "http", "https", "mailto"}


@dataclass(frozen=True)
class Page:
    slug: str
    url: str
    title: str
    html: Markup


class _SafeLinks(Treeprocessor):
    """Drop href/src values with a scheme other than http(s)/mailto (javascript:, data:, vbscript: …)."""

    def run(self, root):
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and urlsplit(value.strip()).scheme.lower() not in SAFE_SCHEMES:
                    element.set(attribute, "#")
        return root


def markdown_to_html(text: str) -> Markup:
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    return Markup(md.convert(text))


def load_pages(directory: Path) -> list[Page]:
    """Every page in the folder, by file name; its title is its first '# ' heading."""
    pages = []
    for path in sorted(directory.glob("*.md")) if directory.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(str(path), f"cannot read page (expected UTF-8 Markdown): {exc}") from None
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        slug = urls.slugify(path.name) or "page"
        pages.append(Page(slug=slug, url=urls.page(slug), title=title, html=markdown_to_html(text)))
    return pages
