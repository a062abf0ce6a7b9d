"""Department, year and kind of document: from wherever the document states them.

In order of trust: the title (one line or a cover set over two or three lines, year before or after
the department: ``广州市卫生健康委员会 2026 年部门预算``, ``2026年`` / ``广州市卫生健康委员会部门预算``,
``杭州市公安局`` / ``2026 年度部门预算``), a ``部门名称：`` / ``单位名称：`` line, the running header a
reader found, table captions (``2026年部门收支总体情况表``), the PDF's own title; the file name last,
with a warning. A document that states none of them is still read, with a warning.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..cleaning import squash
from ..model import KIND_LABELS
from ..reading.extract import Line

YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*度?")
# Checked in this order: a 决算 explanation is final accounts, a 预算编制说明 is not a plain budget.
KIND_WORDS = (
    ("final_accounts", re.compile(r"决算")),
    ("performance_evaluation", re.compile(r"绩效自评|绩效评价|自评报告|自评表")),
    ("performance_targets", re.compile(r"绩效目标(?:表|申报表)|绩效目标$")),
    ("budget_explanation", re.compile(r"编制说明|情况说明")),
    ("budget", re.compile(r"预算")),
)
# Where the name of the department ends and the name of the document begins.
DOCUMENT_WORDS = re.compile(r"(?:部门|单位)(?:整体)?(?:支出)?(?:预算|决算|绩效)|(?:项目|整体)支出|预算|决算|绩效")
ORGANISATION = re.compile(r"(?:局|委员会|委|厅|办公室|办|中心|院|所|部|会|站|队|处|校|学|馆|团|社|署|司|公司|政府|"
                          r"研究室|园|场|台|库|联)(?:本级|[（(]本级[）)])?$")
NOT_A_NAME = re.compile(r"收支|收入|支出|拨款|经费|总表|情况|目录|说明|部分|^(?:本|我|该)?(?:部门|单位)$|[。；，：:,;]|^第|"
                        r"\.{3}|…|^[一二三四五六七八九十]+、")
NAME_LINE = re.compile(r"^(?:部门\s*/\s*单位|部门\s*[（(]单位[）)]\s*名称|单位名称|部门名称|预算单位|编制单位|填报单位|"
                       r"主管部门|项目主管部门|部门)\s*[:：]\s*(?P<name>\S.*?)(?:\s*(?:金额)?单位\s*[:：].*)?$")
NAME_LABEL = re.compile(r"(?:项目)?(?:主管|预算)?(?:部门|单位)(?:\(单位\))?(?:名称)?")  # a form's 部门名称 / 主管部门 cell
COVER_LINES = 4  # a cover title is set over at most this many short lines
SEARCH_LINES = 80  # a title further down than this is not the document's title (navigation, contents)
MAX_COVER_LINE = 40


@dataclass
class Metadata:
    department: str
    year: int
    kind: str
    title: str
    line: int  # the last line of the title (0 if none): the document's body starts after it


def kind_of(text: str) -> Optional[str]:
    return next((kind for kind, pattern in KIND_WORDS if pattern.search(text)), None)


def _department(text: str) -> Optional[str]:
    """The organisation named in ``text`` (what is left once the year and the document's name are taken out)."""
    text = re.sub(r"^关于", "", text)
    match = DOCUMENT_WORDS.search(text)
    name = (text[:match.start()] if match else text).strip(" ：:，,的.．·、")
    if not 2 <= len(name) <= 40 or NOT_A_NAME.search(name) or not re.search(r"[\u4e00-\u9fff]{2}", name):
        return None
    return name


@dataclass
class _Title:
    department: Optional[str]
    year: int
    kind: str
    text: str
    line: int


def _read_title(text: str, line: int) -> Optional[_Title]:
    compact = re.sub(r"\s+", "", text)
    year = YEAR.search(compact)
    kind = kind_of(compact)
    if not year or not kind:
        return None
    before, after = compact[:year.start()], compact[year.end():]
    department = _department(before) or _department(after)
    return _Title(department, int(year.group(1)), kind, re.sub(r"\s+", " ", text).strip(), line)


def _candidates(lines: list[Line]) -> list[tuple[int, list[Line]]]:
    """The first text lines, each alone and joined with the one or two short lines after it (a cover)."""
    texts = [l for l in lines if not l.blank and not l.is_row][:SEARCH_LINES]
    out = []
    for i in range(len(texts)):
        for size in range(1, COVER_LINES + 1):
            group = texts[i:i + size]
            if len(group) < size or (size > 1 and any(len(l.text) > MAX_COVER_LINE for l in group)):
                break
            if size > 1 and group[0].page != group[-1].page:
                break
            out.append((i, group))
    return out


def find_metadata(lines: list[Line], file_name: str, running_lines: list[str],
                  title_hint: Optional[str], warnings: list[str]) -> Metadata:
    title = None
    for _, group in _candidates(lines):
        found = _read_title("".join(l.text for l in group), group[-1].no)
        if found and (title is None or (title.department is None and found.department)):
            if title is not None and found.year != title.year:
                continue
            title = found
            if title.department:
                break
    department = title.department if title else None
    year = title.year if title else None
    kind = title.kind if title else None
    sources = [*running_lines, *([title_hint] if title_hint else [])]
    for text in sources:
        if other := _read_title(text, 0):
            department = department or other.department
            year = year or other.year
            kind = kind or other.kind
    department = department or _named(lines) or next((d for s in sources if (d := _department(re.sub(r"\s+", "", s)))), None)
    year = year or _caption_year(lines)
    kind = kind or _caption_kind(lines)
    stem = Path(file_name).stem
    if department is None:
        department = stem
        warnings.append(f"the document does not state its department where expected (title, cover, 部门名称：); "
                        f"used the file name '{stem}': correct 'department' in the data file")
    if year is None:
        year_in_name = re.search(r"(?:19|20)\d{2}", stem)
        year = int(year_in_name.group(0)) if year_in_name else 0
        warnings.append("the document does not state its year in a title or caption; "
                        + (f"used {year} from the file name" if year_in_name else "set it to 0") + ": check 'year'")
    if kind is None:
        kind = "budget"
        warnings.append("the document does not say what kind it is (预算, 决算, 绩效自评 …); took it for a budget: check 'kind'")
    text = title.text if title and title.department else f"{department} {year} 年{KIND_LABELS[kind]}"
    return Metadata(department=department, year=year, kind=kind, title=text, line=title.line if title else 0)


def _named(lines: list[Line]) -> Optional[str]:
    """The department of a ``部门名称：…`` line (or cell), the first that names an organisation."""
    for line in lines:
        texts = [c for c in line.cells if c] if line.is_row else [line.text]
        for i, text in enumerate(texts):
            match = NAME_LINE.match(text)
            name = match.group("name") if match else None
            if match is None and NAME_LABEL.fullmatch(squash(text)) and i + 1 < len(texts):
                name = texts[i + 1]
            if name and (name := name.strip()) and ORGANISATION.search(squash(name)) and not NOT_A_NAME.search(name):
                return name
    return None


def _caption_year(lines: list[Line]) -> Optional[int]:
    years = Counter(int(m.group(1)) for l in lines if not l.is_row and len(l.text) <= 60
                    for m in [YEAR.search(squash(l.text))] if m and kind_of(l.text))
    return years.most_common(1)[0][0] if years else None


def _caption_kind(lines: list[Line]) -> Optional[str]:
    kinds = Counter(k for l in lines if not l.is_row and len(l.text) <= 60 and (k := kind_of(l.text)))
    return kinds.most_common(1)[0][0] if kinds else None
