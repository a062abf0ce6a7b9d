"""Published files that are not readable budget PDFs get a SourceError naming the file and saying why.

The fixtures in fixtures/bad/ are written by fixtures/bad/make_fixtures.py (a few hundred bytes each).
"""
import json
import subprocess
import sys

import pytest

from portal.errors import SourceError
from portal.reading import read_bytes
from tests.conftest import ROOT
from tests.fixtures.bad.make_fixtures import fixtures, sample_pages, text_pdf

BAD = ROOT / "tests" / "fixtures" / "bad"


def error_of(name: str) -> SourceError:
    with pytest.raises(SourceError) as info:
        read_bytes((BAD / name).read_bytes(), name)
    error = info.value
    assert error.path == name and str(error).startswith(f"{name}: ")
    return error


def test_fixtures_match_their_generator():
    assert {name: (BAD / name).read_bytes() for name in fixtures()} == fixtures()


def test_scanned_pdf_asks_for_ocr():
    error = error_of("scanned.pdf")
    assert "no text layer" in error.message and "OCR" in error.message


def test_encrypted_pdf():
    error = error_of("encrypted.pdf")
    assert "encrypted" in error.message and "password" in error.message


def test_encrypted_fixture_opens_with_its_password():
    """The fixture really is an encrypted PDF (user password 'secret'), not just a broken file."""
    import pdfplumber

    with pdfplumber.open(BAD / "encrypted.pdf", password="secret") as pdf:
        assert "General public budget" in pdf.pages[0].extract_text()


def test_truncated_pdf():
    """pdfminer cannot open a PDF cut short (no xref, no trailer, last object cut): the whole file is refused."""
    error = error_of("truncated.pdf")
    assert "damaged or truncated" in error.message and "download it again" in error.message


def test_empty_pdf():
    assert (BAD / "empty.pdf").stat().st_size == 0
    assert "empty" in error_of("empty.pdf").message


def test_random_bytes_named_pdf():
    assert "not a PDF" in error_of("not-a-pdf.pdf").message


def test_html_page_named_pdf_is_read_as_html():
    pytest.importorskip("portal.reading.html")
    extract = read_bytes((BAD / "really-html.pdf").read_bytes(), "really-html.pdf")
    assert extract.format == "html"
    assert "really-html.pdf" in extract.warnings[0] and "HTML" in extract.warnings[0]
    assert any("100.00" in line.text for line in extract.lines)


READ_IN_CHILD = """
import json, resource, sys, time
import pdfplumber
from portal.reading import read_bytes
from portal.reading import pdf  # noqa: F401  (imported before the baseline)
data = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
extract = read_bytes(data, "long.pdf")
seconds = time.perf_counter() - started
after = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"pages": extract.pages, "warnings": extract.warnings, "seconds": seconds,
                  "growth_mib": (after - before) / 1024, "texts": [line.text for line in extract.lines]}))
"""


def test_520_page_pdf_is_read_in_bounded_memory(tmp_path):
    """Pages are freed once read: the peak RSS of the reading process (or of a worker) grows ~20 MiB."""
    path = tmp_path / "long.pdf"
    path.write_bytes(text_pdf(sample_pages(520)))
    done = subprocess.run([sys.executable, "-c", READ_IN_CHILD, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["pages"] == 520 and result["warnings"] == []
    assert "Total page 1 15.75" in result["texts"] and "Total page 520 8,190.00" in result["texts"]
    assert not any("page 7 of 520" in text for text in result["texts"])  # the running header is dropped
    assert result["growth_mib"] < 60, result["growth_mib"]
