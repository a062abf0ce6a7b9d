"""Watching the inputs for the preview server: poll the files, wait until a save is complete, rebuild.

We poll instead of using livereload's watcher because the stock server ignores any change that comes
within a few seconds of the previous reload (``LiveReloadHandler.poll_tasks``): two saves a second
apart must both reach the browser.
"""
from __future__ import annotations

import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import buildcache, pipeline
from .config import Config
from .errors import PortalError
from .progress import Say, quiet

POLL_SECONDS = 0.1
QUIET_SECONDS = 0.05  # an editor's save is several writes: rebuild once a poll finds nothing new (a whole
# poll interval later: at 0.1 a timer's jitter could make it wait one interval more)
SAVE_AFTER_SECONDS = 2.0  # the build manifest is written to .cache once the preview has been idle this long


@dataclass
class State:
    """What the server shows (the last build's errors) and what the watcher last saw."""
    config: Config
    load_config: Optional[Callable[[], Config]] = None  # re-reads the settings on every rebuild
    verbose: bool = False  # print every document's progress on each rebuild
    errors: list[str] = field(default_factory=list)
    snapshot: dict = field(default_factory=dict)  # files as last polled
    last_built: dict = field(default_factory=dict)  # files as of the last build
    pending_since: Optional[float] = None
    # the last build's manifest, kept in memory (reading and writing it would cost more than a one-page
    # rebuild), and since when it has not been written to .cache/build
    manifest: Optional[buildcache.Manifest] = None
    unsaved_since: Optional[float] = None

    def save_manifest(self) -> None:
        if self.unsaved_since is not None and self.manifest is not None:
            buildcache.save_manifest(self.config, self.manifest)
            self.unsaved_since = None


def watched_paths(config: Config) -> list[Path]:
    paths = [config.content_dir, config.templates_dir]
    if config.path is not None:
        paths.append(config.path)
    return paths


def take_snapshot(paths: list[Path], ignore: Path) -> dict:
    """(mtime, size) of every file under ``paths``, leaving out the output folder and hidden temp files."""
    found = {}
    for root in paths:
        if root.is_file():
            stat = root.stat()
            found[str(root)] = (stat.st_mtime_ns, stat.st_size)
            continue
        for directory, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and Path(directory, d) != ignore)
            for name in files:
                if name.startswith(".") or name.endswith(("~", ".swp", ".tmp")):
                    continue
                path = os.path.join(directory, name)
                try:
                    stat = os.stat(path)
                except FileNotFoundError:
                    continue  # deleted between listing and stat
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def rebuild(state: State, say: Say = print) -> tuple[bool, set[str]]:
    """Build with the previous site kept on any error.

    Returns whether the browsers should reload (the site or its errors changed) and the data files the
    build itself wrote (parse output), which are not edits to react to.
    """
    started = time.perf_counter()
    had_errors = bool(state.errors)
    written: set[str] = set()
    try:
        config = state.load_config() if state.load_config else state.config
        result = pipeline.build(config, keep_previous_on_error=True, progress=say if state.verbose else quiet,
                                manifest=state.manifest if state.manifest is not None else buildcache.load_manifest(config))
        state.manifest = result.manifest
        if result.written:
            state.unsaved_since = time.monotonic()
        state.errors = [str(e) for e in result.errors]
        written = {str(o.data) for o in result.parse.outcomes if o.status is pipeline.Status.PARSED}
        changed = result.written
        status = "site updated" if changed else "site up to date" if result.up_to_date else "previous site kept"
    except PortalError as exc:  # a broken config or template: the previous site stays
        state.errors = [str(exc)]
        changed, status = False, "previous site kept"
    except Exception as exc:  # a bug, not a bad input: say so, keep serving the previous site
        say(traceback.format_exc().rstrip())
        state.errors = [f"internal error while building: {type(exc).__name__}: {exc}"]
        changed, status = False, "previous site kept"
    for error in state.errors:
        say(f"error: {error}")
    say(f"rebuilt in {time.perf_counter() - started:.2f} s: {status}, {len(state.errors)} errors")
    return changed or had_errors or bool(state.errors), written  # errors shown, or gone: reload too


def poll(state: State, reload: Callable[[], None], say: Say = print) -> None:
    """Rebuild once the watched files have changed and then stayed quiet for a moment (debounce)."""
    paths = watched_paths(state.config)
    current = take_snapshot(paths, state.config.output_dir)
    if current == state.snapshot == state.last_built and state.unsaved_since is not None \
            and time.monotonic() - state.unsaved_since >= SAVE_AFTER_SECONDS:
        state.save_manifest()
        return
    if current != state.snapshot:
        state.snapshot = current
        state.pending_since = time.monotonic() if current != state.last_built else None
        return
    if state.pending_since is None or time.monotonic() - state.pending_since < QUIET_SECONDS:
        return
    state.pending_since = None
    changed = {p for p in set(current) | set(state.last_built) if current.get(p) != state.last_built.get(p)}
    say(f"changed: {', '.join(sorted({Path(p).name for p in changed}))}")
    changed_site, written = rebuild(state, say)
    if changed_site:
        reload()
    after = take_snapshot(paths, state.config.output_dir)
    # The data files the build wrote are its own, not edits; anything else that changed while it ran
    # was saved during the build and triggers another rebuild once quiet.
    state.last_built = dict(current)
    for path in written:
        state.last_built.pop(path, None)
        if path in after:
            state.last_built[path] = after[path]
    state.snapshot = after
    if after != state.last_built:
        state.pending_since = time.monotonic()
