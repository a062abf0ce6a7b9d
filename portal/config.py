"""Settings from config.yaml, with the command line's --content/--output overrides."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Optional

import yaml

from .errors import ConfigError, yaml_syntax_error
from .yamlload import KeyGivenTwice, SafeLoader

DEFAULTS = {
    "title": "部门预算公开平台",
    "description": "",
    "base_url": "",
    "language": "zh-CN",
}
PATH_DEFAULTS = {"content": "content", "templates": "templates", "output": "site"}


@dataclass(frozen=True)
class Config:  # its folders are worked out once (cached_property): a build asks for them per file
    title: str
    description: str
    base_url: str  # absolute URL the site is published at, ending in "/" (or "" if unknown)
    language: str
    content_dir: Path
    templates_dir: Path
    output_dir: Path
    path: Optional[Path] = None  # the config file, for the preview server to watch

    @cached_property
    def sources_dir(self) -> Path:
        return self.content_dir / "sources"

    @cached_property
    def data_dir(self) -> Path:
        return self.content_dir / "data"

    @cached_property
    def pages_dir(self) -> Path:
        return self.content_dir / "pages"

    @cached_property
    def cache_dir(self) -> Path:
        """What was read from each PDF, kept beside the content folder (not in it: the preview server watches it)."""
        return self.content_dir.parent / ".cache" / "extracts"

    @cached_property
    def build_cache_dir(self) -> Path:
        """What a build keeps for the next one (see buildcache.py), beside the extracts."""
        return self.content_dir.parent / ".cache" / "build"

    @cached_property
    def static_dir(self) -> Path:
        return self.templates_dir / "static"


def load_config(path: Optional[Path] = None, content: Optional[Path] = None, output: Optional[Path] = None,
                templates: Optional[Path] = None) -> Config:
    """Read config.yaml (relative paths in it are relative to its folder) and apply overrides."""
    data: dict = {}
    base = Path.cwd()
    if path is not None:
        path = Path(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader) or {}
        except FileNotFoundError:
            raise ConfigError(str(path), "config file not found") from None
        except KeyGivenTwice as exc:
            raise ConfigError(str(path), exc.message, exc.line) from None
        except yaml.YAMLError as exc:
            raise yaml_syntax_error(ConfigError, str(path), exc) from None
        if not isinstance(data, dict):
            raise ConfigError(str(path), "expected a mapping of settings (title, base_url, paths …)", 1)
        base = path.resolve().parent
    name = str(path) if path else "config"
    unknown = set(data) - set(DEFAULTS) - {"paths"}
    if unknown:
        raise ConfigError(name, f"unknown setting(s): {', '.join(sorted(unknown))}; "
                                f"expected {', '.join(sorted([*DEFAULTS, 'paths']))}")
    paths = data.get("paths") or {}
    if not isinstance(paths, dict) or set(paths) - set(PATH_DEFAULTS):
        raise ConfigError(name, f"'paths' takes only {', '.join(PATH_DEFAULTS)}")
    values = {key: data.get(key, default) for key, default in DEFAULTS.items()}
    for key, value in values.items():
        if not isinstance(value, str):
            raise ConfigError(name, f"'{key}' must be text, not {type(value).__name__}")
    base_url = values["base_url"].strip()
    if base_url and not (base_url.startswith(("http://", "https://")) and base_url.endswith("/")):
        raise ConfigError(name, f"'base_url' must be an http(s) address ending in '/', got {base_url!r}")

    def resolve(key: str, override: Optional[Path]) -> Path:
        if override is not None:
            return Path(override).resolve()
        return (base / str(paths.get(key, PATH_DEFAULTS[key]))).resolve()

    return Config(
        title=values["title"], description=values["description"], base_url=base_url, language=values["language"],
        content_dir=resolve("content", content), templates_dir=resolve("templates", templates),
        output_dir=resolve("output", output), path=path.resolve() if path else None,
    )
