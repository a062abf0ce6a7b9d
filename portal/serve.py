"""Local preview: build, serve the site on 127.0.0.1, rebuild and reload the browser on every save.

Built on livereload's websocket handler and client script (the livereload protocol). We run our own
polling loop instead of livereload's watcher because the stock server ignores any change that comes
within a few seconds of the previous reload (``LiveReloadHandler.poll_tasks``): two saves a second
apart must both reach the browser. The page gets livereload.js as an external script, because the
site's Content-Security-Policy forbids the inline script livereload would inject.
"""
from __future__ import annotations

import html
import os
import signal
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import ioloop, web
from tornado.websocket import WebSocketHandler

from . import pipeline
from .config import Config, load_config
from .errors import PortalError
from .progress import quiet

POLL_SECONDS = 0.2
QUIET_SECONDS = 0.1  # an editor's save is several writes: wait until the files stop changing
OVERLAY_PATH = "/__portal__/overlay.css"
OVERLAY_CSS = """
#portal-build-errors { position: fixed; inset: auto 0 0 0; z-index: 9999; max-height: 50vh; overflow: auto;
  background: #8b0000; color: #fff; font: 14px/1.5 monospace; padding: 12px 16px; }
#portal-build-errors h2 { font-size: 16px; margin: 0 0 8px; color: #fff; border: 0; }
#portal-build-errors li { white-space: pre-wrap; }
"""


@dataclass
class State:
    """What the server shows (the last build's errors) and what the watcher last saw."""
    config: Config
    overrides: dict = field(default_factory=dict)  # --content/--output given on the command line
    verbose: bool = False  # print every document's progress on each rebuild
    errors: list[str] = field(default_factory=list)
    snapshot: dict = field(default_factory=dict)  # files as last polled
    last_built: dict = field(default_factory=dict)  # files as of the last build
    pending_since: Optional[float] = None


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


def rebuild(state: State, say=print) -> tuple[bool, set[str]]:
    """Build with the previous site kept on any error.

    Returns whether the browsers should reload (the site or its errors changed) and the data files the
    build itself wrote (parse output), which are not edits to react to.
    """
    started = time.perf_counter()
    written: set[str] = set()
    try:
        config = load_config(state.config.path, **state.overrides) if state.config.path else state.config
        result = pipeline.build(config, keep_previous_on_error=True, progress=say if state.verbose else quiet)
        state.errors = [str(e) for e in result.errors]
        written = {str(o.data) for o in result.parse.outcomes if o.status is pipeline.Status.PARSED}
        changed = result.written
    except PortalError as exc:  # a broken config or template: the previous site stays
        state.errors = [str(exc)]
        changed = False
    except Exception as exc:  # a bug, not a bad input: say so, keep serving the previous site
        say(traceback.format_exc().rstrip())
        state.errors = [f"internal error while building: {type(exc).__name__}: {exc}"]
        changed = False
    for error in state.errors:
        say(f"error: {error}")
    status = "site updated" if changed else "previous site kept"
    say(f"rebuilt in {time.perf_counter() - started:.2f} s: {status}, {len(state.errors)} errors")
    return changed or bool(state.errors), written


def reload_browsers(path: str = "*") -> None:
    message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(message)
        except Exception:  # a closed tab: forget it
            LiveReloadHandler.waiters.discard(waiter)


def poll(state: State, say=print) -> None:
    """Rebuild once the watched files have changed and then stayed quiet for a moment (debounce)."""
    paths = watched_paths(state.config)
    current = take_snapshot(paths, state.config.output_dir)
    if current != state.snapshot:
        state.snapshot = current
        state.pending_since = time.monotonic() if current != state.last_built else None
        return
    if state.pending_since is None or time.monotonic() - state.pending_since < QUIET_SECONDS:
        return
    state.pending_since = None
    changed = {p for p in set(current) | set(state.last_built) if current.get(p) != state.last_built.get(p)}
    say(f"changed: {', '.join(sorted({Path(p).name for p in changed}))}")
    reload, written = rebuild(state, say)
    if reload:
        reload_browsers()
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


class SiteHandler(web.StaticFileHandler):
    """The built site; tornado keeps every request inside ``path`` (no ../ or encoded traversal)."""

    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{status_code}</title>"
                    f"</head><body><h1>{status_code}</h1><p><a href=\"/\">首页 · home</a></p></body></html>")


class Inject(web.OutputTransform):
    """Add livereload.js (external, allowed by the CSP) and any build errors to every HTML page."""

    state: State
    port: int

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        if "text/html" in headers.get("Content-Type", "") and b"</head>" in chunk:
            head = (f'<link rel="stylesheet" href="{OVERLAY_PATH}">'
                    f'<script src="/livereload.js?port={self.port}"></script></head>').encode()
            new = chunk.replace(b"</head>", head, 1)
            body = new.find(b">", new.find(b"<body")) + 1  # the overlay opens the body: it is in this first chunk
            if body > 0:
                new = new[:body] + error_overlay(self.state.errors).encode() + new[body:]
            if "Content-Length" in headers:
                headers["Content-Length"] = str(int(headers["Content-Length"]) + len(new) - len(chunk))
            chunk = new
        return status_code, headers, chunk


def error_overlay(errors: list[str]) -> str:
    if not errors:
        return ""
    items = "".join(f"<li>{html.escape(e)}</li>" for e in errors)
    return (f'<div id="portal-build-errors" role="alert"><h2>构建失败（显示的是上一次成功的版本）· '
            f'Build failed: {len(errors)} error(s)</h2><ul>{items}</ul></div>')


class ReloadSocket(LiveReloadHandler):
    """livereload's websocket, but only for pages of this site: livereload accepts any origin, so any web
    page open in the browser could connect. Tornado's own check compares the Origin with the Host header."""

    check_origin = WebSocketHandler.check_origin


class OverlayCSS(web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/css; charset=utf-8")
        self.finish(OVERLAY_CSS)


def make_app(state: State, port: int) -> web.Application:
    transform = type("ConfiguredInject", (Inject,), {"state": state, "port": port})
    return web.Application([
        (r"/livereload", ReloadSocket),
        (r"/livereload.js", LiveReloadJSHandler),
        (OVERLAY_PATH, OverlayCSS),
        (r"/(.*)", SiteHandler, {"path": str(state.config.output_dir), "default_filename": "index.html"}),
    ], transforms=[transform])


def url_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("", "0.0.0.0") else "[::1]" if host == "::" else host
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, overrides: Optional[dict] = None,
          verbose: bool = False) -> int:
    def say(message: str) -> None:
        print(message, flush=True)  # at once, also when the output goes to a pipe or a log file
    state = State(config=config, overrides=overrides or {}, verbose=verbose)
    rebuild(state, say)
    state.last_built = state.snapshot = take_snapshot(watched_paths(config), config.output_dir)
    config.output_dir.mkdir(parents=True, exist_ok=True)  # serve (errors on the 404 page) even if the first build failed
    app = make_app(state, port)
    try:
        server = app.listen(port, address=host)
    except OSError as exc:
        say(f"error: cannot listen on {host}:{port}: {exc.strerror}")
        return 2
    loop = ioloop.IOLoop.current()

    def stop(signum, _frame):
        loop.add_callback_from_signal(loop.stop)

    # Ctrl-C and `kill` stop the loop between two polls, so a rebuild is never cut off halfway.
    # A SIGINT that the parent ignores (a background job) stays ignored.
    signal.signal(signal.SIGTERM, stop)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, stop)
    watched = ", ".join(str(p) for p in watched_paths(config))
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: listening on {host}: other machines can reach this preview")
    say(f"Serving {config.output_dir} on {url_for(host, port)} — watching {watched}. Press Ctrl-C to stop.")
    watcher = ioloop.PeriodicCallback(lambda: poll(state, say), POLL_SECONDS * 1000)
    watcher.start()
    try:
        loop.start()
    except KeyboardInterrupt:
        pass
    watcher.stop()
    server.stop()
    say("stopped")
    return 0
