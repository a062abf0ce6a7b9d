"""YAML data files: the reviewable source of truth between parsing and rendering.

Writing is deterministic (same document, same bytes): keys keep the model's order, each table row is one
line, amounts are written exactly as printed (``0.00`` stays ``0.00``). Reading turns every decimal back
into ``Decimal`` (never ``float``) and validates the file against ``schema.json``, reporting the line of
any problem.

The first lines of a generated file record a checksum of what was generated. If the rest of the file no
longer matches it, a person has edited the file, and ``parse`` keeps it (see ``portal.pipeline``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import jsonschema
import yaml

from .errors import DataError
from .model import Document, Evaluation, GlossaryEntry, Section, Source, Table

SCHEMA_VERSION = 1
MARKER = "# generated-sha256: "
HEADER = (
    "# Data file written by `python build.py parse` from content/sources/{source}.\n"
    "# Edit it freely: parse keeps a hand-edited file unless run with --force. Schema: portal/schema.json\n"
)


# ---------------------------------------------------------------- writing

class _FlowRow(list):
    """A table row, written on one line so that a diff shows which rows changed."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


def _represent_row(dumper: yaml.SafeDumper, value: _FlowRow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value and value == value.strip() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(_FlowRow, _represent_row)
_Dumper.add_representer(str, _represent_str)


_ONLY_WHEN_SET = {"page", "pages"}


def _plain(value: Any) -> Any:
    """Dataclasses to dicts in field order, table rows marked for one-line output."""
    if dataclasses.is_dataclass(value):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name in _ONLY_WHEN_SET and not item:
                continue  # page numbers: a text source has none, and its data file stays as before
            if f.name in ("header", "rows"):
                item = [_FlowRow(row) for row in item]
            out[f.name] = _plain(item)
        return out
    if isinstance(value, _FlowRow):
        return _FlowRow(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def dump_document(doc: Document) -> str:
    """The YAML text of a document, with the generated-checksum header."""
    from .parsing import PARSER_VERSION  # the parser records which version wrote the file

    data = {"schema_version": SCHEMA_VERSION, "parser_version": PARSER_VERSION, **_plain(doc)}
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    return HEADER.format(source=doc.source.file) + MARKER + _checksum(body) + "\n" + body


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _split_header(text: str) -> tuple[Optional[str], str]:
    """The recorded checksum (None if absent) and the body after the header comment lines."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.startswith("#"):
            break
        if line.startswith(MARKER):
            return line[len(MARKER):].strip(), "".join(lines[i + 1:])
    return None, text


def is_hand_edited(text: str) -> bool:
    """True unless the file is exactly as ``parse`` generated it."""
    recorded, body = _split_header(text)
    return recorded is None or recorded != _checksum(body)


_ORIGIN = re.compile(r"^parser_version: (\d+)$|^  sha256: ([0-9a-f]{64})$", re.MULTILINE)


def recorded_origin(text: str) -> tuple[Optional[str], Optional[int]]:
    """(source checksum, parser version) a data file was written from, read from its first lines only."""
    head = "\n".join(text.splitlines()[:40])
    sha = version = None
    for match in _ORIGIN.finditer(head):
        version = int(match.group(1)) if match.group(1) else version
        sha = match.group(2) or sha
    return sha, version


# ---------------------------------------------------------------- reading

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when available: ~10x faster
    pass


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    text = loader.construct_scalar(node).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise DataError("", f"'{text}' is not a finite decimal number", node.start_mark.line + 1)
    return value


_Loader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads((Path(__file__).with_name("schema.json")).read_text(encoding="utf-8"))


def _line_of(root: yaml.Node, path: list) -> Optional[int]:
    """The 1-based line of the YAML node at a JSON-schema error path."""
    node = root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            matches = [v for k, v in node.value if k.value == key]
            if not matches:
                break
            node = matches[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node.start_mark.line + 1


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "top level"
    return f"{where}: {error.message}"


_loaded: dict[str, tuple[tuple[int, int], Document]] = {}  # the preview server rebuilds often: skip unchanged files


def load_document(path: Path) -> Document:
    """Read and validate one data file; raise DataError naming the file, line and offending key."""
    path = Path(path)
    try:
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        if (hit := _loaded.get(str(path))) and hit[0] == key:
            return hit[1]
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(str(path), f"cannot read data file: {exc}") from None
    document = parse_data(text, str(path))
    _loaded[str(path)] = (key, document)
    return document


def parse_data(text: str, name: str) -> Document:
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except DataError as exc:
        raise DataError(name, exc.message, exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(name, f"YAML syntax error: {problem}", mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise DataError(name, "expected a mapping of keys (department, year, tables …) at the top level", 1)
    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise DataError(name, _describe(first) + more, _line_of(root, list(first.absolute_path)))
    return _to_document(data)


def _cells(row: list) -> list:
    return [Decimal(c) if isinstance(c, int) and not isinstance(c, bool) else c for c in row]


def _section(d: dict) -> Section:
    return Section(heading=d["heading"], level=d["level"], paragraphs=list(d["paragraphs"]), line=d["line"])


def _to_document(d: dict) -> Document:
    tables = [
        Table(
            id=t["id"], title=t["title"], unit=t["unit"], line=t["line"],
            header=[_cells(r) for r in t["header"]], rows=[_cells(r) for r in t["rows"]],
            label=t.get("label"), kind=t.get("kind", "data"), empty=t.get("empty", False),
            note=t.get("note"), notes=list(t.get("notes", [])), continued_at=list(t.get("continued_at", [])),
        )
        for t in d["tables"]
    ]
    glossary = [
        GlossaryEntry(term=g["term"], definition=g["definition"], line=g["line"], group=g.get("group"), code=g.get("code"))
        for g in d["glossary"]
    ]
    evaluations = [
        Evaluation(
            project=e["project"], line=e["line"],
            budget=_number(e["budget"]), actual=_number(e["actual"]), completion_rate=_number(e["completion_rate"]),
            unit=e["unit"], sections=[_section(s) for s in e["sections"]],
        )
        for e in d["evaluations"]
    ]
    return Document(
        department=d["department"], year=d["year"], kind=d["kind"], title=d["title"], slug=d["slug"],
        source=Source(file=d["source"]["file"], sha256=d["source"]["sha256"]),
        department_aliases=list(d.get("department_aliases", [])), warnings=list(d.get("warnings", [])),
        sections=[_section(s) for s in d["sections"]], tables=tables, glossary=glossary, evaluations=evaluations,
    )


def _number(value: Any) -> Optional[Decimal]:
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value
