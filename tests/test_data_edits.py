"""Hand edits to data files are never silently overwritten; a broken data file is reported by file, line and key."""
import pytest

from portal import datafile, pipeline
from portal.config import load_config
from portal.errors import DataError
from tests.conftest import run_cli

NAME = "004_4af22ce2ea009a26"


def cli(project, *args):
    return run_cli(*args, "--config", project / "config.yaml", cwd=project)


def edit_cell(path):
    """Correct a cell by hand: 2024年收支预算总表's 科学技术支出 5,237.42 (source line 294) → 5237.43."""
    text = path.read_text(encoding="utf-8")
    assert text.count("5237.42") >= 1
    path.write_text(text.replace("四、科学技术支出, 5237.42", "四、科学技术支出, 5237.43", 1), encoding="utf-8")
    assert "5237.43" in path.read_text(encoding="utf-8")


def test_edit_survives_parse_of_unchanged_and_changed_source(project):
    config = load_config(project / "config.yaml")
    data = config.data_dir / f"{NAME}.yaml"
    source = config.sources_dir / f"{NAME}.txt"
    edit_cell(data)
    edited = data.read_text(encoding="utf-8")

    outcome = pipeline.parse_sources(config).outcomes[4]
    assert outcome.status is pipeline.Status.KEPT_EDIT and data.read_text(encoding="utf-8") == edited

    source.write_text(source.read_text(encoding="utf-8") + "\n附：本文件于公开后补充说明。\n", encoding="utf-8")
    result = cli(project, "parse")
    assert result.returncode == 0
    assert f"{NAME}.yaml was edited by hand: kept your edits" in result.stderr and "--force" in result.stderr
    assert data.read_text(encoding="utf-8") == edited

    site = pipeline.build(config)
    page = (config.output_dir / "departments" / "jiang-han-qu-ke-xue-ji-shu-he-jing-ji-xin-xi-hua-ju" / "2024-budget"
            / "index.html").read_text(encoding="utf-8")
    assert site.written and "5,237.43" in page  # the corrected value is what readers see

    result = cli(project, "parse", "--force", str(source))
    assert result.returncode == 0 and "5237.43" not in data.read_text(encoding="utf-8")
    assert not datafile.is_hand_edited(data.read_text(encoding="utf-8"))


def test_the_header_is_read_whatever_a_person_does_around_it(project):
    """The checksum covers exactly what follows the header's comment lines: a comment added above it, or the
    file saved with Windows line ends, still tells where it came from, and only the second is an edit."""
    text = (project / "content" / "data" / f"{NAME}.yaml").read_text(encoding="utf-8")
    origin = datafile.recorded_origin(text)
    assert origin[1] == pipeline.PARSER_VERSION and not datafile.is_hand_edited(text)
    commented = "# checked against the printed copy, 2024-05-02\n" + text
    assert datafile.recorded_origin(commented) == origin and not datafile.is_hand_edited(commented)
    windows = text.replace("\n", "\r\n")
    assert datafile.recorded_origin(windows) == origin and datafile.is_hand_edited(windows)
    assert datafile.read_data(windows, "x.yaml") == datafile.read_data(text, "x.yaml")


def test_unchanged_files_are_skipped(project):
    result = cli(project, "parse")
    assert result.returncode == 0 and "0 parsed, 5 unchanged" in result.stdout


@pytest.mark.parametrize("change, line, words", [
    (("year: 2024", "year: 二〇二四"), 8, ["year", "is not of type 'integer'"]),
    (("kind: budget\n", "kind: budget_plan\n"), 9, ["kind", "budget_plan", "is not one of"]),
    (("department: 江汉区科学技术和经济信息化局\n", ""), 5, ["'department' is a required property"]),
    # a wrong type or slug where the build looks for every document's address first: the same clear error
    (("department: 江汉区科学技术和经济信息化局\n", "department: 123\n"), 7, ["department", "is not of type 'string'"]),
    (("kind: budget\n", "kind: budget\nslug: ../../up\n"), 10, ["slug", "does not match"]),
    (("unit: 万元\n", "unit: 万\n", ), None, ["unit", "is not one of"]),
    (("year: 2024", "year: [2024"), None, ["YAML syntax error"]),
    (("year: 2024\n", "year: 2024\nyear: 2025\n"), 9, ["'year' is given twice (lines 8 and 9)"]),
])
def test_schema_errors_name_file_line_and_key(project, change, line, words):
    data = project / "content" / "data" / f"{NAME}.yaml"
    text = data.read_text(encoding="utf-8")
    assert change[0] in text
    data.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        datafile.load_document(data)
    message = str(info.value)
    assert message.startswith(f"{data}:")
    if line:
        assert info.value.line == line, message
    for word in words:
        assert word in message
    result = cli(project, "build")
    assert result.returncode == 1 and f"{NAME}.yaml:{info.value.line}" in result.stderr and "Traceback" not in result.stderr
    assert len(list((project / "site" / "departments").glob("*/*/index.html"))) == 4  # the others are built


def test_amounts_load_as_exact_decimals(project):
    doc = datafile.load_document(project / "content" / "data" / f"{NAME}.yaml")
    table = next(t for t in doc.tables if t.title == "2024年收支预算总表")
    total = next(r for r in table.rows if r[0] == "收入总计")
    assert str(total[1]) == "5511.89" and type(total[1]).__name__ == "Decimal"
