"""Budget vocabulary: the rules of Chinese budget tables that the interpreter, the views and the site's
script all rely on, written once.

Function and economic classification codes nest by digits: 类 ``201`` › 款 ``20103`` › 项 ``2010301``
(and 301 › 30101 for economic classes). The labels are compared after ``squash`` (spaces and
full-width forms folded), as documents print them letter-spaced or in full-width.
"""
from __future__ import annotations

import re

from .cleaning import squash

CODE = re.compile(r"\d{3}(?:\d{2}){0,2}")
CODE_LEVELS = ("类", "款", "项")

TOTAL_LABELS = frozenset({"合计", "总计", "小计", "本年收入合计", "本年支出合计", "收入总计", "支出总计"})
INCOME_LABELS = ("收入总计", "本年收入合计", "收入合计")  # in order of preference
COLUMN_NUMBER_MARK = re.compile(r"[*＊]+|栏次|行次|[甲乙丙丁]")  # over the name columns of a column-number row
SPENDING_LABELS = ("支出总计", "本年支出合计", "支出合计")


def is_code(cell: object) -> bool:
    """A 类/款/项 classification code, as printed in a table's first column."""
    return isinstance(cell, str) and CODE.fullmatch(cell) is not None


def code_level(code: str) -> int:
    """0 for a 类, 1 for a 款, 2 for a 项."""
    return (len(code) - 3) // 2


def parent_codes(code: str) -> list[str]:
    """The 类 (and 款) above a code, outermost first: 2010301 → [201, 20103]."""
    return [code[:n] for n in range(3, len(code), 2)]


def is_total(cell: object) -> bool:
    """A 合计/总计/小计 label."""
    # every label ends in 计 and is short: most cells are ruled out before being squashed
    return isinstance(cell, str) and "计" in cell and len(cell) < 24 and squash(cell) in TOTAL_LABELS


def is_column_numbers(row: list) -> bool:
    """A row numbering the columns (1 2 3 …), with ** or 栏次/行次/甲/乙 over the name columns: it closes a
    table's header, and names no column."""
    filled = [text for text in (str(c).strip() for c in row if c is not None) if text]
    numbers = [int(c) for c in filled if c.isdigit()]
    others = [c for c in filled if not c.isdigit()]
    enough = 2 if any(c in ("栏次", "行次") for c in others) else 3  # 决算 tables: "栏次  1  栏次  2"
    return (len(numbers) >= enough and numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] <= 1
            and all(COLUMN_NUMBER_MARK.fullmatch(c) for c in others))

