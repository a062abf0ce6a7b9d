"""What was read from a PDF is kept by checksum, so parsing it again (a new parser, --force) does not read it."""
from __future__ import annotations

import pytest

from portal.parsing import parse_file
from portal.reading import cache, pdf
from tests.conftest import ROOT

PDF = ROOT / "tests" / "corpus" / "guangzhou-govservice-data-2026-overall-performance-targets.pdf"


class ReadAgain(Exception):
    pass


def no_reading(*args):
    raise ReadAgain


def test_a_kept_extract_is_used_and_gives_the_same_document(tmp_path, monkeypatch):
    first = parse_file(PDF, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == 1
    monkeypatch.setattr(pdf, "read_pdf", no_reading)
    assert parse_file(PDF, cache_dir=tmp_path) == first


def test_a_new_reader_version_reads_again(tmp_path, monkeypatch):
    parse_file(PDF, cache_dir=tmp_path)
    monkeypatch.setattr(cache, "READER_VERSION", cache.READER_VERSION + 1)
    monkeypatch.setattr(pdf, "read_pdf", no_reading)
    with pytest.raises(ReadAgain):
        parse_file(PDF, cache_dir=tmp_path)


def test_a_damaged_cache_file_is_ignored(tmp_path):
    first = parse_file(PDF, cache_dir=tmp_path)
    (kept,) = tmp_path.glob("*.json")
    kept.write_text("{not json", encoding="utf-8")
    assert parse_file(PDF, cache_dir=tmp_path) == first
