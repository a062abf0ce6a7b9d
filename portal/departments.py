"""Departments, not files: which department a document belongs to, and where its pages live.

A department is known by its name, normalised over the forms documents print (full-width or half-width
brackets, spaces, a 本级 / 机关 level suffix), or by the ``department_slug`` a data file sets. Its page lives at
``departments/<pinyin of its name>/``; each of its documents at ``departments/<department>/<year>-<kind>/``
unless the data file sets ``slug``. Both are computed from the document alone, so a page's address never
depends on which other documents happen to be in the portal (a shared link keeps working).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from . import urls

# A unit budget (本级) or the department's own organs (机关) belong on the department's page.
_LEVEL_SUFFIX = re.compile(r"\s*(?:[(（]\s*(?:本级|机关)\s*[)）]|机关本级|本级)$")
_KEEP = re.compile(r"[^a-z0-9]+")


def plain_name(name: str) -> str:
    """The department's name as printed, without a level suffix: what its page is titled."""
    return _LEVEL_SUFFIX.sub("", name.strip()) or name.strip()


def department_key(name: str) -> str:
    """The name documents of one department share: compatibility forms folded, spaces and level suffix dropped."""
    return "".join(unicodedata.normalize("NFKC", plain_name(name)).split())


def pinyin_slug(name: str) -> str:
    """A readable ASCII URL segment: the name's syllables in pinyin, hyphenated (武汉市商务局 → wu-han-shi-shang-wu-ju)."""
    from pypinyin import lazy_pinyin  # its dictionaries take a fifth of a second to load: only when a name is new

    syllables = (_KEEP.sub("-", part.lower()).strip("-") for part in lazy_pinyin(name))
    return "-".join(s for s in syllables if s) or "department"


@dataclass(frozen=True)
class Address:
    """Where a document's page is, and its department's."""
    department_key: str  # what its department is known by
    department_url: str
    url: str


def addresses(identities: dict[str, dict], known: Optional[dict[str, str]] = None) -> dict[str, Address]:
    """Data file name → the address of its page, from every document's identity (datafile.read_identity):
    the same documents always get the same addresses, however many builds led there. Two departments whose
    names have the same pinyin, or two documents of one department with the same year and kind, are told
    apart by -2, -3 … in name and file order (a data file's ``department_slug`` or ``slug`` names them instead).
    Documents whose ``department_slug`` (set, or the pinyin of their name) is one a data file sets share a page.
    ``known``: pinyin already worked out (name key → slug), kept between builds; filled with the new ones."""
    known = {} if known is None else known

    def pinyin(key: str) -> str:
        if key not in known:
            known[key] = pinyin_slug(key)
        return known[key]

    named = {i["department_slug"] for i in identities.values() if i.get("department_slug")}
    keys = {}
    for name, identity in identities.items():
        key = department_key(identity["department"])
        slug = identity.get("department_slug") or pinyin(key)
        keys[name] = "=" + slug if slug in named else key  # a set department_slug gathers whoever has it
    department_slugs = _unique({key: key[1:] if key.startswith("=") else pinyin(key)
                                for key in sorted(set(keys.values()))})
    taken: dict[str, int] = {}
    out = {}
    for name in sorted(identities):
        identity, key = identities[name], keys[name]
        folder = department_slugs[key]
        wanted = identity.get("slug") or f"{identity['year']}-{str(identity['kind']).replace('_', '-')}"
        slug = _next_free(taken, f"{folder}/{wanted}")
        out[name] = Address(key, urls.department(folder), urls.document(folder, slug.split("/", 1)[1]))
    return out


def _next_free(taken: dict[str, int], path: str) -> str:
    taken[path] = taken.get(path, 0) + 1
    return path if taken[path] == 1 else _next_free(taken, f"{path}-{taken[path]}")


def _unique(slugs: dict[str, str]) -> dict[str, str]:
    taken: dict[str, int] = {}
    return {key: _next_free(taken, slug) for key, slug in slugs.items()}
