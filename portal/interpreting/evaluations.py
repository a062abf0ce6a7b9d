"""专项绩效自评报告 collections: one report per project, with budget, actual spending and completion rate.

A report starts at a title line ending in 绩效自评报告 (sometimes printed over two lines, the second
being just 专项绩效自评报告). Its figures come from the sentence that states the actual spending:
"整体预算为 67 万元,实际支出 51. 26 万元, 预算完成率 76. 51%".
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Optional

from ..cleaning import squash
from ..model import Evaluation, Table
from ..reading.extract import Line
from ..numbers import normalise_prose
from .sections import build_sections

REPORT_TITLE = re.compile(r"绩效自评报告$")
PROJECT = re.compile(r"^(?P<department>.*?)(?P<year>(?:19|20)\d{2})年度?(?P<project>.+?)(?:专项)?(?:支出)?绩效自评报告$")
AMOUNT = r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|元|亿元)"
BUDGET = re.compile(r"(?:预算(?:金额|资金|数)?|整体预算)\s*(?:共|合计)?\s*(?:为|是)?\s*" + AMOUNT)
ACTUAL = re.compile(r"实际(?:支出|使用|执行)(?:资金|金额)?\s*(?:为|是)?\s*" + AMOUNT)
RATE = re.compile(r"(?:预算)?(?:完成率|执行率)\s*(?:为|达)?\s*(?P<n>\d+(?:\.\d+)?)\s*%")
RATE_TOLERANCE = Decimal("0.1")  # percentage points between the printed rate and actual / budget
MAX_TITLE_LENGTH = 80


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).strip("“”\"")


def report_starts(lines: list[Line]) -> list[tuple[int, int, str, int]]:
    """(index of the title's first line, index of its last line, full title, line number) for each report."""
    starts = []
    for i, line in enumerate(lines):
        text = _compact(line.text)
        if line.blank or len(text) > MAX_TITLE_LENGTH or not REPORT_TITLE.search(text):
            continue
        title, first = text, i
        if not PROJECT.match(text):  # title printed over two lines: join the line above
            k = i - 1
            while k >= 0 and lines[k].blank:
                k -= 1
            if k >= 0 and len(_compact(lines[k].text)) <= MAX_TITLE_LENGTH:
                title, first = _compact(lines[k].text) + text, k
        starts.append((first, i, title, lines[first].no))
    return starts


def split_reports(lines: list[Line], warnings: list[str]) -> tuple[list[Evaluation], list[Line]]:
    """The evaluations, and the lines before the first report (the document's own text)."""
    starts = report_starts(lines)
    if not starts:
        return [], lines
    evaluations = []
    bounds = [s[0] for s in starts] + [len(lines)]
    for (_, last, title, line_no), end in zip(starts, bounds[1:]):
        evaluations.append(_evaluation(title, line_no, lines[last].page, lines[last + 1:end], warnings))
    return evaluations, lines[:starts[0][0]]


def _evaluation(title: str, line_no: int, page: Optional[int], body: list[Line], warnings: list[str]) -> Evaluation:
    m = PROJECT.match(title)
    project = m.group("project").strip("“”\"'") if m else title
    sections = build_sections(body)
    budget = actual = rate = None
    unit = "万元"
    paragraphs = [(section.line, p) for section in sections for p in section.paragraphs]
    for para_line, paragraph in paragraphs:
        if "实际" not in paragraph:
            continue
        text, notes = normalise_prose(paragraph)
        actual_match = ACTUAL.search(text)
        if not actual_match:
            continue
        warnings.extend(f"line {para_line}: {note}" for note in notes)
        budget_match = _last(BUDGET, text[:actual_match.start()])
        rate_match = RATE.search(text, actual_match.end())
        actual, unit = _decimal(actual_match.group("n")), actual_match.group("unit")
        budget = _decimal(budget_match.group("n")) if budget_match else None
        rate = Decimal(rate_match.group("n")) if rate_match else None
        _check(project, para_line, budget, actual, rate, warnings)
        break
    else:
        warnings.append(f"line {line_no}: report '{project}': no sentence stating 实际支出 … 万元 found; "
                        "budget, actual and completion rate left empty")
    return Evaluation(project=project, line=line_no, budget=budget, actual=actual, completion_rate=rate,
                      unit=unit, sections=sections, page=page)


def _last(pattern: re.Pattern, text: str) -> Optional[re.Match]:
    found = None
    for found in pattern.finditer(text):
        pass
    return found


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _check(project: str, line: int, budget, actual, rate, warnings: list[str]) -> None:
    """Warn when the printed completion rate disagrees with actual / budget."""
    if budget and actual is not None and rate is not None:
        computed = (actual / budget * 100).quantize(Decimal("0.01"))
        if abs(computed - rate) > RATE_TOLERANCE:
            warnings.append(f"line {line}: report '{project}': completion rate printed {rate}% "
                            f"but actual / budget = {computed}%")


BUDGET_HEADS = ("全年预算数", "年度预算数", "预算数")
ACTUAL_HEADS = ("全年执行数", "执行数", "实际支出数", "实际支出")
RATE_HEADS = ("执行率", "预算执行率")


def from_forms(tables: list[Table], warnings: list[str]) -> list[Evaluation]:
    """项目支出绩效自评表, a form per project (the national template): the project's name, and budget,
    actual spending and completion rate from the row under 全年预算数 / 全年执行数 / 执行率."""
    evaluations = []
    for table in tables:
        if table.kind != "form" or "自评" not in table.title:
            continue
        texts = [[c if isinstance(c, str) else "" for c in row] for row in table.rows]
        project = next((row[i + 1] for row in texts for i, c in enumerate(row[:-1]) if squash(c) == "项目名称"), "")
        head = next((k for k, row in enumerate(texts) if _column(row, BUDGET_HEADS) is not None
                     and _column(row, ACTUAL_HEADS) is not None), None)
        if not project or head is None:
            continue
        b, a, r = _column(texts[head], BUDGET_HEADS), _column(texts[head], ACTUAL_HEADS), _column(texts[head], RATE_HEADS)
        row = next((row for row in table.rows[head + 1:] if b < len(row) and isinstance(row[b], Decimal)), None)
        if row is None:
            continue
        rate = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*[%％]\s*", row[r]) if r is not None and isinstance(row[r], str) else None
        unit = "元" if any("（元）" in c or "(元)" in c for c in texts[head]) else "万元"
        evaluation = Evaluation(project=project, line=table.line, budget=row[b],
                                actual=row[a] if isinstance(row[a], Decimal) else None,
                                completion_rate=Decimal(rate.group(1)) if rate else None, unit=unit, sections=[],
                                page=table.page)
        _check(project, table.line, evaluation.budget, evaluation.actual, evaluation.completion_rate, warnings)
        evaluations.append(evaluation)
    return evaluations


def _column(row: list[str], heads: tuple[str, ...]) -> Optional[int]:
    return next((i for i, c in enumerate(row) if squash(c) in heads), None)
