"""The whole run, top to bottom: sources → parse → YAML data files → load → render → site/.

``build.py`` is a thin command line over these functions; tests call them directly.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from . import datafile
from .config import Config
from .errors import PortalError, SourceError
from .model import Document
from .parsing import PARSER_VERSION, parse_file
from .reading import SUFFIXES as SOURCE_SUFFIXES, Progress, no_progress

Report = Callable[[str], None]
PageProgress = Callable[[Path], Progress]  # for a source, a callback told of each page read


def _quiet(_: str) -> None:
    pass


def _no_pages(_: Path) -> Progress:
    return no_progress


@dataclass
class ParseOutcome:
    source: Path
    data: Path
    status: str  # "parsed", "unchanged", "kept-edit", "conflict", "failed"
    document: Optional[Document] = None
    error: Optional[PortalError] = None


@dataclass
class ParseReport:
    outcomes: list[ParseOutcome] = field(default_factory=list)

    @property
    def errors(self) -> list[PortalError]:
        return [o.error for o in self.outcomes if o.error]

    def summary(self) -> str:
        docs = [o.document for o in self.outcomes if o.document]
        counts = {s: sum(o.status == s for o in self.outcomes) for s in ("parsed", "unchanged", "kept-edit", "conflict", "failed")}
        return (f"{len(self.outcomes)} documents: {counts['parsed']} parsed, {counts['unchanged']} unchanged, "
                f"{counts['kept-edit'] + counts['conflict']} hand-edited kept, {counts['failed']} failed; "
                f"{sum(len(d.tables) for d in docs)} tables, {sum(len(d.glossary) for d in docs)} glossary terms, "
                f"{sum(len(d.evaluations) for d in docs)} project evaluations, {sum(len(d.warnings) for d in docs)} warnings")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_files(config: Config) -> list[Path]:
    if not config.sources_dir.is_dir():
        return []
    return sorted(p for p in config.sources_dir.iterdir() if p.suffix.lower() in SOURCE_SUFFIXES and p.is_file())


def data_path_for(config: Config, source: Path) -> Path:
    return config.data_dir / (source.stem + ".yaml")


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_source(source: Path, data: Path, force: bool = False, pages: PageProgress = _no_pages,
                 cache_dir: Optional[Path] = None) -> ParseOutcome:
    """Parse one source into its data file unless the file is current or hand-edited (and not forced)."""
    existing = data.read_text(encoding="utf-8") if data.exists() else None
    try:
        if existing is not None and not force:
            edited = datafile.is_hand_edited(existing)
            current = datafile.recorded_origin(existing) == (sha256_of(source), PARSER_VERSION)
            if edited or current:
                status = "unchanged" if current and not edited else "kept-edit" if current else "conflict"
                return ParseOutcome(source, data, status, document=datafile.load_document(data))
        document = parse_file(source, progress=pages(source), cache_dir=cache_dir)
        write_atomically(data, datafile.dump_document(document))
        return ParseOutcome(source, data, "parsed", document=document)
    except PortalError as exc:
        return ParseOutcome(source, data, "failed", error=exc)


def parse_sources(config: Config, force: bool = False, report: Report = _quiet,
                  only: Optional[Iterable[Path]] = None, pages: PageProgress = _no_pages) -> ParseReport:
    """Bring every data file up to date with its source; one failure never stops the others."""
    result = ParseReport()
    sources = list(only) if only is not None else source_files(config)
    claimed: dict[Path, Path] = {}
    for index, source in enumerate(sources, 1):
        data = data_path_for(config, source)
        if data in claimed:  # X.pdf and X.txt: the second would overwrite the first's data file
            error = SourceError(str(source), f"{claimed[data].name} already writes {data.name}; keep one of the two "
                                             "files, or rename one")
            outcome = ParseOutcome(source, data, "failed", error=error)
        else:
            claimed[data] = source
            outcome = parse_source(source, data, force=force, pages=pages, cache_dir=config.cache_dir)
        result.outcomes.append(outcome)
        report(f"[{index}/{len(sources)}] {source.name}: {describe_outcome(outcome)}")
    return result


def describe_outcome(outcome: ParseOutcome) -> str:
    if outcome.error:
        return f"FAILED: {outcome.error}"
    doc = outcome.document
    facts = f"{len(doc.tables)} tables, {len(doc.glossary)} glossary terms, "
    if doc.evaluations:
        facts += f"{len(doc.evaluations)} project evaluations, "
    facts += f"{len(doc.warnings)} warnings"
    return {
        "parsed": f"parsed ({facts})",
        "unchanged": "unchanged",
        "kept-edit": "kept hand-edited data file",
        "conflict": (f"the source (or the parser) changed but {outcome.data.name} was edited by hand: kept your edits "
                     f"(run parse --force {outcome.source.name} to regenerate it)"),
    }[outcome.status]


@dataclass
class BuildReport:
    parse: ParseReport
    documents: list[Document]
    errors: list[PortalError]
    pages: int = 0
    seconds: float = 0.0
    written: bool = False

    def summary(self) -> str:
        tables = sum(len(d.tables) for d in self.documents)
        terms = sum(len(d.glossary) for d in self.documents)
        warnings = sum(len(d.warnings) for d in self.documents)
        state = "site written" if self.written else "site NOT replaced"
        return (f"{len(self.documents)} departments, {tables} tables, {terms} glossary terms, {self.pages} pages, "
                f"{warnings} warnings, {len(self.errors)} errors, {self.seconds:.1f} s ({state})")


def load_documents(config: Config, parse_report: ParseReport) -> tuple[list[Document], list[PortalError]]:
    """Every valid data file (also those without a source), sorted by department and year."""
    seen = {o.data for o in parse_report.outcomes}
    documents = [o.document for o in parse_report.outcomes if o.document]
    errors = []
    paths = sorted(config.data_dir.glob("*.yaml")) if config.data_dir.is_dir() else []
    for path in paths:
        if path in seen:  # already parsed or loaded (or failed) while bringing it up to date
            continue
        try:
            documents.append(datafile.load_document(path))
        except PortalError as exc:
            errors.append(exc)
    documents.sort(key=lambda d: (d.department, d.year, d.kind, d.slug))
    return documents, errors


def build(config: Config, force: bool = False, keep_previous_on_error: bool = False,
          report: Report = _quiet, pages: PageProgress = _no_pages) -> BuildReport:
    """Parse what is stale, load all data, render into a fresh folder, then swap it in for the output.

    A document that fails is reported and left out; the others are still built. With
    ``keep_previous_on_error`` (the preview server) any error keeps the previous site in place instead.
    A rendering failure never touches the previous site.
    """
    from .render import render_site  # imported here: rendering pulls in Jinja, parsing alone does not

    started = time.perf_counter()
    parse_report = parse_sources(config, force=force, report=report, pages=pages)
    documents, load_errors = load_documents(config, parse_report)
    errors = parse_report.errors + load_errors
    result = BuildReport(parse=parse_report, documents=documents, errors=errors)
    for error in load_errors:
        report(f"FAILED: {error}")
    if errors and keep_previous_on_error:
        result.seconds = time.perf_counter() - started
        return result
    output = config.output_dir
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-new-", dir=output.parent))
    try:
        result.pages = render_site(config, documents, staging, report=report)
        _swap_in(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.written = True
    result.seconds = time.perf_counter() - started
    return result


def _swap_in(new: Path, output: Path) -> None:
    """Replace ``output`` by ``new`` with two renames; the old tree is deleted only afterwards."""
    os.chmod(new, 0o755)
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}-old-", dir=output.parent))
        old.rmdir()
        os.replace(output, old)
        os.replace(new, output)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, output)
