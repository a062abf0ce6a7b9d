"""Writing the site: the Jinja environment, one call per page, static files, and the atomic swap that
replaces the previous site only by a complete new one (with the unchanged folders of the previous site
moved into the new one just before it, and moved back if it does not happen).

A failure inside a template is reported with the template's file and line, never as a traceback.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Optional

import jinja2

from . import urls
from .config import Config
from .errors import TemplateError
from .numbers import amount
from .tablehtml import figure, num_cell, table_body, table_head


def make_environment(templates: Path, compiled: Optional[Path] = None) -> jinja2.Environment:
    """Templates from ``templates``; compiled ones kept in ``compiled`` (Jinja checks they are current)."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["amount"] = amount
    env.filters["table_body"] = table_body
    env.filters["table_head"] = table_head
    env.globals.update(figure=figure, num_cell=num_cell)
    return env


class Targets:
    """Where files go in an output folder: each file's path, its folder made the first time (a document's page
    has some thirty files in one folder, the search index thousands in a few)."""

    def __init__(self, out_dir: Path):
        self.root = str(out_dir)
        self.folders: set[str] = set()

    def __call__(self, path: str) -> str:
        folder = path.rpartition("/")[0]
        if folder not in self.folders:
            os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            self.folders.add(folder)
        return os.path.join(self.root, path)


class SiteWriter:
    """Writes pages into ``out_dir`` (a fresh folder), each with links relative to itself."""

    def __init__(self, config: Config, out_dir: Path, site: dict):
        self.config, self.out_dir, self.site = config, out_dir, site
        self.env = make_environment(config.templates_dir, config.build_cache_dir / "templates")
        self.count = 0
        self._target = Targets(out_dir)

    def page(self, path: str, template: str, **context) -> None:
        canonical = self.config.base_url + path.removesuffix("index.html") if self.config.base_url else None
        self.text(path, self._template(template, lambda t: t.render(site=self.site, root=urls.root(path), path=path,
                                                                    canonical=canonical, **context)))
        self.count += 1

    def _template(self, template: str, render) -> str:
        try:
            return render(self.env.get_template(template))
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(str(exc.filename or exc.name or template), exc.message or str(exc), exc.lineno) from None
        except Exception as exc:  # any failure inside a template: report its file and line
            raise _template_error(exc, self.config.templates_dir, template) from None

    def text(self, path: str, text: str) -> None:
        self.bytes(path, text.encode("utf-8"))

    def bytes(self, path: str, data: bytes) -> None:
        with open(self._target(path), "wb") as f:
            f.write(data)

    def copy(self, source: Path, path: str) -> None:
        shutil.copyfile(source, self._target(path))


    def static(self, path: str) -> None:
        """The templates' static folder (CSS, JavaScript), as it is."""
        if self.config.static_dir.is_dir():
            shutil.copytree(self.config.static_dir, self.out_dir / path)
        (self.out_dir / path).mkdir(exist_ok=True)


def _template_error(exc: Exception, templates_dir: Path, template: str) -> TemplateError:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename).suffix == ".html"]
    message = f"{type(exc).__name__}: {exc}"
    if frames:
        return TemplateError(frames[-1].filename, message, frames[-1].lineno)
    return TemplateError(str(templates_dir / template), message)


def staging_folder(output: Path) -> Path:
    """An empty folder beside the output, to build the new site in."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{output.name}-new-", dir=output.parent))


def _journal(staging: Path) -> Path:
    return staging.with_name(staging.name + ".moved")  # beside it: never part of the site


def move_in(staging: Path, output: Path, folders: list[str]) -> None:
    """Move these folders of the current site into the new one: one rename each, however many files they
    hold (hard links would cost a call per file, twice: the old tree is deleted after the swap). Done last,
    just before swap_in, so the current site is complete until then. The moves are listed first in a
    journal beside the staging folder: if the build stops before its swap, recover() moves them back."""
    journal = _journal(staging)
    journal.write_text("\n".join(folders), encoding="utf-8")
    for folder in folders:
        os.makedirs(os.path.dirname(os.path.join(staging, folder)), exist_ok=True)
        os.rename(os.path.join(output, folder), os.path.join(staging, folder))


def move_back(staging: Path, output: Path) -> None:
    """Undo move_in: every folder it moved goes back where it was (a build that failed, or stopped)."""
    journal = _journal(staging)
    try:
        folders = journal.read_text(encoding="utf-8").split("\n")
    except OSError:
        return
    for folder in folders:
        old, new = os.path.join(output, folder), os.path.join(staging, folder)
        if folder and os.path.isdir(new) and not os.path.exists(old):
            os.makedirs(os.path.dirname(old), exist_ok=True)
            os.rename(new, old)
    journal.unlink()


def recover(output: Path) -> None:
    """Put back what a build that was killed between move_in and its swap had moved out of the site."""
    for journal in output.parent.glob(f".{output.name}-new-*.moved"):
        staging = journal.with_name(journal.name.removesuffix(".moved"))
        move_back(staging, output)
        shutil.rmtree(staging, ignore_errors=True)


def swap_in(new: Path, output: Path) -> None:
    """Replace ``output`` by ``new`` with two renames; the old tree is deleted afterwards, while the caller
    goes on (the preview reloads the browser meanwhile; a command waits for it before it exits)."""
    os.chmod(new, 0o755)
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}-old-", dir=output.parent))
        old.rmdir()
        os.replace(output, old)
        os.replace(new, output)
        threading.Thread(target=shutil.rmtree, args=(old,), kwargs={"ignore_errors": True}).start()
    else:
        os.replace(new, output)
    _journal(new).unlink(missing_ok=True)
