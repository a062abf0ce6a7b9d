"""Everything from a document is untrusted: payloads in every place a document can put text stay inert."""
import json
import shutil
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from portal import pipeline
from portal.config import load_config
from portal.datafile import dump_document
from portal.model import Evaluation, Section
from portal.parsing import parse_bytes
from tests.conftest import ROOT, documents_of

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}"
JS_LINK = "javascript:alert(1)"
PAYLOAD = f"{SCRIPT}{IMG}{TEMPLATE}"

DOCUMENT = f"""测试局{PAYLOAD} 2024 年部门预算

第一部分 概况

一、主要职能

本部门负责{PAYLOAD}以及基本支出管理。

收支总表

单位：万元

项目\t预算数
一、一般公共预算拨款收入{PAYLOAD}\t100.00
收入总计\t100.00

第四部分 名词解释

（一）基本支出：指{PAYLOAD}的支出，见 {JS_LINK}。
"""

EVALUATION = f"""武汉市测试局 2018 年{PAYLOAD}专项绩效自评报告

一、项目基本概况

我局专项经费 2018 年度整体预算为 10 万元,实际支出 5 万元,预算完成率 50%。{PAYLOAD}
"""

PAGE = f"""# 关于{PAYLOAD}

正文 {PAYLOAD} [点我]({JS_LINK}) <a href="{JS_LINK}">raw</a> <iframe src="x"></iframe>
"""


class Elements(HTMLParser):
    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    (root / "content" / "sources").mkdir(parents=True)
    (root / "content" / "pages").mkdir()
    (root / "content" / "sources" / "bad.txt").write_text(DOCUMENT, encoding="utf-8")
    (root / "content" / "sources" / "eval.txt").write_text(EVALUATION, encoding="utf-8")
    (root / "content" / "pages" / "about.md").write_text(PAGE, encoding="utf-8")
    (root / "config.yaml").write_text(f"title: '站点{PAYLOAD}'\n", encoding="utf-8")
    shutil.copytree(ROOT / "templates", root / "templates")
    # The parser turns HTML in sources into text; a hand-edited data file can still hold raw markup.
    parsed = parse_bytes(DOCUMENT.encode(), "raw.txt")
    evaluation = Evaluation(project=PAYLOAD, line=1, budget=None, actual=None, completion_rate=None, unit="万元",
                            sections=[Section(heading=PAYLOAD, level=2, paragraphs=[PAYLOAD], line=1)])
    # the glossary entry is that of a classification code: the row with the code links its name to it
    raw = replace(parsed, department_slug="raw", department=PAYLOAD,
                  glossary=[replace(parsed.glossary[0], definition=PAYLOAD, code="201")], evaluations=[evaluation])
    raw.sections[-1].paragraphs.append(PAYLOAD)
    raw.tables[0].header.append([PAYLOAD, None])
    raw.tables[0].rows.extend([[PAYLOAD, None], ["201", PAYLOAD]])
    (root / "content" / "data").mkdir()
    (root / "content" / "data" / "raw.yaml").write_text(dump_document(raw), encoding="utf-8")
    report = pipeline.build(load_config(root / "config.yaml"))
    assert report.errors == [], report.errors
    return root / "site", report


def test_payloads_reach_the_data(hostile_site):
    site, report = hostile_site
    assert next(d for d in report.documents if d.source_file == "raw.txt").department == PAYLOAD
    doc = next(d for d in documents_of(load_config(site.parent / "config.yaml")) if d.source.file == "bad.txt")
    assert "<script>" not in doc.department and "alert(1)" in doc.department  # tags in sources become text
    assert any("alert(1)" in str(c) for t in doc.tables for r in t.rows for c in r)
    assert any("alert(1)" in g.definition for g in doc.glossary)


def test_payloads_render_as_inert_text(hostile_site):
    site, _ = hostile_site
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for tag, attrs in Elements(text).found:
            assert tag not in ("img", "iframe"), (page, tag)
            assert not any(name.startswith("on") for name in attrs), (page, tag, attrs)
            for name in ("href", "src", "action", "formaction"):
                assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (page, tag, attrs)
            if tag == "script":
                assert attrs.get("src", "").endswith((".js",)), (page, attrs)  # only our own external scripts
        assert "49" not in text.replace("2049", ""), page  # {{ 7*7 }} was never evaluated
    (raw,) = [p.read_text(encoding="utf-8") for p in (site / "departments" / "raw").glob("*/index.html")]
    assert raw.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6  # name, paragraph, heading, cell, glossary, report
    (coded,) = [tag for tag in Elements(raw).found if tag[0] == "a" and "classification" in tag[1].get("class", "")]
    assert coded[1]["title"] == PAYLOAD  # the classification's definition, as text in its tooltip


def strings(value):
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, dict)):
        for item in (value.values() if isinstance(value, dict) else value):
            yield from strings(item)


def test_search_index_holds_the_text_as_data_and_shows_it_as_text(hostile_site):
    site, _ = hostile_site
    files = sorted((site / "search").rglob("*.js"))
    payloads = []
    for path in files:  # each file is one call siteSearchData("<key>", <JSON>)
        text = path.read_text(encoding="utf-8")
        key = path.relative_to(site / "search").with_suffix("").as_posix()
        prefix = f'siteSearchData("{key}",'
        assert text.startswith(prefix) and text.rstrip().endswith(");"), path
        payloads.append(json.loads(text[len(prefix):text.rstrip().rindex(")")]))
    assert any(PAYLOAD in text for text in strings(payloads))  # the text is searchable, as JSON data …
    client = (ROOT / "templates" / "static" / "search.js").read_text(encoding="utf-8")
    assert "innerHTML" not in client and "insertAdjacentHTML" not in client and "eval(" not in client  # … shown as text
