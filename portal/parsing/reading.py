"""Bytes to lines: encoding, binary detection, line endings and page breaks."""
from __future__ import annotations

import re

from ..errors import SourceError

MAX_BYTES = 64 * 1024 * 1024  # documented limit: larger files are refused, not parsed
_CJK = re.compile(r"[\u4e00-\u9fff]")


def decode(data: bytes, name: str, warnings: list[str]) -> str:
    """UTF-8 (with or without BOM) as published; GB18030/GBK is read too, with a warning."""
    if not data.strip():
        raise SourceError(name, "file is empty; expected the text of a budget document")
    if len(data) > MAX_BYTES:
        raise SourceError(name, f"file is {len(data) / 2**20:.0f} MiB; documents above "
                                f"{MAX_BYTES // 2**20} MiB are refused (split it into one file per department)")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise SourceError(name, "binary file (it contains NUL bytes); expected UTF-8 text extracted from a PDF",
                          data.count(b"\n", 0, nul) + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and len(_CJK.findall(text)) >= max(1, len(text) // 20):
        warnings.append(f"line {bad_line}: file is not UTF-8; read it as GB18030/GBK (save it as UTF-8 to silence this)")
        return text
    raise SourceError(name, "not UTF-8 text (nor GBK): expected the UTF-8 text of a budget document", bad_line)


def split_lines(text: str) -> list[str]:
    """Lines with any line ending normalised; form feeds (page breaks) dropped so line numbers stay as an editor shows them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [line.replace("\f", "") for line in text.split("\n")]
