"""Glossary terms found in document text become links to their entry, built safely with markupsafe.

The text is untrusted: it is escaped piece by piece and only our own <a> tags are added around
matches, so nothing from the document can become markup.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from markupsafe import Markup, escape

from .model import GlossaryEntry

MIN_TERM, MAX_TERM = 2, 20  # longer terms (类/款/项 classifications) are linked by their code instead
TOOLTIP_LENGTH = 200


def term_id(term: str) -> str:
    """A glossary term's anchor, made from the term, so that a shared link keeps pointing at it."""
    return "term-" + anchor_text(term)


def anchor_text(text: str) -> str:
    """Text as an HTML id: whitespace (not allowed in ids) dropped, length bounded."""
    return "".join(str(text).split())[:60]


class Linker:
    """Links the glossary terms of one page in text and table cells."""

    def __init__(self, entries: Iterable[GlossaryEntry]):
        self.definitions: dict[str, str] = {}
        for entry in entries:
            if MIN_TERM <= len(entry.term) <= MAX_TERM and entry.definition and entry.term not in self.definitions:
                self.definitions[entry.term] = entry.definition
        terms = sorted(self.definitions, key=lambda t: (-len(t), t))  # longest first: 一般公共预算财政拨款收入 before 基本支出
        self.pattern: Optional[re.Pattern] = re.compile("|".join(map(re.escape, terms))) if terms else None
        self.done: dict[str, Markup] = {}  # a document repeats its row names from table to table

    def __call__(self, text: object) -> Markup:
        text = "" if text is None else str(text)
        found = self.done.get(text)
        if found is None:
            found = self.done[text] = self._link(text)
        return found

    def _link(self, text: str) -> Markup:
        if self.pattern is None or not self.pattern.search(text):  # most cells: no term, no work
            return _lines(escape(text)) if "\n" in text else escape(text)
        out, last = [], 0
        for match in self.pattern.finditer(text):
            term = match.group(0)
            out.append(escape(text[last:match.start()]))
            out.append(Markup('<a class="term" href="#{}" title="{}">{}</a>').format(
                term_id(term), shorten(self.definitions[term]), term))
            last = match.end()
        out.append(escape(text[last:]))
        return _lines(Markup("").join(out))


def shorten(text: str) -> str:
    """A definition cut to tooltip length."""
    return text if len(text) <= TOOLTIP_LENGTH else text[:TOOLTIP_LENGTH] + "…"


def _lines(markup: Markup) -> Markup:
    """Line breaks kept inside a cell or paragraph (the markup is already escaped)."""
    return Markup(str(markup).replace("\n", "<br>"))
