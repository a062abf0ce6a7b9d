"""Charts drawn at build time as inline SVG: no script, readable without JavaScript, printable.

Each chart is a ``<figure class="chart">``: a visible caption (title and unit), the SVG (``role="img"`` with
an ``aria-label``, a ``<title>`` and a ``<desc>`` listing the numbers) and the same numbers as a table that
CSS hides visually (class ``chart-data``), for screen readers and for anyone copying them. Amounts are shown
as the tables show them (``numbers.amount``); every text comes from documents, so all of it is escaped.
The SVG has no style attributes (the site's Content-Security-Policy forbids them) and scales with its
container: a 360-unit-wide viewBox keeps 13-unit text legible on a 390 px phone.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from markupsafe import Markup, escape

from .numbers import amount, convert

WIDTH = Decimal(360)
FONT = Decimal(13)  # text size in viewBox units
LINE = Decimal(16)  # line height of wrapped labels
LABEL_WIDTH = Decimal(124)  # the label column, left of the bars
GAP = Decimal(6)
BAR = Decimal(14)  # thickness of a bar
PAD = Decimal(7)  # above and below each row
INK, BAR_FILL, AXIS = "#1f2328", "#0b5cad", "#57606a"
# Share segments: dark, medium and light tones stay apart in greyscale print; each keeps its outline.
TONES = (("#0b5cad", "#ffffff"), ("#9cc3ea", INK), ("#e7f0fb", INK), ("#57606a", "#ffffff"))
_NO_LINE_START = set("）)」』】〉》，。、；：！？,.;:!?")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: object) -> Markup:
    """Escaped text, without the control characters XML cannot hold."""
    return escape(_NOT_XML.sub("", str(value)))


def _n(value: Decimal) -> str:
    """A coordinate: two decimals at most, the same on every build."""
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def _text_width(text: str) -> Decimal:
    """Rendered width estimate: full-width (CJK) characters 1 em, the rest 0.6 em."""
    return sum((Decimal(1) if unicodedata.east_asian_width(ch) in "WF" else Decimal("0.6") for ch in text),
               Decimal(0)) * FONT


def _fitting(text: str, width: Decimal) -> int:
    """How many leading characters of ``text`` fit in ``width`` (at least one)."""
    used = Decimal(0)
    for count, ch in enumerate(text):
        used += _text_width(ch)
        if used > width:
            return max(count, 1)
    return len(text)


def _wrap(label: str, width: Decimal, two_lines: bool = True) -> list[str]:
    """The label on one line, or on two of about equal length (no closing bracket or comma starting the
    second), or shortened with … where even two lines are too few: the full label is in the <title>."""
    label = label.strip()
    if _text_width(label) <= width:
        return [label]
    if not two_lines:
        return [label[:_fitting(label, width - _text_width("…"))] + "…"]
    cut = _fitting(label, _text_width(label) / 2)
    while cut < len(label) and label[cut] in _NO_LINE_START:
        cut += 1
    first, rest = label[:cut], label[cut:]
    if _text_width(first) > width or _text_width(rest) > width:
        first = label[:_fitting(label, width)]
        rest = label[len(first):]
        if _text_width(rest) > width:
            rest = rest[:_fitting(rest, width - _text_width("…"))] + "…"
    return [first.rstrip(), rest.lstrip()] if rest.strip() else [first.rstrip()]


def _percent(part: Decimal, total: Decimal) -> str:
    return f"{(part * 100 / total).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _figure(title: str, unit: str, svg_body: str, width: Decimal, height: Decimal, summary: str,
            table: str) -> Markup:
    caption = f"{_text(title)}（单位：{_text(unit)}）"
    return Markup(
        f'<figure class="chart"><figcaption class="chart-title">{caption}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="100%" role="img" aria-label="{caption}" font-size="{_n(FONT)}" fill="{INK}">'
        f'<title>{caption}</title><desc>{summary}</desc>{svg_body}</svg>{table}</figure>'
    )


def _data_table(title: str, unit: str, rows: list[list[str]], with_share: bool) -> str:
    head = f'<th scope="col">项目</th><th scope="col">金额（{_text(unit)}）</th>'
    head += '<th scope="col">占比</th>' if with_share else ""
    body = "".join(f'<tr><th scope="row">{_text(row[0])}</th>' + "".join(f"<td>{_text(c)}</td>" for c in row[1:])
                   + "</tr>" for row in rows)
    return (f'<div class="chart-data"><table><caption>{_text(title)}（单位：{_text(unit)}）</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def _label_text(lines: list[str], y: Decimal) -> str:
    """Wrapped label lines, right-aligned against the bars and centred on ``y``."""
    x = _n(LABEL_WIDTH)
    first = y - LINE * (len(lines) - 1) / 2
    spans = "".join(f'<tspan x="{x}" y="{_n(first + LINE * i)}">{_text(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text class="chart-label" text-anchor="end" dominant-baseline="middle">{spans}</text>'


def bar_chart(title: str, bars: list[tuple[str, Decimal]], unit: str, *,
              href: Optional[list[str]] = None) -> Markup:
    """Horizontal bars, one per (label, amount), in the order given; ``href``: a link for each bar.
    Negative amounts run left of a zero line; an empty list draws nothing."""
    if not bars:
        return Markup("")
    if href is not None and len(href) != len(bars):
        raise ValueError("bar_chart: one href per bar")
    values = [value for _, value in bars]
    low, high = min(min(values), Decimal(0)), max(max(values), Decimal(0))
    value_width = max(_text_width(amount(v)) for v in values) + GAP
    plot = max(WIDTH - LABEL_WIDTH - GAP - value_width, Decimal(60))
    scale = plot / (high - low) if high != low else Decimal(0)
    zero = LABEL_WIDTH + GAP - low * scale
    rows, y = [], Decimal(0)
    for index, (label, value) in enumerate(bars):
        lines = _wrap(label, LABEL_WIDTH)
        height = LINE * len(lines) + 2 * PAD
        middle = y + height / 2
        start = zero + min(value, Decimal(0)) * scale
        after = zero + max(value, Decimal(0)) * scale + GAP / 2  # the value right of the bar, or of zero
        shown = amount(value)
        row = (f'<g class="chart-bar"><title>{_text(label)}：{_text(shown)} {_text(unit)}</title>'
               f'{_label_text(lines, middle)}'
               f'<rect x="{_n(start)}" y="{_n(middle - BAR / 2)}" width="{_n(abs(value) * scale)}" '
               f'height="{_n(BAR)}" fill="{BAR_FILL}"/>'
               f'<text class="chart-value" x="{_n(after)}" y="{_n(middle)}" dominant-baseline="middle">'
               f'{_text(shown)}</text></g>')
        rows.append(f'<a href="{_text(href[index])}">{row}</a>' if href else row)
        y += height
    axis = f'<line x1="{_n(zero)}" y1="0" x2="{_n(zero)}" y2="{_n(y)}" stroke="{AXIS}" stroke-width="1"/>'
    summary = "；".join(f"{_text(label)} {_text(amount(value))}" for label, value in bars)
    table = _data_table(title, unit, [[label, amount(value)] for label, value in bars], with_share=False)
    width = max(WIDTH, LABEL_WIDTH + GAP + plot + value_width)  # very long amounts widen the chart
    return _figure(title, unit, "".join(rows) + axis, width, y, summary, table)


def share_chart(title: str, parts: list[tuple[str, Decimal]], unit: str) -> Markup:
    """How a whole divides (basic vs project spending): a 100% stacked bar, then each part with its amount and
    percentage. With a negative part or a total that is not positive, shares mean nothing: the parts are
    listed with their amounts only."""
    if not parts:
        return Markup("")
    total = sum((value for _, value in parts), Decimal(0))
    shares = total > 0 and all(value >= 0 for _, value in parts)
    body, y = [], Decimal(0)
    if shares:
        x = Decimal(0)
        for index, (label, value) in enumerate(parts):
            fill, text_fill = TONES[index % len(TONES)]
            width = WIDTH * value / total
            percent = _percent(value, total)
            inside = ""
            if _text_width(percent) + 4 <= width:
                inside = (f'<text x="{_n(x + width / 2)}" y="{_n(Decimal(18))}" text-anchor="middle" '
                          f'dominant-baseline="middle" fill="{text_fill}">{percent}</text>')
            body.append(f'<g class="chart-segment"><title>{_text(label)}：{_text(amount(value))} {_text(unit)}，'
                        f'{percent}</title><rect x="{_n(x)}" y="4" width="{_n(width)}" height="28" fill="{fill}" '
                        f'stroke="#ffffff" stroke-width="1"/>{inside}</g>')
            x += width
        y = Decimal(44)
    rows = []
    for index, (label, value) in enumerate(parts):
        fill, _ = TONES[index % len(TONES)]
        percent = _percent(value, total) if shares else "—"
        line = _wrap(label, WIDTH - 22, two_lines=False)[0]
        detail = f"{amount(value)} {unit}" + (f"，{percent}" if shares else "")
        swatch = (f'<rect x="1" y="{_n(y + 3)}" width="12" height="12" fill="{fill}" stroke="{INK}" '
                  f'stroke-width="1"/>' if shares else "")
        body.append(f'<g class="chart-part"><title>{_text(label)}</title>{swatch}'
                    f'<text x="20" y="{_n(y + 14)}">{_text(line)}</text>'
                    f'<text class="chart-value" x="20" y="{_n(y + 14 + LINE)}">{_text(detail)}</text></g>')
        rows.append([label, amount(value), percent])
        y += LINE * 2 + PAD
    summary = "；".join(f"{_text(label)} {_text(amount(value))}" + (f"（{row[2]}）" if shares else "")
                       for (label, value), row in zip(parts, rows))
    return _figure(title, unit, "".join(body), WIDTH, y, summary, _data_table(title, unit, rows, with_share=True))


def _in_unit(value: Decimal, unit: Optional[str], to: str) -> Decimal:
    converted = convert(value, unit, to) if unit else None
    if converted is None:
        raise ValueError(f"cannot draw an amount in {unit or 'an unstated unit'} on a chart in {to}")
    return converted


def comparison_chart(title: str, items: list[tuple[str, Decimal, Optional[str]]], unit: str = "万元", *,
                     href: Optional[list[str]] = None) -> Markup:
    """Departments side by side (the index: total spending, 三公经费): (name, amount, its unit) each, drawn
    in one ``unit``. Amounts in other units are converted exactly; one in an unknown unit raises ValueError
    rather than be drawn on the wrong scale."""
    return bar_chart(title, [(name, _in_unit(value, from_unit, unit)) for name, value, from_unit in items], unit,
                     href=href)
