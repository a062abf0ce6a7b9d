"""Figures, numeric cells and a budget table's header and body rows as HTML, made here rather than by macros
and loops in the templates.

A page has thousands of cells, and every value a template writes costs a call to escape(), every macro call
more: written by templates/_macros.html, the cells took half of a document page's rendering, and the figures
most of the index's. As Datasette renders its cells in Python, they are formatted here, and the templates
place them: ``{{ view.header|table_head }}``, ``{{ view.rows|table_body }}``, ``{{ figure(value, unit) }}``,
``{{ num_cell(value, unit) }}``. Text from the document is escaped here as the template would escape it: a
text cell's ``shown`` is already escaped markup (linking.Linker), every other text goes through _escaped();
only an amount, digits alone, is written as is."""
from __future__ import annotations

import re
from typing import Optional

from markupsafe import Markup, escape

from .numbers import amount
from .views import CellView, HeaderCell, RowView


def figure(value: object, unit: Optional[str] = None) -> Markup:
    """An amount as shown, with its unit; a dash for none."""
    if value is None:
        return Markup('<span class="missing">—</span>')
    shown = f'<span class="amount">{_escaped(amount(value))}</span>'
    return Markup(f'{shown} <span class="unit">{_escaped(unit)}</span>' if unit else shown)


def num_cell(value: object, unit: Optional[str] = None, percent: bool = False) -> Markup:
    """A sortable numeric cell (its value in data-value): a figure with its unit, or a percentage."""
    sort = f' data-value="{_escaped(str(value))}"' if value is not None else ""
    shown = (f"{_escaped(amount(value))}%" if value is not None else "—") if percent else figure(value, unit)
    return Markup(f'<td class="num"{sort}>{shown}</td>')


def table_head(header: list[list[HeaderCell]]) -> Markup:
    """The header rows as <tr> elements, each heading with its spans, and the body column it heads."""
    return Markup("\n".join(f"      <tr>\n{''.join(map(_heading, row))}      </tr>" for row in header))


def _heading(cell: HeaderCell) -> str:
    spans = ' scope="colgroup" colspan="%d"' % cell.colspan if cell.colspan > 1 else ' scope="col"'
    if cell.rowspan > 1:
        spans += f' rowspan="{cell.rowspan}"'
    if cell.column is not None:
        spans += f' data-column="{cell.column}"' + (" data-numeric" if cell.numeric else "")
    return f"        <th{spans}>{_escaped(cell.text)}</th>\n"


def table_body(rows: list[RowView]) -> Markup:
    """The rows as <tr> elements, one line per row and cell, indented to sit in the table's <tbody>."""
    return Markup("\n".join(map(_row, rows)))


def _row(row: RowView) -> str:
    if row.code:
        parents = f' data-parents="{_escaped(row.parents)}"' if row.parents else ""
        total = " total" if row.total else ""
        attributes = f' data-code="{_escaped(row.code)}"{parents} class="level-{row.level}{total}"'
    else:
        attributes = ' class="total"' if row.total else ""
    cells = "".join(map(_cell, row.cells))
    return f'      <tr id="{_escaped(row.id)}"{attributes}>\n{cells}      </tr>'


def _cell(cell: CellView) -> str:
    role = cell.role
    if role == "amount":  # a Decimal, and its digits with separators: nothing to escape
        return f'        <td class="num" data-value="{cell.value}">{cell.shown}</td>\n'
    if role == "text":
        return f"        <td>{cell.shown}</td>\n"
    if role == "blank":
        return '        <td class="blank"></td>\n'
    if role == "code":
        return (f'        <th scope="row" class="code"><a class="row-link" href="{_escaped(cell.href)}" title="本行链接">'
                f"{_escaped(cell.value)}</a></th>\n")
    return (f'        <td><a class="term classification" href="{_escaped(cell.href)}" title="{_escaped(cell.title)}">'
            f"{_escaped(cell.value)}</a></td>\n")


_SPECIAL = re.compile(r"[&<>'\"]")


def _escaped(text: str) -> str:
    """escape(text), as text: most ids and codes hold nothing to escape, and a search costs less than escape()."""
    return str(escape(text)) if _SPECIAL.search(text) else text
