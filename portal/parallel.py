"""Work spread over every core: parsing documents and rendering pages are independent of each other."""
from __future__ import annotations

import gc
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, TypeVar

In, Out = TypeVar("In"), TypeVar("Out")

PARALLEL_FROM = 16  # fewer items than this are done in this process: starting workers would cost more

_worker: Callable = None  # each worker process's own function, made once by its initializer


def _start(make: Callable, args: tuple) -> None:
    global _worker
    _worker = make(*args)
    # A page makes some hundred thousand short-lived objects, freed by reference counting; at the default
    # threshold (700) the cycle collector would scan the young ones some eight times a page, for a few cycles.
    gc.set_threshold(20_000)


def _call(item):
    return _worker(item)


def map_on_all_cores(make: Callable[..., Callable[[In], Out]], args: tuple, items: list[In]) -> Iterator[Out]:
    """``make(*args)`` applied to each item, in order: in worker processes (one per core, each making its
    function once) when there are enough items and cores, otherwise here."""
    cores = os.cpu_count() or 1
    if len(items) < PARALLEL_FROM or cores < 2:
        yield from map(make(*args), items)
        return
    with ProcessPoolExecutor(max_workers=cores, initializer=_start, initargs=(make, args)) as pool:
        yield from pool.map(_call, items, chunksize=max(1, min(16, len(items) // (4 * cores))))


def _same(function: Callable) -> Callable:
    return function


def map_function(function: Callable[[In], Out], items: list[In]) -> Iterator[Out]:
    """map(function, items) on every core (see map_on_all_cores); ``function`` is a module's own."""
    return map_on_all_cores(_same, (function,), items)
