"""What a build keeps for the next one (in .cache/build/ beside the content folder; safe to delete):

- each data file's Document, pickled under the checksum of the file's text, so that a data file is read
  as YAML once, however often the site is built (the YAML stays the source of truth: any edit changes
  the checksum);
- a manifest of the last build: the checksum of everything every page depends on (templates, static
  files, Markdown pages, settings, this code), and for each department page the checksum of its data
  file and the state of its published PDF, with the summary the site-wide pages need. A page whose
  inputs are all unchanged is carried over from the previous site instead of being rendered again.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .config import Config
from .model import Document

FORMAT = 1  # raise when what is pickled here changes shape


def _atomic_pickle(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(tmp, path)


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


def code_and_templates_key(config: Config) -> str:
    """Checksum of everything every page depends on besides its own data: this code, the templates and
    static files, the Markdown pages and the settings."""
    digest = hashlib.sha256(f"{FORMAT}|{config.title}|{config.description}|{config.base_url}|{config.language}".encode())
    roots = [Path(__file__).parent, config.templates_dir, config.pages_dir]
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.is_file() and not path.name.startswith("."):
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass
class Manifest:
    key: str = ""  # code_and_templates_key of the last build
    site: tuple[int, int] = (0, 0)  # (device, inode) of the site folder it wrote
    pages: dict[str, tuple] = field(default_factory=dict)  # data file name → (inputs, summary)
    site_pages: int = 0  # pages in the site it wrote


def manifest_path(config: Config) -> Path:
    return config.build_cache_dir / "manifest.pickle"


def load_manifest(config: Config) -> Manifest:
    found = _unpickle(manifest_path(config))
    return found if isinstance(found, Manifest) else Manifest()


def save_manifest(config: Config, manifest: Manifest) -> None:
    _atomic_pickle(manifest_path(config), manifest)


def folder_identity(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)
    return (stat.st_dev, stat.st_ino)
