"""The data model: frozen dataclasses shared by the interpreter, the YAML data files and the views.

A cell of a table is one of:
- ``None``: the document left it empty;
- ``Decimal``: an amount or count, with the precision it was printed with (``Decimal("0.00")``);
- ``str``: anything else (codes such as ``"2010301"``, names, percentages, targets).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal, Optional, Union, get_args

Cell = Union[None, Decimal, str]

Kind = Literal["budget", "budget_explanation", "final_accounts", "performance_evaluation", "performance_targets"]
KINDS: tuple[Kind, ...] = get_args(Kind)
KIND_LABELS: dict[Kind, str] = {
    "budget": "部门预算",
    "budget_explanation": "预算编制说明",
    "final_accounts": "部门决算",
    "performance_evaluation": "专项绩效自评报告",
    "performance_targets": "绩效目标表",
}
UNITS = ("元", "万元", "千元", "亿元")
TableKind = Literal["data", "form", "performance"]  # data; label/value pairs; 绩效目标


@dataclass(frozen=True)
class Source:
    file: str
    sha256: str


@dataclass(frozen=True)
class Section:
    heading: str
    level: int  # 1 = 第X部分 / top heading, 2 = 一、, 3 = （一）
    paragraphs: list[str]
    line: int
    page: Optional[int] = None  # page of the heading, for sources that have pages
    pages: list[list[int]] = field(default_factory=list)  # [index of a paragraph, page] where a new page begins


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    unit: Optional[str]
    line: int
    header: list[list[Cell]]
    rows: list[list[Cell]]
    label: Optional[str] = None  # 附表5, 表1, 预算08表 …
    kind: TableKind = "data"
    empty: bool = False
    note: Optional[str] = None  # what the document says when the table is empty
    notes: list[str] = field(default_factory=list)  # 备注 / 注 lines printed under the table
    continued_at: list[int] = field(default_factory=list)  # lines where a page continuation was merged
    page: Optional[int] = None  # page the table starts on, for sources that have pages
    pages: list[list[int]] = field(default_factory=list)  # [index of the first row on it, page] for each page


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    line: int
    group: Optional[str] = None  # the heading entry this one is listed under
    code: Optional[str] = None  # function-classification code (e.g. "2010301") when matched to a table row
    page: Optional[int] = None


@dataclass(frozen=True)
class Evaluation:
    project: str
    line: int
    budget: Optional[Decimal]
    actual: Optional[Decimal]
    completion_rate: Optional[Decimal]  # percent, as printed (76.51 means 76.51 %)
    unit: str
    sections: list[Section]
    page: Optional[int] = None


@dataclass(frozen=True)
class Document:
    department: str
    year: int
    kind: Kind
    title: str
    source: Source
    slug: Optional[str] = None  # the document page's URL segment under its department; default <year>-<kind>
    department_slug: Optional[str] = None  # groups documents into one department page, named so in URLs
    department_aliases: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
