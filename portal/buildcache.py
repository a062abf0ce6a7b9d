"""What a build keeps for the next one (in .cache/build/ beside the content folder; safe to delete):

- each data file's Document, pickled under the checksum of the file's text, so that a data file is read
  as YAML once, however often the site is built (the YAML stays the source of truth: any edit changes
  the checksum);
- a manifest of the last build: the checksum of everything every page depends on (templates, static
  files, Markdown pages, settings, this code), and for each department page the checksum of its data
  file and the state of its published PDF, with the summary the site-wide pages need. A page whose
  inputs are all unchanged is carried over from the previous site instead of being rendered again, and
  so are a department page made from the same documents and a glossary made from the same terms;
- the search index's postings block by block (searchindex.PostingsCache), so that a build that changed
  one page collects the postings of one block of 64 pages, not of every page.

The page summaries and postings blocks are kept one a file (summaries/, postings/, named for their content)
beside a small manifest.pickle, so that a build writes only what changed; the summaries are read back only by a
build that renders (one that finds the site up to date needs no more than the manifest's PageRefs).
"""
from __future__ import annotations


import gc
import hashlib
import os
import pickle
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Optional

from .config import Config
from .model import Document
from .searchindex import PostingsCache, PreparedPage

FORMAT = 1  # raise when what is pickled here changes shape


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _atomic_pickle(path: Path, value: object) -> None:
    _atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


SUMMARIES, POSTINGS = "summaries", "postings"  # folders of kept(): page summaries, search postings blocks


def _kept_path(config: Config, folder: str, key: str) -> Path:
    return config.build_cache_dir / folder / f"{key}.pickle"


def keep(config: Config, folder: str, data: bytes, key: Optional[str] = None) -> str:
    """Pickled bytes kept in a folder of the build cache under a key that names their content (by default
    their digest), which is returned: written once, so a build writes only what is new, not the whole of a
    province's summaries."""
    key = key or hashlib.blake2b(data, digest_size=16).hexdigest()
    path = _kept_path(config, folder, key)
    if not path.exists():
        _atomic_write(path, data)
    return key


def kept(config: Config, folder: str, key: str) -> Optional[bytes]:
    try:
        return _kept_path(config, folder, key).read_bytes()
    except OSError:
        return None


def _prune(config: Config, folder: str, keys: set[str]) -> None:
    """Delete what no manifest refers to any more (old versions of pages, blocks of pages since changed)."""
    for entry in os.scandir(config.build_cache_dir / folder) if (config.build_cache_dir / folder).is_dir() else []:
        if entry.name.endswith(".pickle") and entry.name.removesuffix(".pickle") not in keys:
            os.unlink(entry.path)


def _unpickle(path: Path) -> Optional[object]:
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None  # absent, damaged or from another version of the code: rebuilt from the source


def document_path(config: Config, text_sha: str) -> Path:
    return config.build_cache_dir / "documents" / f"{text_sha}.pickle"


def cached_document(config: Config, text_sha: str) -> Optional[Document]:
    found = _unpickle(document_path(config, text_sha))
    return found if isinstance(found, Document) else None


def keep_document(config: Config, text_sha: str, document: Document) -> None:
    _atomic_pickle(document_path(config, text_sha), document)


def _files_digest(digest, roots: list[Path]) -> None:
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file() and not path.name.startswith(".") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")


def pages_key(config: Config, navigation: list[tuple[str, str]]) -> str:
    """Checksum of everything every department page depends on besides its own data: this code, the
    templates and static files, the settings, and the Markdown pages' titles (in every page's menu)."""
    digest = hashlib.sha256(f"{FORMAT}|{config.title}|{config.description}|{config.base_url}|{config.language}|"
                            f"{navigation}".encode())
    _files_digest(digest, [Path(__file__).parent, config.templates_dir])
    return digest.hexdigest()


def markdown_key(config: Config) -> str:
    """Checksum of the Markdown pages (their own pages are rendered on every build that writes)."""
    digest = hashlib.sha256()
    _files_digest(digest, [config.pages_dir])
    return digest.hexdigest()


def file_state(path: Path) -> tuple[int, int, int]:
    """A file's (time, size, inode): if these are as before, its content is taken to be too."""
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


@dataclass(frozen=True)
class Made:
    """A site-wide page as the last build wrote it (a department page, the glossary): what it was made
    from, its part of the search index, and its files (the page and its search records)."""
    key: object
    search: PreparedPage
    files: tuple[str, ...]


@dataclass(frozen=True)
class PageRef:
    """What the manifest keeps of a page's summary (sitewide.DocumentSummary, read back when a build renders):
    what tells whether the page can be carried over, and what the build's report counts."""
    url: str
    department_key: str
    department: str
    year: int
    kind: str
    source_file: str
    table_count: int
    term_count: int
    warnings: int

    @classmethod
    def of(cls, summary) -> PageRef:
        return cls(*(getattr(summary, f.name) for f in fields(cls)))


@dataclass
class Manifest:
    key: str = ""  # pages_key of the last build
    markdown: str = ""  # markdown_key of the last build
    site: tuple[int, int] = (0, 0)  # (device, inode) of the site folder it wrote
    # data file name → ((checksum, PDF state), summary (a PageRef until read_summaries), key of the summary kept
    # in SUMMARIES)
    pages: dict[str, tuple] = field(default_factory=dict)
    states: dict[str, tuple] = field(default_factory=dict)  # data file name → file_state when last checked
    identities: dict[str, tuple] = field(default_factory=dict)  # data file name → (file_state, read_identity)
    departments: dict[str, Made] = field(default_factory=dict)  # department page → how it was made
    glossary: Optional[Made] = None
    pinyin: dict[str, str] = field(default_factory=dict)  # department name key → departments.pinyin_slug of it
    site_pages: int = 0  # pages in the site it wrote
    search: PostingsCache = field(default_factory=PostingsCache)  # the search index's postings, by block


def source_checks_path(config: Config) -> Path:
    return config.build_cache_dir / "sources.pickle"


def load_source_checks(config: Config) -> dict:
    """source path → (file_state of the source, of its data file, the parse status found then)."""
    found = _unpickle(source_checks_path(config))
    return found if isinstance(found, dict) else {}


def save_source_checks(config: Config, checks: dict) -> None:
    _atomic_pickle(source_checks_path(config), checks)


def manifest_path(config: Config) -> Path:
    return config.build_cache_dir / "manifest.pickle"


def _long_lived(load):
    """``load``, made to build objects that live as long as the build, and are in no cycle: unpickling makes
    hundreds of thousands, and the collector would scan them again and again while they are made, and in
    every full collection after (a tenth of a one-change build of 1,000 departments)."""
    def loading(*args):
        gc.disable()
        try:
            return load(*args)
        finally:
            gc.enable()
            gc.freeze()
    return loading


@_long_lived
def load_manifest(config: Config) -> Manifest:
    """The last build's manifest (its pages' summaries as PageRefs); an empty one if there is none, or it was
    written by other code (its pages' summaries would not be what this code makes either). A postings block
    that is missing or damaged is left out (collected again)."""
    found = _unpickle(manifest_path(config))
    names = {f.name for f in fields(Manifest)}
    if not (isinstance(found, Manifest) and set(vars(found)) == names
            and all(isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[1], PageRef)
                    for entry in found.pages.values())):
        return Manifest()
    blocks = {key: data for key in found.search.blocks if (data := kept(config, POSTINGS, key.hex()))}
    return replace(found, search=replace(found.search, blocks=blocks))


def read_summaries(config: Config, pages: dict[str, tuple]) -> dict[str, tuple]:
    """These manifest entries with each summary read back in full, where it is a PageRef; an entry whose kept
    summary is missing or damaged is left out (its page is rendered again)."""
    unread = {name: entry for name, entry in pages.items() if isinstance(entry[1], PageRef)}
    if not unread:  # the preview server's: read by an earlier build
        return pages
    found = _read_summaries(config, unread)
    return {name: found[name] if name in unread else entry for name, entry in pages.items()
            if name in found or name not in unread}


@_long_lived
def _read_summaries(config: Config, pages: dict[str, tuple]) -> dict[str, tuple]:
    found = {}
    for name, (inputs, _, key) in pages.items():
        try:
            found[name] = (inputs, pickle.loads(kept(config, SUMMARIES, key)), key)
        except (TypeError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            continue
    return found


def save_manifest(config: Config, manifest: Manifest) -> None:
    """The manifest with a PageRef of each page's summary, without the postings blocks: the summaries and
    blocks are kept one a file (the summaries by the workers that made them), so that a one-page change
    writes one summary and one block."""
    for key, data in manifest.search.blocks.items():
        keep(config, POSTINGS, data, key.hex())
    _atomic_pickle(manifest_path(config), replace(
        manifest, pages={name: (inputs, summary if isinstance(summary, PageRef) else PageRef.of(summary), key)
                         for name, (inputs, summary, key) in manifest.pages.items()},
        search=replace(manifest.search, blocks=dict.fromkeys(manifest.search.blocks, b""))))
    _prune(config, SUMMARIES, {key for _, _, key in manifest.pages.values()})
    _prune(config, POSTINGS, {key.hex() for key in manifest.search.blocks})


def folder_identity(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_dev, stat.st_ino)
