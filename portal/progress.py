"""Progress callbacks, one shape each, with one no-op default: long work says how far it has got."""
from __future__ import annotations

from typing import Callable

Say = Callable[[str], None]  # a line of progress ("[3/40] parsed …")
PageProgress = Callable[[int, int], None]  # pages done, pages in all


def quiet(_message: str) -> None:
    pass


def no_pages(_done: int, _total: int) -> None:
    pass
