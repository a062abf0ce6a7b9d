"""The whole run, top to bottom: sources → parse → YAML data files → load → render → site/.

``build.py`` is a thin command line over these functions; tests call them directly.
"""
from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass, field
from enum import Enum
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from . import buildcache, datafile
from .config import Config
from .errors import PortalError, SourceError
from .model import Document
from .parsing import PARSER_VERSION, parse_file
from .progress import PageProgress, Say, no_pages, quiet
from .reading import SUFFIXES as SOURCE_SUFFIXES
from .sitewide import DocumentSummary
from .parallel import PARALLEL_FROM, map_function, map_on_all_cores
from .writer import move_back, move_in, recover, staging_folder, swap_in

if TYPE_CHECKING:
    from .render import Plan

PagesOf = Callable[[Path], PageProgress]  # a source's page progress (a bar for long PDFs)


def _no_pages_of(_: Path) -> PageProgress:
    return no_pages


class Status(Enum):
    """What ``parse`` did with one source."""
    PARSED = "parsed"
    UNCHANGED = "unchanged"
    KEPT_EDIT = "kept-edit"  # hand-edited, source unchanged
    CONFLICT = "conflict"  # hand-edited, and the source or the parser changed
    FAILED = "failed"


@dataclass(frozen=True)
class Facts:
    """What parsing found in a document, for the report."""
    tables: int
    glossary: int
    evaluations: int
    warnings: tuple[str, ...]

    @classmethod
    def of(cls, doc: Document) -> Facts:
        return cls(len(doc.tables), len(doc.glossary), len(doc.evaluations), tuple(doc.warnings))


@dataclass(frozen=True)
class ParseOutcome:
    source: Path
    data: Path
    status: Status
    facts: Optional[Facts] = None  # when parsed
    error: Optional[PortalError] = None


@dataclass
class ParseReport:
    outcomes: list[ParseOutcome] = field(default_factory=list)

    @property
    def errors(self) -> list[PortalError]:
        return [o.error for o in self.outcomes if o.error]

    def summary(self) -> str:
        found = [o.facts for o in self.outcomes if o.facts]
        counts = {s: sum(o.status is s for o in self.outcomes) for s in Status}
        return (f"{len(self.outcomes)} documents: {counts[Status.PARSED]} parsed, {counts[Status.UNCHANGED]} unchanged, "
                f"{counts[Status.KEPT_EDIT] + counts[Status.CONFLICT]} hand-edited kept, {counts[Status.FAILED]} failed"
                + (f"; parsed: {sum(f.tables for f in found)} tables, {sum(f.glossary for f in found)} glossary terms, "
                   f"{sum(f.evaluations for f in found)} project evaluations, {sum(len(f.warnings) for f in found)} warnings"
                   if found else ""))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_files(config: Config) -> list[Path]:
    if not config.sources_dir.is_dir():
        return []
    return sorted(p for p in config.sources_dir.iterdir() if p.suffix.lower() in SOURCE_SUFFIXES and p.is_file())


def data_path_for(config: Config, source: Path) -> Path:
    return config.data_dir / (source.stem + ".yaml")


def status_of(source: Path, data: Path, force: bool = False) -> Optional[Status]:
    """What to do with a source: None to parse it; else why its data file stays (current, or edited by hand)."""
    if force or not data.exists():
        return None
    existing = data.read_text(encoding="utf-8")
    edited = datafile.is_hand_edited(existing)
    current = datafile.recorded_origin(existing) == (sha256_of(source), PARSER_VERSION)
    if not (edited or current):
        return None
    return Status.UNCHANGED if current and not edited else Status.KEPT_EDIT if current else Status.CONFLICT


class SourceParser:
    """Parses sources into their data files (and the build cache); one per process."""

    def __init__(self, config: Config, pages: PagesOf = _no_pages_of):
        self.config, self.pages = config, pages

    def __call__(self, job: tuple[Path, Path]) -> ParseOutcome:
        source, data = job
        try:
            document = parse_file(source, progress=self.pages(source), cache_dir=self.config.cache_dir)
        except PortalError as exc:
            return ParseOutcome(source, data, Status.FAILED, error=exc)
        text = datafile.dump_document(document)
        datafile.write_data(data, text)
        buildcache.keep_document(self.config, hashlib.sha256(text.encode("utf-8")).hexdigest(), document)
        return ParseOutcome(source, data, Status.PARSED, facts=Facts.of(document))


def _checked(source: Path, data: Path, force: bool) -> Optional[ParseOutcome]:
    """The outcome for a source that is not to be parsed (current, hand-edited, unreadable), else None."""
    try:
        status = status_of(source, data, force)
    except (OSError, UnicodeDecodeError) as exc:
        return ParseOutcome(source, data, Status.FAILED, error=SourceError(str(data), f"cannot read: {exc}"))
    return ParseOutcome(source, data, status) if status else None


def _check(job: tuple[Path, Path]) -> Optional[ParseOutcome]:
    return _checked(*job, force=False)


def parse_source(source: Path, data: Path, config: Config, force: bool = False,
                 pages: PagesOf = _no_pages_of) -> ParseOutcome:
    """Parse one source into its data file unless the file is current or hand-edited (and not forced)."""
    return _checked(source, data, force) or SourceParser(config, pages)((source, data))


def parse_sources(config: Config, force: bool = False, progress: Say = quiet,
                  only: Optional[Iterable[Path]] = None, pages: PagesOf = _no_pages_of) -> ParseReport:
    """Bring every data file up to date with its source, on every core; one failure never stops the others."""
    sources = list(only) if only is not None else source_files(config)
    settled: list[ParseOutcome] = []
    stale: list[tuple[Path, Path]] = []
    claimed: dict[Path, Path] = {}
    checks = buildcache.load_source_checks(config)
    for source in sources:
        data = data_path_for(config, source)
        if data in claimed:  # X.pdf and X.txt: the second would overwrite the first's data file
            error = SourceError(str(source), f"{claimed[data].name} already writes {data.name}; keep one of the two "
                                             "files, or rename one")
            settled.append(ParseOutcome(source, data, Status.FAILED, error=error))
            continue
        claimed[data] = source
        outcome = None if force else _checked_before(checks, source, data)
        if outcome is None:
            stale.append((source, data))
        else:
            settled.append(outcome)
    if not force:  # the sources not known from last time, with a data file: checked (read, checksummed) on every core
        written = [job for job in stale if job[1].exists()]
        found = dict(zip(written, map_function(_check, written)))
        settled += [outcome for outcome in found.values() if outcome]
        stale = [job for job in stale if found.get(job) is None]
    # a bar of the pages read is shown only when documents are parsed one at a time
    parser_args = (config, pages) if len(stale) < PARALLEL_FROM else (config,)
    outcomes: dict[Path, ParseOutcome] = {}
    for index, outcome in enumerate(chain(settled, map_on_all_cores(SourceParser, parser_args, stale)), 1):
        outcomes[outcome.source] = outcome
        progress(f"[{index}/{len(sources)}] {outcome.source.name}: {describe_outcome(outcome)}")
        if outcome.status is not Status.FAILED:
            checks[str(outcome.source)] = (_state(outcome.source), _state(outcome.data), PARSER_VERSION,
                                           Status.UNCHANGED if outcome.status is Status.PARSED else outcome.status)
    buildcache.save_source_checks(config, checks)
    return ParseReport([outcomes[source] for source in sources])


def _state(path: Path) -> Optional[tuple]:
    try:
        return buildcache.file_state(path)
    except OSError:
        return None


def _checked_before(checks: dict, source: Path, data: Path) -> Optional[ParseOutcome]:
    """The outcome found last time, if neither the source nor its data file changed since (no reading,
    no checksums: a portal of thousands of documents is checked in a moment)."""
    found = checks.get(str(source))
    if found is None or found[:3] != (_state(source), _state(data), PARSER_VERSION):
        return None
    return ParseOutcome(source, data, found[3])


def describe_outcome(outcome: ParseOutcome) -> str:
    if outcome.error:
        return f"FAILED: {outcome.error}"
    if outcome.status is Status.PARSED:
        found = outcome.facts
        facts = f"{found.tables} tables, {found.glossary} glossary terms, "
        if found.evaluations:
            facts += f"{found.evaluations} project evaluations, "
        return f"parsed ({facts}{len(found.warnings)} warnings)"
    return {
        Status.UNCHANGED: "unchanged",
        Status.KEPT_EDIT: "kept hand-edited data file",
        Status.CONFLICT: (f"the source (or the parser) changed but {outcome.data.name} was edited by hand: kept your edits "
                     f"(run parse --force {outcome.source.name} to regenerate it)"),
    }[outcome.status]


@dataclass
class BuildReport:
    parse: ParseReport
    # every document's summary, in the index's order (of a build that found the site up to date: what the
    # manifest keeps of each, buildcache.PageRef)
    documents: list[DocumentSummary] = field(default_factory=list)
    render_errors: list[PortalError] = field(default_factory=list)  # data files that could not be rendered
    pages: int = 0
    rendered: int = 0  # document pages rendered (the others were carried over unchanged)
    seconds: float = 0.0
    written: bool = False
    up_to_date: bool = False  # nothing changed since the last build: the site was left as it is
    manifest: Optional[buildcache.Manifest] = None  # what the next build starts from

    @property
    def errors(self) -> list[PortalError]:
        return self.parse.errors + self.render_errors

    def summary(self) -> str:
        tables = sum(d.table_count for d in self.documents)
        terms = sum(d.term_count for d in self.documents)
        warnings = sum(d.warnings for d in self.documents)
        departments = len({d.department_key for d in self.documents})
        state = ("site up to date" if self.up_to_date else
                 f"site written, {self.rendered} document pages rendered" if self.written else "site NOT replaced")
        return (f"{len(self.documents)} documents of {departments} departments, {tables} tables, {terms} glossary terms, "
                f"{self.pages} pages, "
                f"{warnings} warnings, {len(self.errors)} errors, {self.seconds:.1f} s ({state})")


def build(config: Config, force: bool = False, keep_previous_on_error: bool = False,
          progress: Say = quiet, pages: PagesOf = _no_pages_of,
          manifest: Optional[buildcache.Manifest] = None) -> BuildReport:
    """Parse what is stale, render into a fresh folder, then swap it in for the output.

    Department pages whose inputs did not change since the last build are carried over from it, and a
    build in which nothing changed leaves the site as it is. A document that fails is reported and left
    out; the others are still built. With ``keep_previous_on_error`` (the preview server) any error keeps
    the previous site in place instead. A rendering failure never touches the previous site.

    The last build's manifest is read from .cache/build and the new one written there, unless ``manifest``
    is given (the preview server's, kept in memory: it saves it when idle). Either way the report has it.
    """
    from .render import in_index_order, plan  # rendering pulls in Jinja, parsing does not

    started = time.perf_counter()
    result = BuildReport(parse=parse_sources(config, force=force, progress=progress, pages=pages))
    in_memory = manifest is not None
    recover(config.output_dir)
    result.manifest = manifest = manifest if in_memory else buildcache.load_manifest(config)
    todo = plan(config, manifest)
    if not result.parse.errors and todo.up_to_date:
        result.documents = in_index_order(entry[1] for entry in manifest.pages.values())
        result.up_to_date = True
        result.pages = manifest.site_pages
    elif not (result.parse.errors and keep_previous_on_error):
        _render_and_swap(config, todo, result, progress, keep_previous_on_error)
        if result.written and not in_memory:
            buildcache.save_manifest(config, result.manifest)
    result.seconds = time.perf_counter() - started
    return result


def _render_and_swap(config: Config, todo: Plan, result: BuildReport, progress: Say, keep_previous_on_error: bool) -> None:
    from .render import render_site

    staging = staging_folder(config.output_dir)
    try:
        rendered, new_manifest = render_site(config, staging, todo, progress=progress)
        result.documents, result.render_errors = rendered.summaries, rendered.errors
        result.pages, result.rendered = rendered.pages, rendered.rendered
        if result.errors and keep_previous_on_error:
            shutil.rmtree(staging, ignore_errors=True)
            return
        move_in(staging, config.output_dir, rendered.carried)
        swap_in(staging, config.output_dir)
    except BaseException:
        move_back(staging, config.output_dir)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.written = True
    new_manifest.site = buildcache.folder_identity(config.output_dir)
    new_manifest.site_pages = result.pages
    result.manifest = new_manifest  # a failed page is not in it, so it is tried again next time
