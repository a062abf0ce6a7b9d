"""What the site search can find on each page, and where a result links: every table, row, paragraph,
glossary entry and project report (searchindex.py turns these records into the index)."""
from __future__ import annotations

import html
import re

from .numbers import amount
from .pages import Page
from .searchindex import Record, SearchPage, prepare
from .terms import Group
from .sitewide import DepartmentPage
from .views import DocumentView

_TAG = re.compile(r"<[^>]+>")


def search_entries(d: DocumentView):
    """A document page's records, prepared in the worker that rendered the page: (its part of the index, its
    records files to write beside it)."""
    h = d.headline
    figures = [("项目预算合计", h.budget, h.unit), ("实际支出合计", h.actual, h.unit)] if d.evaluations else [
        ("收入总计", h.income, h.unit), ("支出总计", h.spending, h.unit), ("“三公”经费", h.sangong, h.sangong_unit)]
    summary = " ".join(f"{label} {amount(value) or '—'} {unit or ''}" for label, value, unit in figures)
    records = [Record("", "document", f"{d.department} {d.doc.year} {d.kind_label}",
                      " ".join([d.subtitle, summary, "本文件包含：" + "，".join(d.contents)]))]
    for b in d.blocks:
        if b.section:
            s = b.section.section
            if s.heading:
                records.append(Record(f"#{b.section.id}", "text", s.heading))
            records += [Record(f"#{b.section.id}", "text", s.heading or d.subtitle, p) for p in s.paragraphs]
            continue
        view = b.table
        records.append(Record(f"#{view.id}", "table", view.name, f"单位：{view.unit}"))
        for row in view.rows:
            name = next((c.value for c in row.cells if c.role in ("text", "term")), view.name)
            first = next((c for c in row.cells if c.role == "amount"), None)
            records.append(Record(f"#{row.id}", "row", str(name),
                                  " ".join(c.shown if c.role == "amount" else str(c.value) for c in row.cells
                                           if c.value is not None),
                                  first.shown if first else "", view.unit if first else ""))
        records += [Record(f"#{view.id}", "text", view.name, note) for note in view.table.notes]
    for e in d.evaluations:
        ev = e.evaluation
        records.append(Record(f"#{e.report_id}", "evaluation", ev.project,
                              f"预算 {ev.budget or ''} 实际支出 {ev.actual or ''} 完成率 {ev.completion_rate or ''}",
                              amount(ev.budget), ev.unit))
        for s in ev.sections:
            records += [Record(f"#{e.report_id}", "text", f"{ev.project} · {s.heading}" if s.heading else ev.project, p)
                        for p in s.paragraphs]
    records += [Record(f"#{g.id}", "term", g.term, g.definition) for g in d.glossary]
    return prepare(SearchPage(d.url, d.department, d.doc.year, d.kind_label, d.subtitle, records))


def department_entries(department: DepartmentPage):
    listed = " ".join(f"{doc.year} {doc.kind_label} {doc.subtitle} {amount(doc.headline.spent)} {doc.headline.unit or ''}"
                      for doc in department.documents)
    return prepare(SearchPage(department.url, department.name, None, "", department.name,
                              [Record("", "department", department.name, listed)]))


def glossary_entries(url: str, groups: list[Group]):
    records = []
    for group in groups:
        for item in group.terms + [t for g in group.groups for t in g.terms]:
            uses = (f"{w.definition} " + " ".join(f"{u.department} {u.year} {u.kind_label}" for u in w.uses)
                    for w in item.wordings)
            records.append(Record(f"#{item.id}", "term", item.term, " ".join([item.code or "", *uses])))
    return prepare(SearchPage(url, "", None, "", "名词解释", records))


def page_entries(page: Page):
    text = html.unescape(_TAG.sub(" ", str(page.html)))
    return prepare(SearchPage(page.url, "", None, "", page.title, [Record("", "page", page.title, " ".join(text.split()))]))
