"""The portal's one glossary: every document's 名词解释 merged, one entry per term.

Identical definitions are merged; differing ones are kept side by side, each with the departments and
years that print it. Classification entries (those matched to a 类/款/项 code) are grouped by 类 › 款.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from .linking import term_id
from .sitewide import DocumentSummary

_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")


@functools.lru_cache(maxsize=65536)  # a portal's glossaries repeat the same few hundred terms and definitions
def term_key(text: str) -> str:
    """Terms that differ only in width, spacing or quotation marks are one term (“三公”经费 = 三公经费)."""
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(_QUOTES)


@dataclass(frozen=True)
class Use:
    department: str
    year: int
    kind_label: str
    href: str  # the entry on the document's page, from the site root


@dataclass(frozen=True)
class Wording:
    definition: str
    uses: list[Use]


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    code: Optional[str]
    wordings: list[Wording]  # most used first


@dataclass
class Group:
    id: str
    title: str
    code: Optional[str] = None
    terms: list[Term] = field(default_factory=list)
    groups: list["Group"] = field(default_factory=list)  # 款 under a 类

    @property
    def count(self) -> int:
        return len(self.terms) + sum(g.count for g in self.groups)


def merged_glossary(documents: list[DocumentSummary]) -> list[Group]:
    """The general terms first, then one group per 类 (with its 款 inside), terms in code or name order."""
    uses: dict[str, dict[str, list[tuple[str, Use]]]] = {}  # term key → definition key → [(wording, use)]
    forms: dict[str, list[str]] = {}
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for doc in documents:
        for code, name in doc.classes.items():
            names.setdefault(code, name)
        for entry in doc.terms:
            key = term_key(entry.term)
            forms.setdefault(key, []).append(entry.term)
            if entry.code:
                codes.setdefault(key, entry.code)
            use = Use(doc.department, doc.year, doc.kind_label, entry.href)
            uses.setdefault(key, {}).setdefault(term_key(entry.definition), []).append((entry.definition, use))
    general = Group("general", "通用名词")
    by_class: dict[str, Group] = {}
    for key in sorted(uses, key=lambda k: (codes.get(k, ""), k)):
        spelled = forms[key]
        term = max(sorted(set(spelled)), key=spelled.count)  # the most printed form
        wordings = [Wording(found[0][0], [use for _, use in found]) for found in uses[key].values()]
        wordings.sort(key=lambda w: -len(w.uses))
        code = codes.get(key)
        item = Term(term_id(term), term, code, wordings)
        if not code:
            general.terms.append(item)
            continue
        class_code = code[:3]
        group = by_class.get(class_code)
        if group is None:
            group = by_class[class_code] = Group(f"class-{class_code}", names.get(class_code, ""), class_code)
        if len(code) > 5:  # a 项: under its 款
            section_code = code[:5]
            section = next((g for g in group.groups if g.code == section_code), None)
            if section is None:
                section = Group(f"class-{section_code}", names.get(section_code, ""), section_code)
                group.groups.append(section)
            section.terms.append(item)
        else:
            group.terms.append(item)
    return [g for g in [general] + [by_class[c] for c in sorted(by_class)] if g.count]
