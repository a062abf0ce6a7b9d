"""YAML data files: the reviewable source of truth between parsing and rendering.

Writing is deterministic (same document, same bytes): keys keep the model's order, each table row is one
line, amounts are written exactly as printed (``0.00`` stays ``0.00``). Reading turns every decimal back
into ``Decimal`` (never ``float``) and validates a hand-edited file against ``schema.json``, reporting the
line of any problem.

The first lines of a generated file record the source's checksum and parser version it came from, and a
checksum of the rest. If the rest no longer matches, a person has edited the file, and ``parse`` keeps it
(see ``portal.pipeline``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import tempfile
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from .errors import DataError, yaml_syntax_error
from .model import Document, Evaluation, GlossaryEntry, Section, Source, Table
from .parsing import PARSER_VERSION
from .yamlload import KeyGivenTwice, SafeLoader

SCHEMA_VERSION = 1
ORIGIN = "# generated-from: "  # followed by "<source sha256> parser <version>"
MARKER = "# generated-sha256: "  # followed by the checksum of the rest of the file
HEADER = (
    "# Data file written by `python build.py parse` from content/sources/{source}.\n"
    "# Edit it freely: parse keeps a hand-edited file unless run with --force. Schema: portal/schema.json\n"
)


_RESOLVER = yaml.resolver.Resolver()
_TAG = "tag:yaml.org,2002:"

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


# Rows are most of a data file, and PyYAML's representer is slow: a row of one-line cells is written here,
# exactly as PyYAML would write it, and stands in the dump as a placeholder replaced afterwards.
_ANALYZER = yaml.emitter.Emitter(io.StringIO())
_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


class _RowMark(int):
    """Where a written-out row goes in the dump."""


def _represent_mark(dumper: yaml.SafeDumper, value: _RowMark) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", f"\ue000{int(value)}\ue001")


_Dumper.add_representer(_RowMark, _represent_mark)


@lru_cache(maxsize=1 << 16)
def _flow_text(text: str) -> str:
    """A one-line string as an item of a flow sequence, quoted only where PyYAML would quote it."""
    analysis = _ANALYZER.analyze_scalar(text)
    if analysis.allow_flow_plain and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _TAG + "str":
        return text
    if analysis.allow_single_quoted:
        return "'" + text.replace("'", "''") + "'"
    return yaml.dump([text], Dumper=_Dumper, allow_unicode=True, width=1_000_000, default_flow_style=True)[1:-2]


def _flow_row(row: list) -> Optional[str]:
    """``[a, b, 1.00, null]``, or None for a row with a cell over several lines (left to PyYAML)."""
    cells = []
    for cell in row:
        if cell is None:
            cells.append("null")
        elif isinstance(cell, Decimal):
            cells.append(format(cell, "f"))
        elif isinstance(cell, str) and not _BREAKS.search(cell):
            cells.append(_flow_text(cell))
        else:
            return None
    return "[" + ", ".join(cells) + "]"


_ONLY_WHEN_SET = {"page", "pages", "slug", "department_slug"}  # optional: written when set


def _plain(value: Any, rows: list[str]) -> Any:
    """Dataclasses to dicts in field order; table rows written out into ``rows``, marked in their place."""
    if dataclasses.is_dataclass(value):
        out = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name in _ONLY_WHEN_SET and not item:
                continue  # page numbers: a text source has none, and its data file stays as before
            out[f.name] = [_row(r, rows) for r in item] if f.name in ("header", "rows") else _plain(item, rows)
        return out
    if isinstance(value, list):
        return [_plain(v, rows) for v in value]
    return value


def _row(row: list, rows: list[str]) -> Any:
    text = _flow_row(row)
    if text is None:
        return _FlowRow(row)
    rows.append(text)
    return _RowMark(len(rows) - 1)


def dump_document(doc: Document) -> str:
    """The YAML text of a document, with the header recording what it was generated from."""
    rows: list[str] = []
    data = {"schema_version": SCHEMA_VERSION, "parser_version": PARSER_VERSION, **_plain(doc, rows)}
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    body = _PLACEHOLDER.sub(lambda m: rows[int(m.group(1))], body)
    origin = f"{ORIGIN}{doc.source.sha256} parser {PARSER_VERSION}\n"
    return HEADER.format(source=doc.source.file) + origin + MARKER + _checksum(body) + "\n" + body


def write_data(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a data file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _header(text: str) -> tuple[list[str], str]:
    """The comment lines that open the file (each to its newline, as dump_document writes them), and the body
    after them; without splitting the whole file into lines, which every build does for every data file."""
    lines, start = [], 0
    while text.startswith("#", start):
        end = text.find("\n", start) + 1 or len(text)
        lines.append(text[start:end])
        start = end
    return lines, text[start:]


def is_hand_edited(text: str) -> bool:
    """True unless the file is exactly as ``parse`` generated it."""
    header, body = _header(text)
    recorded = next((line[len(MARKER):].strip() for line in header if line.startswith(MARKER)), None)
    return recorded != _checksum(body)


def recorded_origin(text: str) -> tuple[Optional[str], Optional[int]]:
    """(source checksum, parser version) the file was generated from, as its header records them."""
    for line in _header(text)[0]:
        if line.startswith(ORIGIN):
            sha, _, version = line[len(ORIGIN):].split()
            return sha, int(version)
    return None, None


# ---------------------------------------------------------------- reading

class _Loader(SafeLoader):
    """Data files' YAML: floats as exact decimals (below)."""


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


def _describe(error) -> str:
    """A jsonschema error as 'where: what'."""
    where = ".".join(str(p) for p in error.absolute_path) or "top level"
    return f"{where}: {error.message}"


def load_document(path: Path) -> Document:
    """Read and validate one data file; raise DataError naming the file, line and offending key."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(str(path), f"cannot read data file: {exc}") from None
    return read_data(text, str(path))


def read_data(text: str, name: str) -> Document:
    """The document in a data file's text. A file exactly as ``parse`` wrote it is read by the fast path;
    an edited one with all of YAML and checked against the schema (the YAML is composed a second time
    only to name the line of a problem)."""
    if not is_hand_edited(text):
        return _build(Document, _load_own(text))
    try:
        data = yaml.load(text, Loader=_Loader)
    except (DataError, KeyGivenTwice) as exc:
        raise DataError(name, exc.message, exc.line) from None
    except yaml.YAMLError as exc:
        raise yaml_syntax_error(DataError, name, exc) from None
    if not isinstance(data, dict):
        raise DataError(name, "expected a mapping of keys (department, year, tables …) at the top level", 1)
    if is_hand_edited(text):
        import jsonschema  # only edited files need it, and it takes a while to import

        errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data),
                        key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
            line = _line_of(yaml.compose(text, Loader=_Loader), list(first.absolute_path))
            raise DataError(name, _describe(first) + more, line)
    return _build(Document, data)




IDENTITY = ("department", "year", "kind", "slug", "department_slug")


def read_identity(text: str) -> Optional[dict]:
    """Who a data file's document is (IDENTITY, and ``source_file``), from its top-level keys alone: what the
    build needs of every document to give each page its address before any page is rendered. ``None`` when
    the file cannot be read this way; reading it in full then says what is wrong."""
    found: dict = {}
    own = not is_hand_edited(text)  # written by parse: identity keys come first, so stop at the first other
    frames: list[list] = []  # one per open container: [is a mapping, its key awaiting a value (None: a key is next)]
    loader = _Loader(text)
    try:
        while (event := loader.get_event()) is not None:
            kind = event.__class__
            if kind is yaml.ScalarEvent:
                if frames and frames[-1][0] and frames[-1][1] is None:  # a key
                    frames[-1][1] = event.value
                    if len(frames) == 1 and own and "department" in found and event.value not in _BEFORE_BODY:
                        break
                    continue
                if len(frames) == 1 and frames[0][1] in IDENTITY:
                    found[frames[0][1]] = _scalar(event)
                elif len(frames) == 2 and frames[0][1] == "source" and frames[1][1] == "file":
                    found["source_file"] = event.value
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                frames.append([kind is yaml.MappingStartEvent, None])
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frames.pop()
            else:
                continue
            if frames and frames[-1][0]:
                frames[-1][1] = None  # a value ended: a key is next
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()
    return found if _is_identity(found) else None


_BEFORE_BODY = {*IDENTITY, "title", "source"}


def _is_identity(found: dict) -> bool:
    """The identity keys are there, of the types the schema says (a hand edit can make ``department: 123``:
    reading the whole file then says what is wrong, with its line)."""
    slugs = [key for key in ("slug", "department_slug") if key in found]
    return (isinstance(found.get("department"), str) and type(found.get("year")) is int
            and isinstance(found.get("kind"), str)
            and all(isinstance(found[key], str) and re.search(schema()["properties"][key]["pattern"], found[key])
                    for key in slugs))


_RESOLVED_FIRST = frozenset(_RESOLVER.yaml_implicit_resolvers)  # first characters of non-text plain scalars
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")  # not 012: YAML 1.1 reads that as octal


def _scalar(event: yaml.ScalarEvent) -> Any:
    """A scalar's value, typed as PyYAML's safe loader types it, decimals as Decimal."""
    if event.style or not event.implicit[0]:
        return event.value  # quoted or block: text
    return _plain_scalar(event.value)


def _plain_scalar(value: str) -> Any:
    if value[:1] not in _RESOLVED_FIRST:
        return value  # plain text starting as no number, null or boolean can
    if value == "null":  # how this module writes an empty cell
        return None
    if _PLAIN_DECIMAL.fullmatch(value):  # the common cases: an amount, a line or page number
        return Decimal(value)
    if _PLAIN_INT.fullmatch(value):
        return int(value)
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return value.lower() in ("yes", "true", "on")
    if tag == _TAG + "int":
        return int(value)
    if tag == _TAG + "float":
        return Decimal(value)
    return value


# Table rows are most of a data file, and libyaml makes an event of every cell. In a file as parse wrote it
# (no block scalars: then a line cannot be inside one) each list of rows, a key followed by row lines
# `- [a, 'b', 1.00, null]` at its own indentation, is read here, cell by cell as _scalar would, and stands in
# the YAML as one tagged placeholder (`rows: !rows 3`). A double-quoted cell (escapes) is read by libyaml alone;
# a list with a line that does not read back as written is left to libyaml whole.
_ROW_LIST = re.compile(r"^( *)([a-z_]+):\n((?:\1- \[.*\]\n)+)(?!\1- )", re.M)  # and no other item after them
_BLOCK_SCALAR = re.compile(r"[:-] [|>][-+0-9]*$", re.M)
_FLOW_CELL = re.compile(r"(?:^|, )('(?:[^']|'')*'|\"(?:[^\"\\]|\\.)*\"|[^,'\"\[\]{}][^,\[\]{}]*)")
_ROWS_TAG = "!rows"


class _Rows(list):
    """The lists of rows of one file read off their lines; each plain cell typed once (most repeat: 0.00, null)."""

    def __init__(self):
        super().__init__()
        self.typed = _Typed()

    def placeholder(self, found: re.Match) -> str:
        start = len(found[1]) + 3  # after the indentation and "- ["
        rows = [self.cells(line[start:-1]) for line in found[3].split("\n")[:-1]]  # not splitlines(): \x1c is text
        if None in rows:
            return found[0]
        self.append(rows)
        return f"{found[1]}{found[2]}: {_ROWS_TAG} {len(self) - 1}\n"

    def cells(self, body: str) -> Optional[list]:
        if "'" not in body and '"' not in body:
            return list(map(self.typed.__getitem__, body.split(", "))) if body else []
        cells = _FLOW_CELL.findall(body)
        if ", ".join(cells) != body:
            return None
        return [c[1:-1].replace("''", "'") if c[0] == "'" else yaml.load(c, Loader=_Loader) if c[0] == '"'
                else self.typed[c] for c in cells]


class _Typed(dict):
    def __missing__(self, value: str) -> Any:
        self[value] = typed = _plain_scalar(value)
        return typed


def _load_own(text: str) -> Any:
    """The YAML this module writes (no anchors, tags or merge keys), built straight from libyaml's events:
    twice as fast as PyYAML's constructor, which a portal of thousands of departments feels."""
    rows = _Rows()
    if not _BLOCK_SCALAR.search(text):
        text = _ROW_LIST.sub(rows.placeholder, text)
    loader = _Loader(text)
    stack: list[list] = []  # containers being filled, each with the key awaiting its value
    result = None
    try:
        while (event := loader.get_event()) is not None:
            kind = event.__class__
            if kind is yaml.ScalarEvent:
                value = rows[int(event.value)] if event.tag == _ROWS_TAG else _scalar(event)
            elif kind is yaml.MappingStartEvent:
                stack.append([{}, _NO_KEY])
                continue
            elif kind is yaml.SequenceStartEvent:
                stack.append([[], None])
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = stack.pop()[0]
            else:
                continue  # stream and document start and end
            if not stack:
                result = value
            elif isinstance((top := stack[-1])[0], list):
                top[0].append(value)
            elif top[1] is _NO_KEY:
                top[1] = value
            else:
                top[0][top[1]] = value
                top[1] = _NO_KEY
    finally:
        loader.dispose()
    return result


_NO_KEY = object()


# Fields holding model objects, and fields whose numbers are amounts (YAML writes 12 for Decimal("12")).
_NESTED = {"source": Source, "sections": Section, "tables": Table, "glossary": GlossaryEntry, "evaluations": Evaluation}
_GRIDS = {"header", "rows"}
_AMOUNTS = {"budget", "actual", "completion_rate"}


def _build(cls: type, data: dict) -> Any:
    """A model object from its mapping, field by field, so that every field the data file holds is read."""
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue  # optional: the model's default
        value = data[f.name]
        if f.name in _NESTED:
            kind = _NESTED[f.name]
            value = [_build(kind, v) for v in value] if isinstance(value, list) else _build(kind, value)
        elif f.name in _GRIDS:
            value = [[Decimal(c) if type(c) is int else c for c in row] for row in value]  # as _amount, inline
        elif f.name in _AMOUNTS:
            value = _amount(value)
        values[f.name] = value
    return cls(**values)


def _amount(value: Any) -> Any:
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value
