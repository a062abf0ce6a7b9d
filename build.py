#!/usr/bin/env python3
"""Budget transparency portal: parse budget documents into YAML data files and build the static site.

    python build.py parse                 parse new or changed documents in content/sources/
    python build.py parse SRC -o OUT.yaml parse one document into one data file
    python build.py build                 parse what is stale, then build site/
    python build.py serve                 build, serve on 127.0.0.1 and rebuild + reload on every save

Exit codes: 0 success, 1 a document, data file or template had errors (reported with file and line),
2 bad command line or configuration.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portal import pipeline
from portal.config import load_config
from portal.errors import ConfigError, PortalError

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, default=Path("config.yaml"), help="settings file (default: config.yaml)")
    parser.add_argument("--content", type=Path, help="content folder to use instead of the one in the config")
    parser.add_argument("--output", type=Path, help="folder to build the site into instead of the one in the config")
    parser.add_argument("-v", "--verbose", action="store_true", help="print a line per document and every warning")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="parse source documents into YAML data files",
                       description="Parse each new or changed document in content/sources/ into content/data/NAME.yaml. "
                                   "A data file edited by hand is kept (and reported) unless --force is given.")
    p.add_argument("sources", nargs="*", type=Path, metavar="SOURCE", help="only these documents")
    p.add_argument("-o", "--out", type=Path, help="with one SOURCE: write its data file here")
    p.add_argument("--force", action="store_true", help="regenerate data files even if edited by hand")
    _common(p)

    b = sub.add_parser("build", help="parse what is stale and build the site",
                       description="Parse stale documents exactly as 'parse' would, then render every data file into "
                                   "the output folder. The previous site is replaced only by a complete new one.")
    b.add_argument("--force", action="store_true", help="regenerate data files even if edited by hand")
    _common(b)

    s = sub.add_parser("serve", help="build, serve locally and rebuild on every change",
                       description="Build the site, serve it, and watch content/, templates/ and the config: every save "
                                   "rebuilds and reloads the open browser tab. Errors show in the terminal and on the page.")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    _common(s)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        config = load_config(args.config, content=args.content, output=args.output)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args, config)
    except PortalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        return 130


def cmd_parse(args, config) -> int:
    if args.out:
        if len(args.sources) != 1:
            print("error: -o/--out takes exactly one SOURCE", file=sys.stderr)
            return EXIT_USAGE
        outcome = pipeline.parse_source(args.sources[0], args.out, config, force=args.force, pages=_page_progress)
        if outcome.error:
            print(f"error: {outcome.error}", file=sys.stderr)
            return EXIT_ERRORS
        print(f"{args.sources[0]} → {args.out}: {pipeline.describe_outcome(outcome)}")
        return EXIT_OK
    missing = [s for s in args.sources if not s.is_file()]
    if missing:
        print(f"error: no such document: {', '.join(map(str, missing))}", file=sys.stderr)
        return EXIT_USAGE
    # parse says what it did with each document; warnings themselves need --verbose
    report = pipeline.parse_sources(config, force=args.force, progress=print, only=args.sources or None,
                                    pages=_page_progress)
    _print_problems(report.outcomes, args.verbose)
    print(report.summary())
    return EXIT_ERRORS if report.errors else EXIT_OK


def cmd_build(args, config) -> int:
    result = pipeline.build(config, force=args.force, progress=_progress(args), pages=_page_progress)
    _print_problems(result.parse.outcomes, args.verbose)
    for error in result.render_errors:
        print(f"error: {error}", file=sys.stderr)
    print(result.summary())
    return EXIT_ERRORS if result.errors else EXIT_OK


def cmd_serve(args, config) -> int:
    from portal.serve import serve  # needs livereload, which parse and build do not
    return serve(config, host=args.host, port=args.port, verbose=args.verbose,
                 load_config=lambda: load_config(args.config, content=args.content, output=args.output))


COMMANDS = {"parse": cmd_parse, "build": cmd_build, "serve": cmd_serve}


def _progress(args):
    """Per-document lines with --verbose; otherwise a single updating line on a terminal."""
    if args.verbose:
        return print
    if not sys.stderr.isatty():
        return lambda _msg: None

    def overwrite(msg: str) -> None:
        sys.stderr.write("\r\033[K" + msg[:100])
        sys.stderr.flush()
    return overwrite


def _page_progress(source: Path):
    """A progress bar of the pages read, on a terminal, for documents long enough to make a person wait."""
    def show(done: int, total: int) -> None:
        if total < 10 or not sys.stderr.isatty():
            return
        filled = 30 * done // total
        sys.stderr.write(f"\r\033[K{source.name[:40]} [{'#' * filled}{'.' * (30 - filled)}] page {done}/{total}")
        if done == total:
            sys.stderr.write("\r\033[K")
        sys.stderr.flush()
    return show


def _print_problems(outcomes, verbose: bool) -> None:
    if sys.stderr.isatty() and not verbose:
        sys.stderr.write("\r\033[K")
    for outcome in outcomes:
        if outcome.error:
            print(f"error: {outcome.error}", file=sys.stderr)
        elif outcome.status is pipeline.Status.CONFLICT:
            print(f"warning: {outcome.source.name}: {pipeline.describe_outcome(outcome)}", file=sys.stderr)
        elif verbose and outcome.facts:
            for warning in outcome.facts.warnings:
                print(f"warning: {outcome.source.name}: {warning}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
