"""A budget document published as a web page → lines of text and table rows (see extract.py).

The page is parsed by the standard library's HTMLParser into a small element tree. Site chrome (scripts,
navigation, header, footer, forms, elements classed as menus …) is dropped; when the page wraps its article
in a known container (``<div class="content-txt">``, ``id="zoom"``, ``class="TRS_Editor"`` …) only that
container is read, with the title just before it. Data tables become rows laid out as a PDF grid reads them.
"""
from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from typing import Iterator, Optional, Union

from ..cleaning import tidy
from ..errors import SourceError
from .extract import Extract, Line
from .txt import is_navigation

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_DROPPED = {"script", "style", "noscript", "template", "head", "title", "nav", "header", "footer", "form", "select",
            "button"}
_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "blockquote", "pre", "dd", "dt",
           "tr", "ul", "ol", "dl", "table", "caption", "hr"}
_HEAD_TAGS = {"base", "link", "meta", "noscript", "script", "style", "template", "title"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TABLE_PARTS = {"thead", "tbody", "tfoot", "tr", "td", "th", "caption"}  # a cell classed "header" is no page header
# A start tag closes an open element as browsers do: tag → (what it closes, where the search stops).
_IMPLIED = {"li": ({"li"}, {"ul", "ol", "table"}), "dt": ({"dt", "dd"}, {"dl", "table"}),
            "dd": ({"dt", "dd"}, {"dl", "table"}), "tr": ({"tr"}, {"table"}),
            "td": ({"td", "th"}, {"tr", "table"}), "th": ({"td", "th"}, {"tr", "table"}),
            **{group: ({"thead", "tbody", "tfoot", "tr"}, {"table"}) for group in ("thead", "tbody", "tfoot")}}
_CHROME = re.compile(r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|footer|header|breadcrumbs?|crumbs?|sidebar|share|"
                     r"topbar|copyright)(?:$|[\s_\d-])", re.I)
_ARTICLE = {"content-txt", "article", "article-content", "zoom", "trs_editor", "trs_ueditor", "ucap-content",
            "pages_content"}
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([\w-]+)", re.I)
# The encodings a Chinese government page declares; any other declaration (mostly wrong) is ignored.
_DECLARED = {"utf-8": "utf-8", "gbk": "gb18030", "gb2312": "gb18030", "gb18030": "gb18030", "big5": "big5"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CJK = re.compile(r"[\u4e00-\u9fff]")
MAX_DEPTH = 200  # deeper elements become siblings: keeps the recursive walk within Python's stack
MAX_CELLS = 250_000  # grid positions per table (rowspan × colspan), so hostile spans cannot exhaust memory
MIN_DOCUMENT_CJK = 50  # below this many CJK characters outside links, a page that is mostly links is no document


class _Element:
    def __init__(self, tag: str, attrs: list, parent: Optional[_Element]):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list[Union[_Element, str]] = []


class _TreeBuilder(HTMLParser):
    """Tags → an element tree, closing what browsers close implicitly (<p>, <li>, <td> …)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("#root", [], None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS and self.stack[-1].tag == "p":  # a block inside a <p> ends the paragraph
            self.stack.pop()
        if self.stack[-1].tag == "head" and tag not in _HEAD_TAGS:  # an unclosed <head> ends at <body> or content
            self.stack.pop()
        closes, bounds = _IMPLIED.get(tag, ((), ()))
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag in bounds:
                break
            if self.stack[i].tag in closes:
                del self.stack[i:]
                break
        element = _Element(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in _VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


class _Writer:
    """Collects lines: text accumulates until a block boundary ends the line."""

    def __init__(self, name: str):
        self.name = name
        self.lines: list[Line] = []
        self.parts: list[str] = []
        self.grids = 0
        self.cjk = 0  # CJK characters outside links

    def add(self, text: str, link: bool) -> None:
        self.parts.append(text)
        if not link:
            self.cjk += len(_CJK.findall(text))

    def end_line(self, heading: bool) -> None:
        text = _clean("".join(self.parts))
        self.parts.clear()
        if text and is_navigation(text):
            self.blank()
        elif text:
            self.lines.append(Line(0, text, heading=heading))

    def blank(self) -> None:
        if self.lines and not self.lines[-1].blank:
            self.lines.append(Line(0, ""))

    def finish(self) -> list[Line]:
        while self.lines and self.lines[-1].blank:
            self.lines.pop()
        for no, line in enumerate(self.lines, 1):
            line.no = no
        return self.lines


def read_html(data: bytes, name: str) -> Extract:
    """The page's document as lines; SourceError for an undecodable page or one holding no document."""
    warnings: list[str] = []
    builder = _TreeBuilder()
    builder.feed(decode(data, name, warnings))
    builder.close()
    out = _Writer(name)
    for element in _region(builder.root):
        _node(element, out, link=False, heading=False)
    out.end_line(False)
    lines = out.finish()
    no_table = not any(line.is_row for line in lines)
    if no_table and out.cjk < MIN_DOCUMENT_CJK and _link_cjk(builder.root) >= out.cjk:
        raise SourceError(name, "an HTML page without a budget document (only navigation/links); save the page of "
                                "the document itself, or its PDF")
    title = next((el for el in _elements(builder.root) if el.tag == "title"), None)
    title_hint = _clean(_text(title)) if title else ""
    return Extract(lines=lines, format="html", warnings=warnings, title_hint=title_hint or None)


def _link_cjk(root: _Element) -> int:
    """CJK characters in the page's links, chrome included: a portal page is mostly links."""
    return sum(len(_CJK.findall(_text(a))) for a in _elements(root) if a.tag == "a")


def decode(data: bytes, name: str, warnings: list[str]) -> str:
    """BOM, then the charset the page declares, then UTF-8, then GB18030 (with a warning when not UTF-8)."""
    codecs_to_try = next(([codec] for bom, codec in _BOMS if data.startswith(bom)), None)
    if codecs_to_try is None:
        codecs_to_try = list(dict.fromkeys(c for c in (_declared_charset(data[:2048]), "utf-8", "gb18030") if c))
    for codec in codecs_to_try:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not codec.startswith("utf-8"):
            label = "GB18030/GBK" if codec == "gb18030" else codec.upper()
            warnings.append(f"page is not UTF-8; read it as {label} (save it as UTF-8 to silence this)")
        return text
    raise SourceError(name, "HTML page in an unknown encoding (neither its declared charset, UTF-8 nor GBK)")


def _declared_charset(head: bytes) -> Optional[str]:
    """The codec of ``<meta charset=…>`` or ``<meta http-equiv=… content="…; charset=…">``, if one we trust."""
    found = _META_CHARSET.search(head)
    try:
        return _DECLARED.get(codecs.lookup(found.group(1).decode("ascii")).name) if found else None
    except LookupError:
        return None


def _node(el: _Element, out: _Writer, link: bool, heading: bool) -> None:
    """Write one element: its text into the current line, block elements ending lines, tables as rows."""
    if el.tag == "table":
        return _table(el, out, link, heading)
    if el.tag == "br":
        return out.end_line(heading)
    inner = heading or el.tag in _HEADINGS
    link = link or el.tag == "a"
    if el.tag in _BLOCKS:
        out.end_line(heading)
    for child in el.children:
        if isinstance(child, str):
            out.add(child, link)
        elif not _skipped(child):
            _node(child, out, link, inner)
    if el.tag in _BLOCKS:
        out.end_line(inner)
    if el.tag == "p":
        out.blank()


def _table(table: _Element, out: _Writer, link: bool, heading: bool) -> None:
    for caption in _children(table, {"caption"}):  # often the table's title (表1 收支总表)
        _node(caption, out, link, heading)
    rows = _rows(table)
    grid = _grid(rows, out.name)
    if len(grid) <= 1 or len(grid[0]) <= 1:  # a layout table: each cell is a block of text
        for cell in (cell for row in rows for cell in row):
            out.end_line(heading)
            _node(cell, out, link, heading)
            out.end_line(heading)
        return
    out.end_line(heading)
    out.blank()
    for cells in grid:
        if any(cells):
            out.lines.append(Line(0, " ".join(c for c in cells if c), cells=cells, grid=out.grids))
    out.grids += 1
    out.blank()


def _rows(table: _Element) -> list[list[_Element]]:
    """The table's own rows (in <thead>/<tbody>/<tfoot> or not), each the list of its <td>/<th>."""
    rows = []
    for child in _children(table, {"tr", "thead", "tbody", "tfoot"}):
        for tr in [child] if child.tag == "tr" else _children(child, {"tr"}):
            rows.append(_children(tr, {"td", "th"}))
    return rows


def _grid(rows: list[list[_Element]], name: str) -> list[list[str]]:
    """Cell texts laid out as a PDF grid reads: a span's text in its top-left position, "" in the others."""
    taken: dict[tuple[int, int], str] = {}
    work = 0
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            rowspan, colspan = min(_span(cell, "rowspan"), len(rows) - r), _span(cell, "colspan")
            work += rowspan * colspan
            if work > MAX_CELLS:
                raise SourceError(name, f"a table of more than {MAX_CELLS} cells (counting rowspan/colspan) is refused")
            taken.update({(r + i, c + j): "" for i in range(rowspan) for j in range(colspan)})
            taken[(r, c)] = _clean(_text(cell))
            c += colspan
    width = max((c for _, c in taken), default=-1) + 1
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))]


def _span(cell: _Element, attribute: str) -> int:
    try:
        return min(max(int(cell.attrs.get(attribute) or 1), 1), 1000)  # 1000: the HTML limit on colspan
    except ValueError:
        return 1


def _region(root: _Element) -> list[_Element]:
    """What to read: the article container (with the title just before it) if the page has one, else the page."""
    found = [el for el in _elements(root, prune=True)
             if el.tag == "article" or any(token.lower() in _ARTICLE for token in _marks(el).split())]
    if not found:
        return [root]
    container = max(found, key=lambda el: len(_clean(_text(el))))  # nested containers: the outermost
    title = _title_before(container)
    return [container] if title is None else [title, container]


def _title_before(container: _Element) -> Optional[_Element]:
    """The first element with text before the container (or before its wrappers), if it is a title."""
    el = container
    for _ in range(3):  # the container may be the first child of a wrapper or two
        if el.parent is None:
            return None
        siblings = el.parent.children
        for sibling in reversed(siblings[:siblings.index(el)]):
            text = sibling if isinstance(sibling, str) else "" if _skipped(sibling) else _text(sibling)
            if text.strip():
                is_title = isinstance(sibling, _Element) and (sibling.tag in ("h1", "h2", "h3")
                                                              or "title" in _marks(sibling).lower())
                return sibling if is_title else None
        el = el.parent
    return None


def _marks(el: _Element) -> str:
    return f"{el.attrs.get('class') or ''} {el.attrs.get('id') or ''}"


def _skipped(el: _Element) -> bool:
    """Chrome: elements that never hold the document, by tag or by a class/id naming navigation, footer …"""
    return el.tag in _DROPPED or (el.tag not in _TABLE_PARTS and bool(_CHROME.search(_marks(el))))


def _children(el: _Element, tags: set[str]) -> list[_Element]:
    return [c for c in el.children if isinstance(c, _Element) and c.tag in tags]


def _elements(root: _Element, prune: bool = False) -> Iterator[_Element]:
    """Every element below root in document order; with ``prune``, none inside chrome."""
    stack = [root]
    while stack:
        el = stack.pop()
        yield el
        stack.extend(reversed([c for c in el.children if isinstance(c, _Element) and not (prune and _skipped(c))]))


def _text(el: _Element) -> str:
    """All text inside an element, chrome skipped; blocks, <br> and cells separated by spaces (one line)."""
    parts = []
    for child in el.children:
        if isinstance(child, str):
            parts.append(child)
        elif not _skipped(child):
            gap = " " if child.tag in _BLOCKS or child.tag in ("br", "td", "th") else ""
            parts.append(gap + _text(child) + gap)
    return "".join(parts)


def _clean(text: str) -> str:
    """Whitespace (source line breaks included) collapsed, then tidied like any document text."""
    return tidy(" ".join(text.split()))
