#!/usr/bin/env python3
"""How long a save takes to reach the browser in the preview server, with N departments loaded.

    .venv/bin/python benchmarks/preview.py              # 1,000 departments, 5 saves
    .venv/bin/python benchmarks/preview.py --departments 200 --saves 3

Writes N departments (as benchmarks/scale.py does), parses and builds them, starts `build.py serve` on a
free port and connects to it as the browser's livereload client does. Then, for each save, changes one
amount in one source document and times the save → the reload message the browser acts on; it checks
that the page then served shows the new figure. Prints each time and the median.
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tornado import ioloop
from tornado.websocket import websocket_connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import ROOT, change_one_amount, department_page, generate  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_until_served(url: str, server: subprocess.Popen) -> None:
    while True:
        if server.poll() is not None:
            sys.exit(f"error: the preview server stopped:\n{server.stdout.read()}")
        try:
            fetch(url)
            return
        except OSError:
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, default=1000)
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("-v", "--verbose", action="store_true", help="print the server's log at the end")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="preview-") as tmp:
        root = Path(tmp)
        sources = generate(root / "content", args.departments)
        config = ["--config", str(ROOT / "config.yaml"), "--content", str(root / "content"), "--output", str(root / "site")]
        print(f"parsing and building {args.departments} departments …", file=sys.stderr)
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build", *config], check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), *config],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        loop = ioloop.IOLoop()
        try:
            base = f"http://127.0.0.1:{port}/"
            wait_until_served(base, server)
            socket_ = loop.run_sync(lambda: connect(port), timeout=30)
            times = []
            candidates = iter(sources)
            for save in range(args.saves):
                figure = None
                while figure is None:  # a document with no amount in a table row (a report collection) is skipped
                    source, department = next(candidates)
                    page_url = base + department_page(root / "site", department).relative_to(root / "site").as_posix()
                    page = fetch(page_url)
                    started = time.perf_counter()
                    figure = change_one_amount(source, page)
                message = loop.run_sync(lambda: next_message(socket_), timeout=20)
                times.append(time.perf_counter() - started)
                shown = figure in fetch(page_url)
                print(f"save {save + 1}: {message['command']} after {times[-1]:.2f} s; the page shows {figure}: {shown}")
            print(f"median save → reload with {args.departments} departments: {statistics.median(times):.2f} s")
        finally:
            server.terminate()
            log = server.communicate(timeout=30)[0]
            loop.close(all_fds=True)
        if args.verbose:
            print(log, file=sys.stderr)


async def connect(port: int):
    connection = await websocket_connect(f"ws://127.0.0.1:{port}/livereload")
    await connection.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await connection.read_message()  # the server's hello
    await connection.write_message(json.dumps({"command": "info", "url": f"http://127.0.0.1:{port}/"}))
    return connection


async def next_message(connection) -> dict:
    return json.loads(await connection.read_message())


if __name__ == "__main__":
    main()
