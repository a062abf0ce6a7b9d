"""Cleaning extracted text: HTML fragments become text, Markdown markers go, PDF spacing artefacts close up.

Nothing here ever passes markup through: the output is plain text that templates escape.
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_BLOCK_TAGS = {"p", "div", "li", "br", "tr", "ol", "ul", "h1", "h2", "h3", "h4", "h5", "h6"}
# Whitespace between two CJK characters is a line-wrap artefact of PDF extraction ("办公设 备").
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])(?<!部分)[ \u3000]+(?=[{_CJK}])")  # "第一部分 概况" keeps its space
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_WHITESPACE = re.compile(r"\s+")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s+")
_MD_LIST = re.compile(r"^\s*[-*+]\s+")
_MD_BOLD = re.compile(r"\*\*(.*?)\*\*|__(.*?)__")


class _TextExtractor(HTMLParser):
    """HTML fragment → text: checkboxes become ☑/☐, block tags become line breaks, everything else is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "input" and dict(attrs).get("type", "").lower() in ("checkbox", "radio"):
            self.parts.append("☑" if any(name == "checked" for name, _ in attrs) else "☐")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def strip_html(text: str) -> str:
    """Convert any HTML fragment in ``text`` to plain text (entities decoded, tags removed)."""
    if "<" not in text and "&" not in text:
        return text
    if not _TAG.search(text):
        return html.unescape(text)
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


_NEEDS_TIDYING = re.compile(r"[<&*_\s\u3000\xa0\u2e80-\u2fdf]")
# Some PDF fonts map ideographs to the look-alike Kangxi radicals (⼒⽀⽣ for 力支生): fold them back.
_RADICALS = re.compile(r"[\u2e80-\u2fdf]")


def tidy(text: str) -> str:
    """One cell or line of document text, cleaned: HTML converted, spacing artefacts removed, paragraphs kept."""
    if not _NEEDS_TIDYING.search(text):
        return text  # most cells: a code, a name or an amount with nothing to clean
    text = _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    text = _MD_BOLD.sub(lambda m: m.group(1) or m.group(2) or "", strip_html(text))
    lines = []
    for line in text.split("\n"):
        line = _CJK_GAP.sub("", _SPACES.sub(" ", line)).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


def strip_markdown(line: str) -> tuple[str, bool]:
    """A text line without Markdown heading/list markers; True if it was marked as a heading."""
    heading = bool(_MD_HEADING.match(line))
    line = _MD_HEADING.sub("", line)
    line = _MD_LIST.sub("", line)
    return line, heading


@lru_cache(maxsize=1 << 16)  # the same labels are compared again and again: 合计, 基本支出, a table's columns
def squash(text: str) -> str:
    """A comparison key: compatibility forms folded (（ → (), all whitespace removed."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def join_wrapped(first: str, second: str) -> str:
    """Join two pieces of one sentence broken by a line or page wrap."""
    if first and second and (first[-1].isascii() and second[0].isascii()) and first[-1].isalnum() and second[0].isalnum():
        return f"{first} {second}"
    return first + second
