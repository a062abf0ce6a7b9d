"""Amounts as printed: ``45,084.94``, ``0.00``, ``10000`` → exact ``Decimal`` with the printed precision."""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from itertools import zip_longest
from typing import Optional

_AMOUNT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
# "51. 26", "76. 51%": a space after the decimal point, left by PDF extraction.
_SPLIT_DECIMAL = re.compile(r"(?<=\d)\s*\.\s+(?=\d)")
# "1,202,32 万元": a comma typed for the decimal point after thousands groups.
_COMMA_DECIMAL = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})*),(\d{2})(?![\d,])")


def parse_amount(text: Optional[str]) -> Optional[Decimal]:
    """The exact amount a cell prints, or None if the cell is not a plain number."""
    if not text:
        return None
    folded = unicodedata.normalize("NFKC", text).strip()
    if not _AMOUNT.fullmatch(folded):
        return None
    return Decimal(folded.replace(",", ""))


def normalise_prose(text: str) -> tuple[str, list[str]]:
    """Prose with split decimals closed up and comma-for-point typos fixed; notes on each typo fixed."""
    notes = []

    def fix(match: re.Match) -> str:
        fixed = f"{match.group(1)}.{match.group(2)}"
        notes.append(f"read '{match.group(0)}' as {fixed.replace(',', '')} (comma printed for the decimal point)")
        return fixed

    text = _SPLIT_DECIMAL.sub(".", unicodedata.normalize("NFKC", text))
    return _COMMA_DECIMAL.sub(fix, text), notes


def amount(value: object) -> str:
    """An amount as shown: thousands separators and exactly its printed decimals."""
    return format(value, ",f") if isinstance(value, Decimal) else ("" if value is None else str(value))


def amount_columns(rows: list[list]) -> list[bool]:
    """For each column of a table's rows, whether any row has an amount in it (rows may be short)."""
    return [Decimal in set(map(type, column)) for column in zip_longest(*rows)]


_YUAN = {"元": 0, "千元": 3, "万元": 4, "亿元": 8}  # powers of ten


def convert(value: Decimal, unit: str, to: str) -> Optional[Decimal]:
    """An amount in another unit, exactly (12345.67 元 → 1.234567 万元); None if either unit is not money."""
    if unit not in _YUAN or to not in _YUAN:
        return None
    return value.scaleb(_YUAN[unit] - _YUAN[to])
