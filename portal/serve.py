"""Local preview: build, serve the site on 127.0.0.1, rebuild and reload the browser on every save.

Built on livereload's websocket handler and client script (the livereload protocol); the watching is
in watch.py. The page gets livereload.js as an external script, because the site's
Content-Security-Policy forbids the inline script livereload would inject.
"""
from __future__ import annotations

import html
import signal
from pathlib import Path
from typing import Callable, Optional

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import ioloop, web
from tornado.websocket import WebSocketHandler

from .config import Config
from .watch import POLL_SECONDS, State, poll, rebuild, take_snapshot, watched_paths

OVERLAY_PATH = "/__portal__/overlay.css"
OVERLAY_CSS = Path(__file__).with_name("overlay.css")


def reload_browsers(path: str = "*") -> None:
    message = {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}
    for waiter in list(LiveReloadHandler.waiters):
        try:
            waiter.write_message(message)
        except Exception:  # a closed tab: forget it
            LiveReloadHandler.waiters.discard(waiter)


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
        self.finish(OVERLAY_CSS.read_bytes())


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


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000,
          load_config: Optional[Callable[[], Config]] = None, verbose: bool = False) -> int:
    """Serve until Ctrl-C; ``load_config`` re-reads the settings (and command-line overrides) on each rebuild."""
    def say(message: str) -> None:
        print(message, flush=True)  # at once, also when the output goes to a pipe or a log file
    state = State(config=config, load_config=load_config, verbose=verbose)
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
    watcher = ioloop.PeriodicCallback(lambda: poll(state, reload_browsers, say), POLL_SECONDS * 1000)
    watcher.start()
    try:
        loop.start()
    except KeyboardInterrupt:
        pass
    watcher.stop()
    server.stop()
    state.save_manifest()
    say("stopped")
    return 0
