"""What the site-wide pages need of the documents: each document's summary (made with its page, kept between
builds), the department pages that group them, and the index's charts."""
from __future__ import annotations

import hashlib
import pickle
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Optional

from markupsafe import Markup

from . import urls
from .charts import comparison_chart
from .comparison import Comparison, Measure, compare
from .model import KIND_LABELS
from .numbers import convert
from .summary import Headline, measures
from .views import DocumentView, charts_of


@dataclass(frozen=True)
class TermUse:
    """A glossary entry of one document, for the portal's merged glossary."""
    term: str
    definition: str
    code: Optional[str]
    href: str  # the entry on its document's page, from the site root


@dataclass(frozen=True)
class Details:
    """What only some builds need of a document: its glossary entries and its tables' 类/款 names (for the
    merged glossary, made again only when a document's change) and its charts (for its department's page)."""
    terms: list[TermUse]
    classes: dict[str, str]  # 类 and 款 codes printed in its tables → their names, to group the glossary
    charts: list[Markup]  # as its department's page shows them (bars link to this document's page)


@dataclass(frozen=True)
class DocumentSummary:
    """What the site-wide pages (index, department pages, glossary, search) need of one document page. A build
    reads every document's back from the build cache: what only some builds need is unpickled on demand."""
    url: str
    department_url: str
    department_key: str
    department: str
    year: int
    kind: str
    kind_label: str
    subtitle: str
    headline: Headline
    measures: list[Measure]  # compared year over year
    table_count: int
    term_count: int
    source_file: str
    warnings: int
    checked: int  # equalities its figures were checked on
    findings: list[tuple[str, str, str]]  # (severity, message, link from the site root) of each that did not hold
    details: bytes  # Details, pickled
    search: object = None  # its page in the site search (searchindex.prepare)
    checksum: str = ""  # of its data file's text: what its department's page is made from
    resources: object = None  # its tables in the site's data package (opendata.Resources)
    glossary_digest: bytes = b""  # of what it brings to the merged glossary: the glossary is made again only if one changes

    @cached_property
    def _details(self) -> Details:
        return pickle.loads(self.details)

    @property
    def terms(self) -> list[TermUse]:
        return self._details.terms

    @property
    def classes(self) -> dict[str, str]:
        return self._details.classes

    @property
    def charts(self) -> list[Markup]:
        return self._details.charts


def summary_of(view: DocumentView) -> DocumentSummary:
    doc = view.doc
    classes: dict[str, str] = {}
    for table in view.tables:
        for row in table.rows:
            if row.code and row.level < 2 and len(row.cells) > 1 and isinstance(row.cells[1].value, str):
                classes.setdefault(row.code, row.cells[1].value)
    terms = [TermUse(e.term, e.definition, g.code, f"{view.url}#{e.id}") for e, g in zip(view.glossary, doc.glossary)]
    glossary = repr((view.department, doc.year, view.kind_label, terms, classes)).encode()
    charts = charts_of(view.figures, {t.table.id: t for t in view.tables},
                       view.url.removeprefix(urls.folder(view.department_url)))
    return DocumentSummary(url=view.url, department_url=view.department_url, department_key=view.department_key,
                           department=view.department, year=doc.year, kind=doc.kind, kind_label=view.kind_label,
                           subtitle=view.subtitle, headline=view.headline, measures=measures(view.headline, view.figures),
                           table_count=len(view.tables), term_count=len(terms), source_file=doc.source.file,
                           warnings=len(doc.warnings), checked=view.checks.checked,
                           findings=[(f.finding.severity, f"{f.finding.label}：{f.finding.message}", view.url + f.href)
                                     for f in view.checks.errors + view.checks.roundings],
                           details=pickle.dumps(Details(terms, classes, charts), protocol=pickle.HIGHEST_PROTOCOL),
                           glossary_digest=hashlib.blake2b(glossary, digest_size=16).digest())


KIND_ORDER = {kind: i for i, kind in enumerate(KIND_LABELS)}


@dataclass(frozen=True)
class DepartmentPage:
    """A department's page: its documents by year and kind, and its figures compared year over year."""
    key: str
    name: str
    url: str
    documents: list[DocumentSummary]  # newest first
    comparisons: list[Comparison]  # one per kind of document printed in two or more years
    latest: DocumentSummary  # the document the index shows the figures of
    change: Optional[Decimal]  # its 支出总计 against the year before's, in percent

    @property
    def made_from(self) -> tuple:
        """What the page shows depends on these alone (with the templates and settings)."""
        return tuple((d.url, d.checksum) for d in self.documents)

    @property
    def years(self) -> list[int]:
        return sorted({d.year for d in self.documents}, reverse=True)


def department_pages(summaries: list[DocumentSummary]) -> list[DepartmentPage]:
    groups: dict[str, list[DocumentSummary]] = {}
    for summary in summaries:
        groups.setdefault(summary.department_key, []).append(summary)
    pages = []
    for key, documents in groups.items():
        documents.sort(key=lambda d: (-d.year, KIND_ORDER[d.kind], d.url))
        comparisons = []
        for kind in KIND_LABELS:
            by_year = {}
            for d in documents:
                if d.kind == kind and d.measures:
                    by_year.setdefault(d.year, d.measures)  # two of one year: the first in page order
            comparison = compare(KIND_LABELS[kind], sorted(by_year.items()))
            if comparison:
                comparisons.append(comparison)
        latest = next((d for d in documents if d.measures), documents[0])
        change = next((row.percent for c in comparisons if c.kind_label == latest.kind_label
                       for row in c.rows if row.label in ("支出总计", "实际支出") and c.years[-1] == latest.year), None)
        pages.append(DepartmentPage(key, documents[0].department, documents[0].department_url, documents, comparisons,
                                    latest, change))
    return sorted(pages, key=lambda p: (p.name, p.url))


def by_letter(departments: list[DepartmentPage]) -> list[tuple[str, list[DepartmentPage]]]:
    """Departments by the first letter of their page's address (the pinyin of the name, or the data file's
    department_slug), A to Z, then "0-9" for those that start with a digit."""
    groups: dict[str, list[DepartmentPage]] = {}
    for department in sorted(departments, key=lambda d: (d.url, d.name)):
        first = department.url.split("/")[1][:1].upper()
        groups.setdefault(first if first.isalpha() else "0-9", []).append(department)
    return sorted(groups.items(), key=lambda item: (not item[0].isalpha(), item[0]))


INDEX_CHART_BARS = 20  # a chart of a province's thousand departments would be a wall: the largest, listed in full below


def index_charts(departments: list[DepartmentPage]) -> list[Markup]:
    """Departments side by side on total spending and on 三公经费 (their latest documents), in 万元."""
    charts = []
    for title, value, unit in (("支出总计", lambda h: h.spending, lambda h: h.unit),
                               ("“三公”经费", lambda h: h.sangong, lambda h: h.sangong_unit)):
        items = [(d, value(d.latest.headline), unit(d.latest.headline)) for d in departments]
        items = [(d, v, u) for d, v, u in items if v is not None and convert(v, u or "", "万元") is not None]
        items.sort(key=lambda item: (-convert(item[1], item[2], "万元"), item[0].name))
        shown = items[:INDEX_CHART_BARS]
        more = f"（前 {len(shown)} 个部门）" if len(items) > len(shown) else ""
        charts.append(comparison_chart(f"各部门{title}{more}", [(d.name, v, u) for d, v, u in shown], "万元",
                                       href=[d.url for d, _, _ in shown]))
    return [c for c in charts if c]
