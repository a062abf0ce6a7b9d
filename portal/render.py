"""Render the site: every department page (on every core, carried over from the previous site when
nothing it depends on changed), then the site-wide pages from the departments' summaries.

Output is deterministic: same data, same bytes, whether a page was rendered now or carried over.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional

from . import buildcache, datafile, opendata, urls
from .buildcache import Made
from .config import Config
from .departments import Address, addresses, department_key, pinyin_slug
from .errors import DataError
from .model import Document
from .pages import Page, load_pages
from .parallel import map_function, map_on_all_cores
from .progress import Say, quiet
from .search import department_entries, glossary_entries, page_entries, search_entries
from .searchindex import PostingsCache, write_index
from .terms import merged_glossary
from .sitewide import DocumentSummary, by_letter, department_pages, index_charts, summary_of
from .views import document_view
from .writer import SiteWriter


def published_pdf(config: Config, doc: Document) -> Optional[Path]:
    """The PDF a document was parsed from, to publish beside its page: only the very file the data came
    from (same checksum), so that 原文第 N 页 points at the page it names. Never an HTML source: served
    from the portal's own address, its markup would run as the portal's."""
    path = config.sources_dir / doc.source.file
    if not doc.source.file.lower().endswith(".pdf") or not path.is_file():
        return None
    with path.open("rb") as fh:
        return path if hashlib.file_digest(fh, "sha256").hexdigest() == doc.source.sha256 else None


def _pdf_state(config: Config, source_file: str) -> Optional[tuple[int, int]]:
    """What a page's published PDF depends on, cheaply: the source file's time and size, if a PDF."""
    if not source_file.lower().endswith(".pdf"):
        return None
    try:
        stat = (config.sources_dir / source_file).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@dataclass(frozen=True)
class Rendered:
    """One document page: what it was made from, and its summary (or why it could not be made)."""
    data: str  # the data file's name
    inputs: tuple  # (checksum of the data file's text, state of the published PDF)
    summary: bytes = b""  # pickled once: the worker keeps these bytes in the build cache and sends them as they are
    summary_key: str = ""  # where it kept them (buildcache.keep)
    error: Optional[DataError] = None


def read_document(config: Config, path: Path) -> tuple[Document, str]:
    """A data file's Document and the checksum of its text; unpickled when this text was read before."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(str(path), f"cannot read data file: {exc}") from None
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    document = buildcache.cached_document(config, sha)
    if document is None:
        document = datafile.read_data(text, str(path))
        buildcache.keep_document(config, sha, document)
    return document, sha


class DocumentRenderer:
    """Renders document pages into one output folder; one per process."""

    def __init__(self, config: Config, out_dir: Path, site: dict):
        self.config = config
        self.writer = SiteWriter(config, out_dir, site)

    def __call__(self, item: tuple[Path, Optional[Address]]) -> Rendered:
        path, address = item
        try:
            doc, sha = read_document(self.config, path)
            if address is None:  # read_identity could not tell; read_data would have said why
                raise DataError(str(path), "expected department, year and kind at the top level of the data file", 1)
            pdf = published_pdf(self.config, doc)
            view = document_view(doc, address, urls.SOURCE_PDF if pdf else None)
            self.writer.page(view.url, "document.html", d=view)
            folder = urls.folder(view.url)
            if pdf:
                self.writer.copy(pdf, folder + urls.SOURCE_PDF)
        except DataError as exc:  # this document's fault: the others go on (a template error stops them all)
            return Rendered(path.name, ("", None), error=exc)
        # open data beside the page: the data file as it is, JSON, and every table as CSV
        self.writer.copy(path, folder + urls.DATA_YAML)
        self.writer.text(folder + urls.DATA_JSON, opendata.document_json(doc))
        csvs = [opendata.table_csv(table) for table in doc.tables]
        for table, data in zip(doc.tables, csvs):
            self.writer.bytes(folder + urls.table_csv(table.id), data)
        searchable, records = search_entries(view)
        for file, text in records:
            self.writer.text(file, text)
        summary = replace(summary_of(view), search=searchable, checksum=sha,
                          resources=opendata.resources(doc, folder.rstrip("/"), csvs))
        data = pickle.dumps(summary, protocol=pickle.HIGHEST_PROTOCOL)
        summary_key = buildcache.keep(self.config, buildcache.SUMMARIES, data)
        return Rendered(path.name, (sha, _pdf_state(self.config, doc.source.file)), data, summary_key)


def _carry_over_file(old: Path, new: Path) -> None:
    """A file of the previous site, by a hard link (a copy where links cannot be made). Safe: a build
    writes new files, never into existing ones."""
    new.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old, new)
    except OSError:
        shutil.copy2(old, new)


@dataclass
class SiteRender:
    summaries: list[DocumentSummary] = field(default_factory=list)
    errors: list[DataError] = field(default_factory=list)
    pages: int = 0
    rendered: int = 0  # document pages rendered now (the others were carried over)
    carried: list[str] = field(default_factory=list)  # their folders, to move from the current site (writer.move_in)


def data_files(config: Config) -> list[Path]:
    return sorted(config.data_dir.glob("*.yaml")) if config.data_dir.is_dir() else []


def site_context(config: Config, pages: list[Page]) -> dict:
    return {"title": config.title, "description": config.description, "language": config.language,
            "base_url": config.base_url, "pages": pages, "urls": urls}


def _unchanged_pages(config: Config, manifest: buildcache.Manifest, key: str, paths: list[Path],
                    states: dict[str, tuple], where: dict[str, Optional[Address]]) -> dict[str, tuple]:
    """The manifest's entries for the document pages whose inputs are all as when they were rendered into
    the current site, at the address they have now; none if the code, templates, settings or menu changed, or
    the site did. A data file whose time, size and inode are as the manifest saw them is not read again."""
    if manifest.key != key or manifest.site != buildcache.folder_identity(config.output_dir):
        return {}
    kept = {}
    for path in paths:
        entry = manifest.pages.get(path.name)
        if entry is None or where[path.name] is None:
            continue
        (sha, pdf), summary, _ = entry
        same = manifest.states.get(path.name) == states[path.name] or hashlib.sha256(path.read_bytes()).hexdigest() == sha
        if (same and summary.url == where[path.name].url and summary.department_key == where[path.name].department_key
                and _pdf_state(config, summary.source_file) == pdf and (config.output_dir / summary.url).is_file()):
            kept[path.name] = entry
    return kept


def _identities(paths: list[Path], states: dict[str, tuple],
                manifest: buildcache.Manifest) -> tuple[dict[str, tuple], list[Path]]:
    """Each data file's identity (datafile.read_identity), read again (on every core) only from files that
    changed; and those files."""
    known = {p.name: manifest.identities.get(p.name) for p in paths}
    changed = [p for p in paths if not (known[p.name] and known[p.name][0] == states[p.name])]
    for path, identity in zip(changed, map_function(_identity_of, changed)):
        known[path.name] = (states[path.name], identity)
    return known, changed


def _identity_of(path: Path) -> Optional[dict]:
    try:
        return datafile.read_identity(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None  # rendering it says why


@dataclass(frozen=True)
class Plan:
    """What a build has to do, worked out once from the inputs and the previous build's manifest."""
    pages: list[Page]
    key: str  # buildcache.pages_key
    markdown: str  # buildcache.markdown_key
    paths: list[Path]  # the data files
    states: dict[str, tuple]  # their file_state, taken before anything is read: an edit during the build counts
    identities: dict[str, tuple]  # their (file_state, identity)
    where: dict[str, Optional[Address]]  # the address of each one's page (None: its identity could not be read)
    kept: dict[str, tuple]  # the manifest's entries of the document pages to carry over (as read from .cache: summaries as PageRefs)
    departments: dict[str, Made]  # how the current site's department pages were made (to carry them over)
    glossary: Optional[Made]  # how its glossary was made
    pinyin: dict[str, str]  # department name key → pinyin slug, for the next build
    postings: PostingsCache  # the last build's search postings by block, and digests of its index files
    current: Optional[Path]  # the current site, if unchanged files can be taken from it: the manifest describes it
    up_to_date: bool  # the current site was built from exactly these inputs


def plan(config: Config, manifest: buildcache.Manifest) -> Plan:
    pages = load_pages(config.pages_dir)
    key, markdown = buildcache.pages_key(config, navigation(pages)), buildcache.markdown_key(config)
    paths = data_files(config)
    states = {p.name: buildcache.file_state(p) for p in paths}
    identities, changed = _identities(paths, states, manifest)
    pinyin = dict(manifest.pinyin)
    named = {name: identity for name, (_, identity) in identities.items() if identity}
    # the pinyin of names new to the build, on every core (a province's thousand take a while; addresses() works
    # out any other one missing)
    new_names = sorted({department_key(named[p.name]["department"]) for p in changed if p.name in named} - pinyin.keys())
    pinyin.update(zip(new_names, map_function(pinyin_slug, new_names)))
    found = addresses(named, pinyin)
    where = {p.name: found.get(p.name) for p in paths}
    kept = _unchanged_pages(config, manifest, key, paths, states, where)
    reusable = manifest.key == key and manifest.site == buildcache.folder_identity(config.output_dir)
    up_to_date = (bool(manifest.pages) and manifest.markdown == markdown and set(states) == set(manifest.pages)
                  and len(kept) == len(paths))
    return Plan(pages, key, markdown, paths, states, identities, where, kept,
                manifest.departments if reusable else {}, manifest.glossary if reusable else None, pinyin,
                manifest.search if manifest.key == key else PostingsCache(), config.output_dir if reusable else None,
                up_to_date)


def navigation(pages: list[Page]) -> list[tuple[str, str]]:
    return [(page.slug, page.title) for page in pages]


def in_index_order(summaries) -> list[DocumentSummary]:
    return sorted(summaries, key=lambda s: (s.department, s.year, s.kind, s.url))


def render_site(config: Config, out_dir: Path, todo: Plan, progress: Say = quiet) -> tuple[SiteRender, buildcache.Manifest]:
    """Write the whole site into ``out_dir`` (an empty folder), but for the folders of the document pages the
    plan keeps (``carried``, moved in by the caller). Returns what was done and the new manifest."""
    site = site_context(config, todo.pages)
    result = SiteRender()
    new_manifest = buildcache.Manifest(key=todo.key, markdown=todo.markdown, identities=todo.identities,
                                       pinyin=todo.pinyin)
    kept = buildcache.read_summaries(config, todo.kept)  # a page whose summary cannot be read is rendered again
    for name, entry in kept.items():
        result.carried.append(_folder(entry[1].url))
        new_manifest.pages[name] = entry
        result.summaries.append(entry[1])
    items = [(p, todo.where[p.name]) for p in todo.paths if p.name not in kept]
    for index, rendered in enumerate(map_on_all_cores(DocumentRenderer, (config, out_dir, site), items), 1):
        if rendered.error:
            result.errors.append(rendered.error)
            progress(f"FAILED: {rendered.error}")
            continue
        summary = pickle.loads(rendered.summary)
        progress(f"[{index}/{len(items)}] rendered {summary.department} {summary.year} {summary.kind_label}")
        new_manifest.pages[rendered.data] = (rendered.inputs, summary, rendered.summary_key)
        result.summaries.append(summary)
    new_manifest.states = {name: todo.states[name] for name in new_manifest.pages}
    result.rendered = len(items) - len(result.errors)
    result.summaries = in_index_order(result.summaries)
    count, new_manifest.departments, new_manifest.glossary, new_manifest.search = write_site_pages(
        config, out_dir, site, todo, result)
    result.pages = len(result.summaries) + count
    return result, new_manifest


def write_site_pages(config: Config, out_dir: Path, site: dict, todo: Plan,
                     result: SiteRender) -> tuple[int, dict[str, Made], Made, PostingsCache]:
    """The department pages and the glossary (carried over when made from the same as last time), index,
    search, checks and Markdown pages, static files and the search index; the number of pages, how the
    department pages and the glossary were made, and the search index's cache. A department whose page and documents are all carried
    over is carried over as one folder (``result.carried`` then has it instead of its documents' folders)."""
    writer = SiteWriter(config, out_dir, site)
    documents = result.summaries
    departments = department_pages(documents)
    made: dict[str, Made] = {}
    searchable = []
    carried = set(result.carried)
    for department in departments:  # a department's page, then its documents', in the index's order
        def make(department=department):
            writer.page(department.url, "department.html", department=department)
            return department_entries(department)
        last = todo.departments.get(department.url)
        folders = [_folder(d.url) for d in department.documents]
        if (last and last.key == department.made_from and carried.issuperset(folders)
                and (config.output_dir / department.url).is_file()):
            carried.difference_update(folders)
            carried.add(_folder(department.url))
            made[department.url] = last
            writer.count += 1
        else:
            made[department.url] = _made(config, out_dir, writer, last, department.made_from, department.url, make)
        searchable += [made[department.url].search] + [d.search for d in department.documents]
    result.carried = sorted(carried)

    def make_glossary():
        glossary = merged_glossary(documents)
        writer.page(urls.GLOSSARY, "glossary.html", glossary=glossary)
        return glossary_entries(urls.GLOSSARY, glossary)
    glossary_key = hashlib.sha256(b"".join(d.glossary_digest for d in documents)).digest()
    glossary = _made(config, out_dir, writer, todo.glossary, glossary_key, urls.GLOSSARY, make_glossary)
    searchable.append(glossary.search)

    writer.page(urls.INDEX, "index.html", departments=departments, documents=documents, charts=index_charts(departments))
    writer.page(urls.DEPARTMENTS, "departments.html", letters=by_letter(departments), count=len(departments))
    writer.page(urls.SEARCH, "search.html")
    writer.page(urls.CHECKS, "checks.html", documents=documents)
    writer.bytes(urls.DATA_PACKAGE, opendata.package(config.title, [d.resources for d in documents]))
    for page in todo.pages:
        writer.page(page.url, "page.html", page=page)
        prepared, records = page_entries(page)
        searchable.append(prepared)
        for file, text in records:
            writer.text(file, text)
    writer.static(urls.STATIC)
    postings = write_index(out_dir, searchable, todo.postings, todo.current, map_function)
    return writer.count, made, glossary, postings


def _folder(url: str) -> str:
    return urls.folder(url).rstrip("/")


def _made(config: Config, out_dir: Path, writer: SiteWriter, last: Optional[Made], key: object, url: str,
          make: Callable[[], tuple]) -> Made:
    """A page with its search records beside it: carried over from the current site if it was made from
    the same ``key``, else made (``make`` writes the page and returns search.*_entries of it)."""
    if last is not None and last.key == key and all((config.output_dir / file).is_file() for file in last.files):
        for file in last.files:
            _carry_over_file(config.output_dir / file, out_dir / file)
        writer.count += 1
        return last
    prepared, records = make()
    for file, text in records:
        writer.text(file, text)
    return Made(key, prepared, (url,) + tuple(file for file, _ in records))
