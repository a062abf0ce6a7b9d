"""The site search's index: what a reader can find, and where it links."""
from __future__ import annotations

from .views import DepartmentView


def search_entries(d: DepartmentView) -> list[list[str]]:
    """[text, where, url] for a department, its tables, glossary terms and coded rows."""
    where = d.doc.department
    entries = [[d.doc.department, f"{d.doc.year} {d.kind_label}", d.url]]
    for view in d.tables:
        entries.append([view.table.title, where, f"{d.url}#{view.table.id}"])
        for row in view.rows:
            if row.code and len(row.cells) > 1 and isinstance(row.cells[1].value, str):
                entries.append([f"{row.code} {row.cells[1].value}", f"{where} · {view.table.title}",
                                f"{d.url}#{row.id}"])
    for entry in d.glossary:
        entries.append([entry.term, f"{where} · 名词解释", f"{d.url}#{entry.id}"])
    return entries
