"""Bad input gets a clear message naming the file and line, never a traceback; the other documents go on."""
from decimal import Decimal
import shutil

import pytest

from portal import parallel, pipeline
from portal.config import load_config
from portal.errors import SourceError, TemplateError
from portal.parsing import parse_bytes, parse_file
from tests.conftest import ROOT, run_cli as cli

SAMPLE = ROOT / "content" / "sources" / "001_94911db390345feb.txt"


def error_of(data: bytes, name="doc.txt") -> SourceError:
    with pytest.raises(SourceError) as info:
        parse_bytes(data, name)
    return info.value


def test_empty_file():
    error = error_of(b"  \n\n")
    assert error.path == "doc.txt" and "empty" in error.message


def test_binary_file_names_the_line():
    error = error_of("标题 2024 年部门预算\n第二行\n".encode() + b"\x00\x01\x02PK\x03\x04")
    assert "binary" in error.message and error.line == 3


def test_gbk_file_is_read_with_a_warning():
    doc = parse_bytes(SAMPLE.read_text(encoding="utf-8").encode("gbk"), "gbk.txt")
    assert doc.department == "武汉经济技术开发区智能制造产业园管理办公室"
    assert any("GB18030/GBK" in w and w.startswith("line 3:") for w in doc.warnings)  # first non-ASCII line


def test_undecodable_bytes():
    error = error_of(b"title line\n" + bytes(range(128, 256)) * 4)
    assert "not UTF-8" in error.message and error.line == 2


def test_a_document_stating_nothing_about_itself_is_read_with_warnings():
    doc = parse_bytes("一些说明文字。\n\n收入\t100.00\n".encode(), "某单位材料.txt")
    assert doc.department == "某单位材料" and doc.year == 0 and doc.kind == "budget"
    assert any("department" in w and "file name" in w for w in doc.warnings)
    assert any("year" in w for w in doc.warnings) and any("kind" in w for w in doc.warnings)
    assert doc.sections[0].paragraphs == ["一些说明文字。"]


def test_truncated_document_is_reported():
    text = SAMPLE.read_text(encoding="utf-8")
    cut = text[:text.index("附表3") + 400]  # stops in the middle of 附表3 (line 157), long before 名词解释
    doc = parse_bytes(cut.encode(), "cut.txt")
    assert any("truncated" in w and "第四部分" in w for w in doc.warnings)
    assert any("last table row" in w for w in doc.warnings)


def test_row_with_too_many_cells_is_reported_with_its_line():
    text = "某局 2024 年部门预算\n\n支出总表\n\n单位：万元\n\n科目编码\t科目名称\t合计\n201\t一般公共服务支出\t10.00\n20101\t人大事务\t10.00\t99.00\textra\n"
    doc = parse_bytes(text.encode(), "wide.txt")
    assert any(w.startswith("line 9:") and "5 cells" in w and "header has 3" in w for w in doc.warnings)
    assert doc.tables[0].rows[1] == ["20101", "人大事务", Decimal("10.00"), Decimal("99.00"), "extra"]  # kept, not dropped


@pytest.mark.parametrize("name, content", [("bad.txt", b""), ("bad.txt", b"\x00\x00binary"),
                                           ("bad.txt", bytes(range(128, 256)) * 4), ("bad.pdf", b"%PDF-1.4\n%broken")])
def test_cli_reports_file_and_reason_without_traceback(tmp_path, name, content):
    source = tmp_path / name
    source.write_bytes(content)
    result = cli("parse", source, "-o", tmp_path / "out.yaml")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {source}") and "Traceback" not in result.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_cli_parse_one_document(tmp_path):
    result = cli("parse", SAMPLE, "-o", tmp_path / "out.yaml")
    assert result.returncode == 0 and (tmp_path / "out.yaml").exists()


def test_one_broken_document_does_not_stop_the_others(project):
    (project / "content" / "sources" / "zz_broken.txt").write_bytes(b"\x00\x01 not a document")
    shutil.rmtree(project / "content" / "data")
    result = cli("build", "--config", project / "config.yaml", cwd=project)
    assert result.returncode == 1
    assert "zz_broken.txt" in result.stderr and "binary" in result.stderr and "Traceback" not in result.stderr
    pages = sorted(p.parent.name for p in (project / "site" / "departments").glob("*/index.html"))
    assert len(pages) == 5 and "zz_broken" not in pages
    assert len(list((project / "content" / "data").glob("*.yaml"))) == 5


def test_a_failed_render_leaves_the_previous_site(project):
    config = load_config(project / "config.yaml")
    assert pipeline.build(config).written
    index = (project / "site" / "index.html").read_bytes()
    template = project / "templates" / "document.html"
    template.write_text(template.read_text(encoding="utf-8").replace("{{ d.department }} <span", "{{ doc.no_such_key }} <span"),
                        encoding="utf-8")
    result = cli("build", "--config", project / "config.yaml", cwd=project)
    assert result.returncode == 1 and "document.html:" in result.stderr and "Traceback" not in result.stderr
    assert (project / "site" / "index.html").read_bytes() == index
    assert len(list((project / "site" / "departments").glob("*/index.html"))) == 5
    assert not [p for p in project.iterdir() if p.name.startswith(".site-")]  # no staging folder left behind


def test_a_template_error_in_a_worker_process_is_reported_like_any_other(project, monkeypatch):
    # Pages are rendered in worker processes from PARALLEL_FROM documents on: the error has to cross back.
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 2)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 2)
    (project / "templates" / "document.html").write_text("{% extends 'no-such-base.html' %}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        pipeline.build(load_config(project / "config.yaml"))
    assert "no-such-base.html" in str(info.value) and info.value.path.endswith("document.html")
    assert not (project / "site").exists()


def test_template_syntax_error_names_file_and_line(project):
    (project / "templates" / "glossary.html").write_text("{% extends 'base.html' %}\n{% block main %}\n{% if %}\n{% endblock %}\n",
                                                        encoding="utf-8")
    result = cli("build", "--config", project / "config.yaml", cwd=project)
    assert result.returncode == 1 and "glossary.html:3" in result.stderr and "Traceback" not in result.stderr


def test_bad_config_is_a_usage_error(tmp_path):
    (tmp_path / "config.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    result = cli("build", "--config", tmp_path / "config.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "config.yaml" in result.stderr and "Traceback" not in result.stderr
    (tmp_path / "config.yaml").write_text("titel: typo\n", encoding="utf-8")
    result = cli("build", "--config", tmp_path / "config.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "unknown setting(s): titel" in result.stderr
    # a setting given twice: YAML readers keep one or the other, so the person is told, not guessed for
    (tmp_path / "config.yaml").write_text("title: 预算公开\nbase_url: https://a.example/\ntitle: 部门预算\n",
                                          encoding="utf-8")
    result = cli("build", "--config", tmp_path / "config.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "config.yaml:3: 'title' is given twice (lines 1 and 3): keep one" in result.stderr


def test_missing_source_is_reported(tmp_path):
    with pytest.raises(SourceError) as info:
        parse_file(tmp_path / "missing.txt")
    assert "cannot read" in info.value.message and info.value.path.endswith("missing.txt")


def test_documents_above_the_size_limit_are_refused(monkeypatch):
    from portal import reading
    monkeypatch.setattr(reading, "MAX_BYTES", 1000)
    error = error_of(SAMPLE.read_bytes())
    assert "refused" in error.message and "MiB" in error.message


def test_a_line_with_thousands_of_cells_is_capped_without_losing_text():
    text = "某局 2024 年部门预算\n\n支出总表\n\n单位：万元\n\n科目编码\t科目名称\t合计\n201\t一般公共服务支出\t10.00\n"
    doc = parse_bytes((text + "\t".join(str(i) for i in range(5000)) + "\n").encode(), "wide.txt")
    (table,) = doc.tables
    assert all(len(r) == 100 for r in table.rows)
    assert table.rows[-1][-1].split("\t")[-1] == "4999"  # nothing dropped
    assert any(w.startswith("line 9:") and "5000 cells" in w for w in doc.warnings)
