"""The site search's index: static files that templates/static/search.js reads to search every page.

Layout under ``search/`` (every file is a script calling ``siteSearchData(key, data)``, so that the index
loads with ``<script>`` elements: that works on any static host, under a sub-path and from file://, where
fetch() is refused; the data is JSON, the key is the file's path without ``.js``):

- ``manifest``: the shard counts, the labels, and per page (in page order) its department id, year, kind and
  number of record segments, as one VLQ string (``facets``).
- ``p/<hex>``: page-level postings, sharded by a hash of the bigram (or number 5-gram, see _gram_keys): ``{bigram: pages}`` (see _postings), each
  page's entry ``2·count + starts_a_name`` and, for a page with several segments, which segments hold the
  bigram (a bit mask, XOR the full mask, so "all of them" costs one character).
- ``t/<hex>``: exact names (normalised titles of department, table and term records) → (page, segment),
  sharded by a hash of the name: ranks "the query is a name" first and says which segment to load.
- ``u/<page // 64>``: the folder of each page, where its records are (``search-<segment>.js`` beside the page,
  written with it: see prepare); a page's records come in segments of a few KB, with the page's url, title,
  department, year and kind, loaded only for the result groups shown, to verify and display matches. (A
  segment file's key is "": the client knows which file it asked for.)
- ``d/<n>``: department names by id, 64 a file, for the department filter.

Numbers are unsigned VLQ in base 64 (5 bits a character, 32 = "more follows"): small values are one character.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import operator
import pickle
import re
import unicodedata
import zlib
from collections import defaultdict, deque
from itertools import repeat, starmap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Optional

import numpy as np

from .writer import Targets

RECORD_KINDS = ("department", "document", "table", "row", "text", "term", "evaluation", "page")
NAME_KINDS = frozenset({"department", "table", "term"})  # a title equal to the query ranks first
SEGMENT_BYTES = 12_000  # a segment of records: a displayed page costs this, a file costs time to write
MAX_SEGMENTS = 16  # so that a segment mask stays within 16 bits
SHARD_BYTES = 16_000  # target size of a postings or names shard
DEPARTMENTS_PER_FILE = 64
PAGES_PER_FILE = 64  # page folders in a u/ file: a query loads those of the pages it shows (about 4 KB)
BLOCK = 64  # pages in a block of postings: an offset in it is one character of _B64
MAX_COUNT = 511  # counts are capped so that 2·count + flag takes at most two characters

# Whitespace (an explicit list, identical in search.js: Python's \s and JavaScript's \s differ) and quotes.
_DROPPED = re.compile("[\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
                      "\u201c\u201d\u2018\u2019\"'\u300c\u300d\u300e\u300f]+")
_DIGIT_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9])")
# Digit bigrams are on every page: a run of 5+ digits and points (a code, an amount) is also indexed by its
# 5-grams, keyed with a leading space (which normalise() never leaves) so that they cannot meet a bigram.
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class _Folds(dict):
    """Each character → its NFKC form, worked out the first time it is met (str.translate's table)."""

    def __missing__(self, code: int) -> str:
        self[code] = folded = unicodedata.normalize("NFKC", chr(code))
        return folded


_FOLDS = _Folds()


# Characters that NFKC leaves as they are, and that are most of a budget's text: ASCII, CJK ideographs, the
# punctuation Chinese text is set in. Only the runs of other characters are looked up in _FOLDS.
STABLE = ("\x00-\x9f\u00b7\u00d7\u00f7\u2014\u2018\u2019\u201c\u201d\u2264\u2265\u2610\u2611"
          "\u3001\u3002\u3008-\u3011\u3014-\u3017\u4e00-\u9fff")
_UNSTABLE = re.compile(f"[^{STABLE}]+")


def _fold(run: re.Match) -> str:
    return run[0].translate(_FOLDS)


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), in a fifth of the time on a page of budget text: each character
    is folded on its own first (a table lookup, skipped for STABLE ones), and the whole normalised only if
    what comes out is not normalised yet (characters that compose with their neighbours). Exact: folding a
    character alone leaves the text's compatibility decomposition as it was."""
    folded = _UNSTABLE.sub(_fold, text)
    return folded if unicodedata.is_normalized("NFKC", folded) else unicodedata.normalize("NFKC", folded)


def normalise(text: str) -> str:
    """The form in which queries and records are compared: NFKC (full-width and Kangxi radicals folded),
    lower case, no whitespace, no quotation marks, no comma between digits (45,084.94 → 45084.94)."""
    text = _DROPPED.sub("", nfkc(text).lower())
    return _DIGIT_COMMA.sub("", text) if "," in text else text


def vlq(value: int) -> str:
    out = []
    while True:
        digit, value = value & 31, value >> 5
        if not value:
            out.append(_B64[digit])
            return "".join(out)
        out.append(_B64[digit | 32])


# The VLQ of the small values the postings and names are assembled from in Python (the steps between blocks,
# the deltas between pages): a value of 32 or more is its low five bits with "more follows", then the VLQ of
# the rest. Counts and segment masks are written by numpy (_vlq_columns). 4,096 values: every step of a
# portal of 250,000 pages, made in a millisecond (every build imports this module).
def _vlq_table(size: int) -> list[str]:
    table = list(_B64[:32])
    for high in range(1, size >> 5):
        table += [_B64[low | 32] + table[high] for low in range(32)]
    return table


_VLQ = _vlq_table(1 << 12)


def string_hash(text: str) -> int:
    """FNV-1a over the code points, with a final mix of the high bits into the low ones (search.js: hash)."""
    h = 2166136261
    for ch in text:
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return h ^ (h >> 16)


class Record(NamedTuple):  # a page has about a thousand: a tuple is made in a third of a dataclass's time
    """One findable thing on a page."""
    anchor: str  # "" = the page itself, else "#id" of the element to jump to
    kind: str  # one of RECORD_KINDS
    title: str
    text: str = ""
    amount: str = ""  # a row's amount as printed
    unit: str = ""


@dataclass(frozen=True)
class SearchPage:
    """One HTML page of the site; url is relative to the site root."""
    url: str
    department: str  # "" for pages that are not a department's
    year: Optional[int]
    kind: str  # a document kind's label, or ""
    title: str
    records: list[Record]


@dataclass(frozen=True)
class PreparedPage:
    """What the index needs of a page, computed in a worker: picklable and small (the build keeps one for
    every page of the portal between builds). Its records are written beside the page (segment_files)."""
    url: str
    department: str
    year: Optional[int]
    kind: str
    postings: bytes  # its distinct grams' keys and, for each, its posting entry without the page delta (see _pack;
    # compressed: a page has thousands, and the build keeps every page's, and pickles them)
    names: tuple[tuple[str, int], ...]  # (normalised name, segment) of its name records
    segments: int  # how many segments its records take
    digest: bytes  # of postings: a block of pages with the same digests has the same part of the index


SEP = "\x1f"  # never in an entry or a gram: entries are base 64, normalise drops it
SEGMENT_FILE = "search-{}.js"  # a page's records, segment by segment, in the page's folder


def segment_path(url: str, segment: int) -> str:
    """Where a page's records segment is: beside the page, so that it is carried over with it. Every page of
    the site is the index.html of a folder of its own."""
    if not url.endswith("/index.html"):
        raise ValueError(f"{url}: a searchable page must be the index.html of its own folder")
    return url.removesuffix("index.html") + SEGMENT_FILE.format(segment)


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # json.dumps would make one a call


def _json(value) -> str:
    # U+2028/2029 are escaped: older engines do not accept them raw in a script's string literal
    text = _ENCODE(value)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


_RECORD_JSON = 16  # what a record's JSON adds to its fields: brackets, quotes, commas, its kind


def _serialise(record: Record) -> list:
    item = [record.anchor, RECORD_KINDS.index(record.kind), record.title, record.text, record.amount, record.unit]
    while len(item) > 3 and not item[-1]:
        item.pop()
    return item


def prepare(page: SearchPage) -> tuple[PreparedPage, list[tuple[str, str]]]:
    """The page's part of the index, and its records segments as (path from the site root, file text)."""
    # each record's text, to index, and the bytes it takes in a segment file, near enough (its JSON but for
    # escapes: each record is encoded with its segment, in one call)
    texts_of = [f"{r.title} {r.text} {r.amount}" for r in page.records]
    sizes = [len(f"{r.anchor}{text}{r.unit}".encode()) + _RECORD_JSON for r, text in zip(page.records, texts_of)]
    per_segment = max(SEGMENT_BYTES, math.ceil(sum(sizes) / MAX_SEGMENTS))
    bounds, start, last = [], 0, -1  # where each segment begins
    for i, item_size in enumerate(sizes):
        segment = min(MAX_SEGMENTS - 1, start // per_segment)
        if segment != last:
            bounds.append(i)
            last = segment
        start += item_size
    bounds.append(len(sizes))

    head = _json({"u": page.url, "t": page.title, "d": page.department, "y": page.year, "k": page.kind})[:-1]
    starts: set[str] = set()
    names: dict[str, int] = {}
    segments, texts = [], []
    for seg in range(len(bounds) - 1):
        records = page.records[bounds[seg]:bounds[seg + 1]]
        for r in records:
            if r.kind in NAME_KINDS:
                name = normalise(r.title)
                names.setdefault(name, seg)
                starts.add(name[:2])
        # one normalise() for the segment: NUL survives it and keeps bigrams from spanning two records
        texts.append(normalise("\0".join(texts_of[bounds[seg]:bounds[seg + 1]])))
        segments.append(f'{head},"r":{_json(list(map(_serialise, records)))}}}')

    files = [(segment_path(page.url, n), f'siteSearchData("",{payload});\n') for n, payload in enumerate(segments)]
    postings = _pack(*_entries(texts, starts))
    return PreparedPage(page.url, page.department, page.year, page.kind, postings, tuple(sorted(names.items())),
                        len(segments), hashlib.blake2b(postings, digest_size=16).digest()), files


# A gram as one integer, so that a page's grams are counted and sorted by numpy in C (a page has about
# 30,000, and Python strings for each cost more than the rest of its index): a bigram is its two code points
# (21 bits each), a number 5-gram is 0x20 (the space that starts its string) then its characters in base 11,
# "." as 0 and "0"…"9" as 1…10. Integer order is then the strings' order, and no bigram holds a space.
_NUMBER_KEYS = 0x20 << 21
_SEGMENT_BITS = (MAX_SEGMENTS - 1).bit_length()  # a key (42 bits) and its segment fit in an int64
_NUMBER_DIGITS = np.full(0x3A, -1, np.int64)  # by code point below ":", else -1 (not in a number)
_NUMBER_DIGITS[0x2E], _NUMBER_DIGITS[0x30:0x3A] = 0, range(1, 11)


def _gram_keys(text: str) -> np.ndarray:
    """The keys of a text's grams, each as often as it occurs: its bigrams but those with a NUL (which
    separates records), and the 5-grams of its runs of 5+ digits and points."""
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64)
    first, second = points[:-1], points[1:]
    bigrams = ((first << 21) | second)[(first != 0) & (second != 0)]
    if len(points) < 5:
        return bigrams
    digits = np.where(points < 0x3A, _NUMBER_DIGITS[np.minimum(points, 0x39)], -1)
    ok = digits >= 0
    at = np.flatnonzero(ok[:-4] & ok[1:-3] & ok[2:-2] & ok[3:-1] & ok[4:])  # where five digits or points start
    numbers = (((digits[at] * 11 + digits[at + 1]) * 11 + digits[at + 2]) * 11 + digits[at + 3]) * 11 + digits[at + 4]
    return np.concatenate([bigrams, _NUMBER_KEYS | numbers])


def _gram_strings(keys: np.ndarray) -> list[str]:
    """The grams of sorted keys, as strings (see _gram_keys)."""
    low, high = np.searchsorted(keys, [_NUMBER_KEYS, _NUMBER_KEYS + (1 << 21)])
    bigrams = np.concatenate([keys[:low], keys[high:]])
    pairs = np.stack([bigrams >> 21, bigrams & 0x1FFFFF], axis=1).astype(np.uint32)
    numbers = keys[low:high] & 0x1FFFFF
    chars = np.stack([np.full(len(numbers), 0x20)] + [numbers // 11 ** p % 11 for p in range(4, -1, -1)], axis=1)
    chars[:, 1:] += np.where(chars[:, 1:] == 0, 0x2E, 0x2F)
    as_text = pairs.view("<U2").ravel().tolist()
    return as_text[:low] + chars.astype(np.uint32).view("<U6").ravel().tolist() + as_text[low:]


def _entries(texts: list[str], starts: set[str]) -> tuple[np.ndarray, str]:
    """A page's distinct grams' keys (see _gram_keys), sorted, and for each its posting entry (SEP-joined):
    VLQ(2·count + starts a name), then for a page of several segments the mask of the segments that hold it
    (XOR the full mask, so that "all of them" is one character)."""
    # each key tagged with its segment in the low bits, sorted: a run of equal tagged keys is a gram's count
    # in one segment, and a run of equal keys the segments that hold it (no argsort, no ufunc.at)
    tagged = np.sort(np.concatenate([(_gram_keys(text) << _SEGMENT_BITS) | n for n, text in enumerate(texts)]
                                    or [np.empty(0, np.int64)]))
    first = _run_starts(tagged)
    pairs, counts = tagged[first], np.diff(first, append=len(tagged))
    starts_of_gram = _run_starts(pairs >> _SEGMENT_BITS)
    grams = pairs[starts_of_gram] >> _SEGMENT_BITS
    if len(grams):
        counts = np.add.reduceat(counts, starts_of_gram)
    codes = 2 * np.minimum(counts, MAX_COUNT)
    # the grams that start a name (distinct, like grams: found by a binary search, ten times as fast as isin)
    start_keys = np.array([(ord(s[0]) << 21) | ord(s[1]) for s in starts if len(s) == 2], np.int64)
    at = np.searchsorted(grams, start_keys)
    found = at < len(grams)
    at = at[found][grams[at[found]] == start_keys[found]]
    codes[at] += 1
    columns = [_vlq_columns(codes, 2)]  # codes are below 2 * MAX_COUNT + 2 = 32 ** 2
    if len(texts) > 1:
        masks = np.bitwise_or.reduceat(1 << (pairs & (MAX_SEGMENTS - 1)), starts_of_gram) if len(grams) else grams
        columns.append(_vlq_columns(((1 << len(texts)) - 1) ^ masks, 4))  # below 2 ** MAX_SEGMENTS = 32 ** 3.2
    columns.append(np.full((len(grams), 1), ord(SEP), np.uint8))
    table = np.hstack(columns)
    return grams, table[table != 0].tobytes().decode("ascii")[:-1]


_B64_CODES = np.frombuffer(_B64.encode("ascii"), np.uint8)


def _vlq_columns(values: np.ndarray, width: int) -> np.ndarray:
    """Each value's VLQ (see vlq) as ASCII codes, a row each, zeros after its last digit (values < 32 ** width)."""
    out = np.zeros((len(values), width), np.uint8)
    for k in range(width):
        rest = values >> (5 * k)
        more = np.where(rest >= 32, 32, 0)
        out[:, k] = np.where((rest > 0) | (k == 0), _B64_CODES[(rest & 31) | more], 0)
    return out


def _pack(keys: np.ndarray, entries: str) -> bytes:
    """A page's postings as the build keeps them: how many grams, their sorted keys, their entries, compressed."""
    return zlib.compress(len(keys).to_bytes(8, "little") + keys.astype("<i8").tobytes() + entries.encode("ascii"), 1)


def _unpack(postings: bytes) -> tuple[np.ndarray, str]:
    """The keys and the SEP-joined entries of a page's postings (see _pack)."""
    data = zlib.decompress(postings)
    count = int.from_bytes(data[:8], "little")
    return np.frombuffer(data, "<i8", count, 8), data[8 + 8 * count:].decode()


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted array starts."""
    return np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]])) if len(values) else np.empty(0, np.intp)


def _shard_count(total_bytes: int) -> int:
    """A power of two, so that a shard holds about SHARD_BYTES."""
    return 1 << max(0, math.ceil(math.log2(max(1, total_bytes / SHARD_BYTES))))


@dataclass
class PostingsCache:
    """What a build needs of the last one's postings: each block's collected postings (_collect), pickled, by a digest
    of its pages' postings (a build collects again only the blocks whose pages changed: one, when one page
    did), the blocks' order, the postings' size and shard count, the names', and the digest of each index
    file it wrote (see _Writer)."""
    blocks: dict[bytes, bytes] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    order: tuple[bytes, ...] = ()
    size: int = 0  # of the postings, as _shard_count takes it
    shards: int = 0
    names_key: bytes = b""  # a digest of every page's names: the same, and the names shards are the same
    name_shards: int = 0


def _collect_block(group: list[PreparedPage]) -> bytes:
    """A block's collected postings (see _collect), pickled: what the cache keeps, and a worker returns."""
    return pickle.dumps(_collect(group), protocol=pickle.HIGHEST_PROTOCOL)


class _Blocks:
    """The pages' blocks of 64, each collected (``mapper`` maps _collect_block over those that changed: the
    build passes one that uses every core) or taken from the last build's when its pages are the same; kept pickled,
    and unpickled each time they are asked for, so that a province's hundreds of blocks are never all in
    memory at once."""

    def __init__(self, pages: list[PreparedPage], last: PostingsCache, mapper: Callable):
        groups = [pages[start:start + BLOCK] for start in range(0, len(pages), BLOCK)]
        self.keys = [hashlib.blake2b(b"".join(page.digest for page in group), digest_size=16).digest()
                     for group in groups]
        missing = {key: group for key, group in zip(self.keys, groups) if key not in last.blocks}
        collected = dict(zip(missing, mapper(_collect_block, list(missing.values()))))
        self.kept = {key: last.blocks.get(key) or collected[key] for key in self.keys}  # what the cache keeps

    def __len__(self) -> int:
        return len(self.keys)

    def found(self, block: int) -> dict[int, str]:
        """The block's part of each of its grams' postings, by gram key."""
        return _found(self.kept[self.keys[block]])

    def parts(self, block: int, wanted: np.ndarray) -> dict[int, str]:
        """The block's part of the postings of these grams (sorted keys), of those it has: looked up, not
        unpickled as a dict (a one-page change needs a few grams of every block)."""
        keys, parts = pickle.loads(self.kept[self.keys[block]])
        if not len(keys):
            return {}
        at = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        seps = np.append(np.flatnonzero(np.frombuffer(parts, np.uint8) == ord(SEP)), len(parts))
        return {int(keys[j]): parts[seps[j] + 1:seps[j + 1]].decode("ascii") for j in at[keys[at] == wanted]}


def _found(block: bytes) -> dict[int, str]:
    """A block as the cache keeps it (_collect's, pickled) → its part of each gram's postings, by key."""
    keys, parts = pickle.loads(block)
    return dict(zip(keys.tolist(), parts.decode("ascii").split(SEP)[1:]))


def _named(postings: dict[int, str]) -> dict[str, str]:
    """Postings by gram key → by gram (see _gram_keys)."""
    keys = sorted(postings)
    return dict(zip(_gram_strings(np.array(keys, np.int64)), map(postings.__getitem__, keys)))


def _postings(founds: Iterable[dict[int, str]], count: int) -> dict[int, str]:
    """gram key → its pages, in blocks of 64 (``count`` of them): VLQ(distance from the gram's previous block,
    less one), one character for the number of its pages in the block less one, then for each page its offset
    in the block (one character) and its entry (the last two are each block's part, see _collect)."""
    parts: defaultdict[int, list[str]] = defaultdict(list)
    last: dict[int, int] = {}
    step_vlq = _VLQ.__getitem__ if count <= len(_VLQ) else _vlq  # every step is in the table
    for block, found in enumerate(founds):
        # each gram's step from its previous block, less one (as VLQ), then its entries; in C-level map()s
        grams = list(found)
        steps = map(operator.sub, repeat(block - 1), map(last.get, grams, repeat(-1)))
        deque(map(list.append, map(parts.__getitem__, grams),
                  map(operator.add, map(step_vlq, steps), found.values())), 0)
        last.update(zip(grams, repeat(block)))
    return dict(zip(parts, map("".join, parts.values())))


def _posting_size(gram: str, posting: str) -> int:
    """What a gram's postings add to the size that sets the number of shards."""
    return len(gram) * 3 + len(posting) + 6 if posting else 0


def _collect(group: list[PreparedPage]) -> tuple[np.ndarray, bytes]:
    """A block's part of each of its grams' postings, without the step from the previous block: the number of
    its pages less one, then each page's offset in the block and entry; as the grams' keys (sorted) and their
    parts, each after a SEP. The hot loop on a large site (a block has some 400,000 (gram, page) pairs), so
    no Python object is made per pair: the pages' entries are one
    ASCII buffer, the pairs are sorted by gram (pages in block order), and their bytes are gathered from the
    buffer in that order, each gram's after a head (SEP and its count), then cut at SEP."""
    keys, texts = [], []
    for offset, page in enumerate(group):
        page_keys, entries = _unpack(page.postings)
        if len(page_keys):
            keys.append(page_keys)
            texts.append((SEP + entries).replace(SEP, SEP + _B64[offset]))  # SEP, offset, entry; SEP, offset …
    data = np.frombuffer(("".join(texts) + SEP).encode("ascii") + _HEADS, np.uint8)
    seps = np.flatnonzero(data[:len(data) - len(_HEADS)] == ord(SEP))
    starts, lengths = seps[:-1] + 1, np.diff(seps) - 1  # each pair's bytes: its page's offset and its entry
    every = np.concatenate(keys or [np.empty(0, np.int64)])
    order = np.argsort(every, kind="stable")
    grams = every[order]
    firsts = _run_starts(grams)
    counts = np.diff(firsts, append=len(grams))
    piece_starts = np.insert(starts[order], firsts, len(data) - len(_HEADS) + 2 * (counts - 1))
    piece_lengths = np.insert(lengths[order], firsts, 2)
    gather = np.repeat(piece_starts - np.cumsum(piece_lengths) + piece_lengths, piece_lengths) + np.arange(
        piece_lengths.sum())
    return grams[firsts], data[gather].tobytes()


_HEADS = "".join(SEP + count for count in _B64).encode("ascii")  # a gram's head for 1 … 64 pages: 2 bytes each


def _vlq(value: int) -> str:
    return _VLQ[value] if value < len(_VLQ) else vlq(value)


def _deltas(ids: list[int]) -> list[str]:
    return [vlq(ids[0])] + [_vlq(d) for d in map(operator.sub, ids[1:], ids[:-1])]


class _Writer:
    """Writes the index files; one whose bytes are those of the same file of the current site (by the digests
    the cache keeps) is hard-linked from it instead: after a one-page change most shards are the same, and
    writing a province's tens of megabytes again costs more than the index takes to make."""

    def __init__(self, out_dir: Path, last: PostingsCache, current: Optional[Path]):
        self._path = Targets(out_dir)
        self.root = self._path.root
        self.current = str(current) if current else None
        self.last = last.files if current else {}
        self.digests: dict[str, bytes] = {}

    def script(self, key: str, payload: str) -> None:
        relative = f"search/{key}.js"
        path = self._path(relative)
        data = f'siteSearchData("{key}",{payload});\n'.encode()
        self.digests[relative] = digest = hashlib.blake2b(data, digest_size=16).digest()
        if self.last.get(relative) == digest:
            try:
                os.link(os.path.join(self.current, relative), path)
                return
            except OSError:
                pass  # gone: written below
        with open(path, "wb") as f:
            f.write(data)

    def current_data(self, key: str):
        """The data of one of the current site's index files, if it is the file the last build wrote."""
        relative = f"search/{key}.js"
        try:
            with open(os.path.join(self.current, relative), "rb") as f:
                data = f.read()
        except OSError:
            return None
        if hashlib.blake2b(data, digest_size=16).digest() != self.last.get(relative):
            return None
        return json.loads(data[len(f'siteSearchData("{key}",'):-len(");\n")])

    def link_all(self, keys: list[str]) -> bool:
        """Link these files of the current site, unchanged; all of them, or (one is gone) none."""
        done = []
        for key in keys:
            relative = f"search/{key}.js"
            path = self._path(relative)
            try:
                os.link(os.path.join(self.current, relative), path)
            except OSError:
                for made in done:
                    os.unlink(made)
                    del self.digests[made.removeprefix(self.root + "/")]
                return False
            done.append(path)
            self.digests[relative] = self.last[relative]
        return True


def _patch_postings(writer: _Writer, blocks: _Blocks, last: PostingsCache) -> Optional[tuple[int, int]]:
    """When a few blocks changed, the current site's postings shards, the changed grams' postings put in
    those that hold them and the others linked: (size, shard count). None, having written nothing, when the
    whole postings must be written: blocks added or removed, more than half of them changed, the number of shards
    changed, or the current site's files not the last build's."""
    changed = {i for i, (key, before) in enumerate(zip(blocks.keys, last.order)) if key != before}
    if (not writer.current or len(last.order) != len(blocks) or 2 * len(changed) > len(blocks)
            or any(last.order[i] not in last.blocks for i in changed)):
        return None
    after = {i: blocks.found(i) for i in changed}
    before = {i: _found(last.blocks[last.order[i]]) for i in changed}
    keys: set[int] = set()
    for i in changed:
        keys.update(key for key, _ in set(after[i].items()) ^ set(before[i].items()))
    wanted = np.array(sorted(keys), np.int64)
    # the changed grams' part of every block, then their postings after and before
    parts, parts_before = [], []
    for i in range(len(blocks)):
        if i in changed:
            parts.append({key: after[i][key] for key in keys if key in after[i]})
            parts_before.append({key: before[i][key] for key in keys if key in before[i]})
        else:
            parts.append(blocks.parts(i, wanted))
            parts_before.append(parts[-1])
    postings, was = _named(_postings(parts, len(parts))), _named(_postings(parts_before, len(parts)))
    grams = _gram_strings(wanted)
    size = last.size + sum(_posting_size(g, postings.get(g, "")) - _posting_size(g, was.get(g, "")) for g in grams)
    count = _shard_count(size)
    by_shard: defaultdict[int, list[str]] = defaultdict(list)
    for gram in grams:
        by_shard[string_hash(gram) & (count - 1)].append(gram)
    shards = {number: writer.current_data(f"p/{number:x}") for number in by_shard}
    if count != last.shards or any(shard is None for shard in shards.values()):
        return None
    if not writer.link_all([f"p/{number:x}" for number in range(count) if number not in by_shard]):
        return None
    for number, shard in shards.items():
        shard.update((gram, postings.get(gram, "")) for gram in by_shard[number])
        writer.script(f"p/{number:x}", _json(dict(sorted(item for item in shard.items() if item[1]))))
    return size, count


def write_index(out_dir: Path, pages: list[PreparedPage], last: Optional[PostingsCache] = None,
                current: Optional[Path] = None, mapper: Callable = map) -> PostingsCache:
    """Write the index of these pages (page id = position in the list) under out_dir/search/. ``last``: the
    cache the last build returned (left as it is: this build may be thrown away); ``current``: the site
    folder its files are in, if it is still the one that build wrote; ``mapper``: see _Blocks. Returns
    this build's cache, whose ``files`` are the files written."""
    last = last or PostingsCache()
    writer = _Writer(out_dir, last, current)

    blocks = _Blocks(pages, last, mapper)
    patched = _patch_postings(writer, blocks, last)
    if patched:
        size, shards = patched
    else:
        postings = _named(_postings(map(blocks.found, range(len(blocks))), len(blocks)))
        size = sum(starmap(_posting_size, postings.items()))
        shards = _shard_count(size)
        _write_shards(writer, "p", shards, postings)

    names_key = hashlib.blake2b(pickle.dumps([page.names for page in pages]), digest_size=16).digest()
    name_shards = last.name_shards if names_key == last.names_key and writer.current else 0
    if not (name_shards and writer.link_all([f"t/{number:x}" for number in range(name_shards)])):
        name_shards = _write_names(writer, pages)

    departments: dict[str, int] = {}
    kinds: dict[str, int] = {"": 0}
    years: dict[Optional[int], int] = {None: 0}
    facets, previous = [], 0
    for page in pages:
        dept = departments.setdefault(page.department, len(departments))
        step = dept - previous  # zigzag: consecutive pages of one department cost one character
        facets.append(vlq(step * 2 if step >= 0 else -step * 2 - 1))
        previous = dept
        facets.append(vlq(years.setdefault(page.year, len(years))))
        facets.append(vlq(kinds.setdefault(page.kind, len(kinds))))
        facets.append(vlq(page.segments))
    names_by_id = list(departments)
    for start in range(0, len(names_by_id), DEPARTMENTS_PER_FILE):
        writer.script(f"d/{start // DEPARTMENTS_PER_FILE}", _json(names_by_id[start:start + DEPARTMENTS_PER_FILE]))

    for start in range(0, len(pages), PAGES_PER_FILE):  # where each page's records are
        writer.script(f"u/{start // PAGES_PER_FILE}",
                      _json([p.url.removesuffix("index.html") for p in pages[start:start + PAGES_PER_FILE]]))

    writer.script("manifest", _json({
        "version": 1, "pages": len(pages), "shards": shards, "nameShards": name_shards,
        "departments": len(departments), "departmentsPerFile": DEPARTMENTS_PER_FILE,
        "pagesPerFile": PAGES_PER_FILE, "segmentFile": SEGMENT_FILE, "recordKinds": list(RECORD_KINDS),
        "kinds": list(kinds), "years": list(years), "facets": "".join(facets)}))
    return PostingsCache(blocks.kept, writer.digests, tuple(blocks.keys), size, shards, names_key, name_shards)


def _write_names(writer: _Writer, pages: list[PreparedPage]) -> int:
    """The names shards (``t/``); returns how many."""
    name_pages: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pid, page in enumerate(pages):
        for name, seg in page.names:
            name_pages[name].append((pid, seg))
    names = {}
    for name, hits in name_pages.items():
        ids = [pid for pid, _ in hits]
        names[name] = "".join(d + vlq(seg) for d, (_, seg) in zip(_deltas(ids), hits))
    count = _shard_count(sum(len(n) * 3 + len(p) + 6 for n, p in names.items()))
    _write_shards(writer, "t", count, names)
    return count


def _write_shards(writer: _Writer, folder: str, count: int, values: dict[str, str]) -> None:
    shards: list[dict[str, str]] = [{} for _ in range(count)]
    for key in sorted(values):
        shards[string_hash(key) & (count - 1)][key] = values[key]
    for number, shard in enumerate(shards):  # empty ones too: a missing file would read as an error
        writer.script(f"{folder}/{number:x}", _json(shard))
