"""The title line: department, year and kind of document."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .lines import Line

TITLE = re.compile(r"^(?P<department>.+?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?P<rest>.*)$")
# Checked in this order: a 决算 explanation is final accounts, a 预算编制说明 is not a plain budget.
KIND_WORDS = (
    ("final_accounts", re.compile(r"决算")),
    ("performance_evaluation", re.compile(r"绩效自评|绩效评价|自评报告")),
    ("budget_explanation", re.compile(r"编制说明|情况说明")),
    ("budget", re.compile(r"预算")),
)
SEARCH_LINES = 60  # a title further down than this is not the document's title (site navigation, etc.)


@dataclass
class Title:
    line: int
    text: str
    department: str
    year: int
    kind: str


def kind_of(text: str) -> Optional[str]:
    return next((kind for kind, pattern in KIND_WORDS if pattern.search(text)), None)


def find_title(lines: list[Line]) -> Optional[Title]:
    """The first line naming a department, a year and a kind of budget document."""
    seen = 0
    for line in lines:
        if line.blank or line.is_row:
            continue
        seen += 1
        if seen > SEARCH_LINES:
            return None
        match = TITLE.match(line.text)
        if not match:
            continue
        kind = kind_of(match.group("rest"))
        department = match.group("department").strip(" ：:，,")
        if kind and 2 <= len(department) <= 60 and not re.search(r"[。；]", department):
            return Title(line.no, re.sub(r"\s+", " ", line.text), department, int(match.group("year")), kind)
    return None
