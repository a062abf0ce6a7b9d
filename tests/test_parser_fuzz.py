"""Property-based fuzzing: mutated sample documents either parse or raise the project's own error.

Never another exception, never a hang (each input gets a few seconds), and whatever parses writes a
data file that loads back to the same document. A plain test run tries a few inputs per property;
.ci/run sets FUZZ_EXAMPLES for the full count (and FUZZ_EXAMPLES=800 is a long local hunt).
"""
import os
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import datafile
from portal.errors import PortalError
from portal.parsing import parse_bytes

SOURCES = sorted((Path(__file__).resolve().parent.parent / "content" / "sources").glob("*.txt"))
TEXTS = [p.read_text(encoding="utf-8") for p in SOURCES]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SECONDS_PER_INPUT = 10
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
pytestmark = pytest.mark.slow


@contextmanager
def time_limit(seconds: int):
    def expire(*_):
        raise TimeoutError(f"parsing took more than {seconds} s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check(data: bytes) -> None:
    """The property: a Document that round-trips through YAML, or a PortalError; nothing else."""
    with time_limit(SECONDS_PER_INPUT):
        try:
            doc = parse_bytes(data, "fuzz.txt")
        except PortalError as error:
            assert str(error).startswith("fuzz.txt")
            return
        text = datafile.dump_document(doc)
    assert datafile.dump_document(doc) == text
    assert datafile.read_data(text, "fuzz.yaml") == doc


@st.composite
def mutated_lines(draw):
    lines = TEXTS[draw(st.integers(0, len(TEXTS) - 1))].split("\n")
    for _ in range(draw(st.integers(1, 8))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "tab", "long", "splice", "empty-cells"]))
        if action == "delete":
            del lines[i:i + draw(st.integers(1, 40))]
        elif action == "duplicate":
            lines[i:i] = lines[i:i + draw(st.integers(1, 40))]
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "tab":
            lines[i] = draw(st.sampled_from(["\t", "\t\t\t", lines[i] + "\t", "\t" + lines[i]]))
        elif action == "long":
            lines[i] = lines[i] * draw(st.integers(50, 400))
        elif action == "splice":
            lines[i] = lines[i][: len(lines[i]) // 2] + draw(st.text(max_size=30)) + lines[i][len(lines[i]) // 2:]
        else:
            lines[i] = "\t".join([""] * draw(st.integers(2, 40)))
    return "\n".join(lines)


@FUZZ
@given(mutated_lines())
def test_mutated_lines(text):
    check(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(mutated_lines(), st.sampled_from(["\r\n", "\r", "\n", "\f\n", "\n\f"]), st.booleans(), st.sampled_from(["utf-8", "gbk", "gb18030"]))
def test_line_endings_bom_and_encodings(text, ending, bom, encoding):
    body = text.replace("\n", ending)
    data = body.encode(encoding, "replace")
    check((b"\xef\xbb\xbf" if bom and encoding == "utf-8" else b"") + data)


@FUZZ
@given(st.integers(0, len(TEXTS) - 1), st.floats(0, 1), st.binary(max_size=200))
def test_truncated_files_and_random_bytes(index, fraction, noise):
    data = TEXTS[index].encode("utf-8")
    cut = data[: int(len(data) * fraction)]
    check(cut)
    check(cut + noise)
    check(noise)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("\t\n 一二三（）()、：:第部分名词解释表单位万元0123456789.,%-合计类款项")), max_size=3000))
def test_document_shaped_noise(text):
    check(("某局 2024 年部门预算\n" + text).encode("utf-8"))
