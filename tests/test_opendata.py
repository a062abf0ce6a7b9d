"""Open data downloads (portal/opendata.py): CSV per table, JSON per document, datapackage.json.

Two samples and one corpus PDF are published into a temporary site as the renderer would, the package is
validated with the `frictionless` library, and the CSVs are read back with the csv module. Expected figures
were read by hand from the sources: content/sources/*.txt for the samples, `pdftotext -layout` of the PDF
pages for the corpus document (page numbers below).
"""
import csv
import io
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import frictionless
import pytest

from portal import opendata, urls
from portal.datafile import read_data
from portal.model import Table
from tests.conftest import corpus_document

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "content" / "data").glob("*.yaml"))
BUDGET_001 = "001_94911db390345feb"  # 武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算
BUDGET_004 = "004_4af22ce2ea009a26"  # 江汉区科学技术和经济信息化局 2024 年预算
AUDIT = "suzhou-audit-2026-budget.pdf"  # 苏州市审计局 2026 年度部门预算


def resources_of(doc, folder):
    return opendata.resources(doc, folder, [opendata.table_csv(t) for t in doc.tables])


def sample(stem: str):
    path = ROOT / "content" / "data" / f"{stem}.yaml"
    return read_data(path.read_text(encoding="utf-8"), str(path))


FOLDERS = {BUDGET_001: f"departments/{BUDGET_001}/2024-budget", BUDGET_004: f"departments/{BUDGET_004}/2024-budget",
           AUDIT: "departments/suzhou-audit/2026-budget"}


def publish(site: Path, docs: dict, title: str = "预算公开数据") -> Path:
    """The files as the site has them: each document's CSVs and JSON in its folder, one datapackage.json."""
    resources = []
    for key, doc in docs.items():
        folder = site / FOLDERS[key]
        folder.mkdir(parents=True)
        for table in doc.tables:
            (folder / urls.table_csv(table.id)).write_bytes(opendata.table_csv(table))
        (folder / "data.json").write_text(opendata.document_json(doc), encoding="utf-8", newline="\n")
        resources.append(resources_of(doc, FOLDERS[key]))
    descriptor = site / "datapackage.json"
    descriptor.write_bytes(opendata.package(title, resources))
    return descriptor


def assert_valid(descriptor: Path) -> frictionless.Report:
    report = frictionless.validate(str(descriptor))
    problems = [f"{task.name}: {error.message}" for task in report.tasks for error in task.errors]
    problems += [error.message for error in report.errors]
    assert report.valid, "\n".join(problems)
    return report


@pytest.fixture(scope="module")
def docs():
    return {BUDGET_001: sample(BUDGET_001), BUDGET_004: sample(BUDGET_004), AUDIT: corpus_document(AUDIT)}


@pytest.fixture(scope="module")
def site(tmp_path_factory, docs):
    root = tmp_path_factory.mktemp("site")
    publish(root, docs)
    return root


def read_csv(site: Path, key: str, table_id: str) -> list[list[str]]:
    with open(site / FOLDERS[key] / f"{table_id}.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def row_of(rows: list[list[str]], first: str) -> dict[str, str]:
    """The row whose first cell is ``first``, by column name."""
    header = rows[0]
    [row] = [r for r in rows[1:] if r[0] == first]
    return dict(zip(header, row))


def table(doc, table_id: str) -> Table:
    [found] = [t for t in doc.tables if t.id == table_id]
    return found


# ---------------------------------------------------------------- the package

def test_the_package_of_two_samples_and_a_corpus_pdf_is_valid(site, docs):
    report = assert_valid(site / "datapackage.json")
    assert len(report.tasks) == sum(len(d.tables) for d in docs.values())
    # every row of every CSV was checked against its schema (an empty table has no "rows" count)
    checked = {task.name: task.stats.get("rows", 0) for task in report.tasks}
    expected = {f"{FOLDERS[key]}/{t.id}".replace("/", "-"): len(t.rows) for key, d in docs.items() for t in d.tables}
    assert checked == expected


def test_resources_describe_each_table(site, docs):
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    assert package["title"] == "预算公开数据" and package["name"] == "budget-open-data"
    assert "licenses" not in package
    by_path = {r["path"]: r for r in package["resources"]}
    assert [r["path"] for r in package["resources"]] == sorted(by_path)
    t05 = by_path[f"departments/{BUDGET_001}/2024-budget/t05.csv"]
    assert t05["name"] == f"departments-{BUDGET_001}-2024-budget-t05"
    assert t05["title"] == "一般公共预算支出表"
    assert t05["encoding"] == "utf-8-sig"
    for word in ("武汉经济技术开发区智能制造产业园管理办公室", "2024", "部门预算", "万元"):
        assert word in t05["description"]
    types = {f["name"]: f["type"] for f in t05["schema"]["fields"]}
    assert types == {"科目编码": "string", "科目名称": "string", "合计": "number", "基本支出 / 小计": "number",
                     "基本支出 / 人员经费": "number", "基本支出 / 公用经费": "number", "项目支出": "number"}
    # 附表11 政府采购预算表 is printed in 元
    assert "单位：元" in by_path[f"departments/{BUDGET_001}/2024-budget/t11.csv"]["description"]
    audit = by_path["departments/suzhou-audit/2026-budget/t02.csv"]
    assert "苏州市审计局 2026 年部门预算" in audit["description"] and "原文第 10 页" in audit["description"]


def test_the_package_is_the_same_whatever_order_the_workers_finish_in(docs):
    resources = [resources_of(d, FOLDERS[key]) for key, d in docs.items()]
    assert opendata.package("预算", resources) == opendata.package("预算", resources[::-1])
    assert json.loads(opendata.package("Wuhan budgets 2024", resources))["name"] == "wuhan-budgets-2024"
    # one folder's name the start of another's ("-" sorts before "/"): still every path in order
    doc = docs[BUDGET_004]
    nested = [resources_of(doc, f"departments/a/2024-budget{end}") for end in ("", "-2", "-10")]
    paths = [r["path"] for r in json.loads(opendata.package("预算", nested))["resources"]]
    assert paths == sorted(paths) and len(paths) == 3 * len(doc.tables)


def test_a_document_listed_twice_is_refused(docs):
    doc = docs[BUDGET_004]
    with pytest.raises(ValueError, match="share a name"):
        opendata.package("预算", [resources_of(doc, "x")] * 2)


# ---------------------------------------------------------------- CSV read back

def test_csv_bytes_have_a_bom_and_crlf(site, docs):
    data = (site / FOLDERS[BUDGET_001] / "t05.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\xe7\xa7\x91\xe7\x9b\xae")  # BOM, then 科目
    assert data.count(b"\r\n") == len(table(docs[BUDGET_001], "t05").rows) + 1 and b"\n" not in data.replace(b"\r\n", b"")


def test_sample_function_codes_and_amounts(site):
    # content/sources/001….txt, 附表5 一般公共预算支出表 (万元): "2010301 行政运行 535.83 535.83 535.83 0.00 0.00"
    # and the 合计 row "45,084.94 1,122.86 888.47 234.39 43,962.08"
    rows = read_csv(site, BUDGET_001, "t05")
    assert rows[0] == ["科目编码", "科目名称", "合计", "基本支出 / 小计", "基本支出 / 人员经费", "基本支出 / 公用经费", "项目支出"]
    row = row_of(rows, "2010301")
    assert row["科目名称"] == "行政运行"
    assert Decimal(row["合计"]) == Decimal("535.83") and row["基本支出 / 公用经费"] == "0.00"
    [total] = [r for r in rows if r[1] == "合计"]
    assert total == ["", "合计", "45084.94", "1122.86", "888.47", "234.39", "43962.08"]  # no thousands separators
    assert row_of(rows, "201")["科目名称"] == "一般公共服务支出"


def test_sample_leading_zero_unit_codes_stay_text(site):
    # content/sources/001….txt, 附表11 政府采购预算表 (元): "043 武汉经济技术开发区智能制造产业园管理办公室 … 693000.00"
    # and "043001 …本级 不可预见公用经费 [C21040000]物业管理服务 … 693000.00"; its column-number row (1 … 14) is left out
    rows = read_csv(site, BUDGET_001, "t11")
    assert rows[0][:2] == ["单位代码", "单位名称"] and rows[0][11] == "采购金额 / 采购金额合计(元)"
    assert row_of(rows, "043")["单位名称"] == "武汉经济技术开发区智能制造产业园管理办公室"
    row = row_of(rows, "043001")
    assert row["政府采购品目"] == "[C21040000]物业管理服务"
    assert Decimal(row["采购金额 / 采购金额合计(元)"]) == Decimal("693000.00")


def test_second_sample_blank_cells_stay_empty(site):
    # content/sources/004….txt, 2024年支出预算总表: "208 社会保障和就业支出 113.75 113.75" with 项目支出 blank
    row = row_of(read_csv(site, BUDGET_004, "t02"), "208")
    assert row["科目名称"] == "社会保障和就业支出"
    assert Decimal(row["合计"]) == Decimal("113.75") == Decimal(row["基本支出"])
    assert row["项目支出"] == ""


def test_corpus_pdf_codes_and_amounts(site):
    # page 10, 公开02表 收入总表: "024 苏州市审计局 4,651.67 4,651.67 4,651.67" (then "024001 苏州市审计局 …")
    income = read_csv(site, AUDIT, "t02")
    assert income[0][:4] == ["部门代码", "部门名称", "合计", "本年收入 / 小计"]
    assert row_of(income, "024")["部门名称"] == "苏州市审计局"
    assert Decimal(row_of(income, "024001")["合计"]) == Decimal("4651.67")
    # page 11, 公开03表 支出总表: "2010801 行政运行 2,342.00 2,342.00", "208 社会保障和就业支出 442.09 442.09"
    spending = read_csv(site, AUDIT, "t03")
    assert Decimal(row_of(spending, "2010801")["基本支出"]) == Decimal("2342.00")
    assert row_of(spending, "2010801")["科目名称"] == "行政运行"
    assert Decimal(row_of(spending, "208")["合计"]) == Decimal("442.09")


def test_an_empty_table_is_its_header_only(docs):
    # 附表8 政府性基金预算支出表 is printed empty in sample 001
    empty = table(docs[BUDGET_001], "t08")
    assert empty.empty and not empty.rows
    text = opendata.table_csv(empty).decode("utf-8-sig")
    assert text.count("\r\n") == 1 and text.startswith("科目编码,")


# ---------------------------------------------------------------- JSON

@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_json_keeps_every_sample_amount_exactly(path):
    doc = read_data(path.read_text(encoding="utf-8"), str(path))
    text = opendata.document_json(doc)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text == opendata.document_json(doc)
    data = json.loads(text)
    assert (data["department"], data["year"], data["kind"]) == (doc.department, doc.year, doc.kind)
    assert len(data["tables"]) == len(doc.tables)
    for got, t in zip(data["tables"], doc.tables):
        assert got["unit"] == t.unit and got["title"] == t.title
        for got_rows, rows in ((got["header"], t.header), (got["rows"], t.rows)):
            assert len(got_rows) == len(rows)
            for got_row, row in zip(got_rows, rows):
                assert got_row == [{"decimal": str(c)} if isinstance(c, Decimal) else c for c in row]
    for got, e in zip(data["evaluations"], doc.evaluations):
        assert [got["budget"], got["actual"], got["completion_rate"]] == [
            None if v is None else str(v) for v in (e.budget, e.actual, e.completion_rate)]
        assert got["unit"] == e.unit


def test_json_amounts_read_by_hand(docs):
    # 附表5 of sample 001: 合计 45,084.94; the 2010301 row's 公用经费 printed "0.00" (precision kept)
    data = json.loads(opendata.document_json(docs[BUDGET_001]))
    [t05] = [t for t in data["tables"] if t["id"] == "t05"]
    assert t05["unit"] == "万元"
    [total] = [r for r in t05["rows"] if r[1] == "合计"]
    assert total[2] == {"decimal": "45084.94"}
    [row] = [r for r in t05["rows"] if r[0] == "2010301"]
    assert row[:2] == ["2010301", "行政运行"] and row[5] == {"decimal": "0.00"}


def test_json_of_a_performance_evaluation():
    # content/sources/002….txt: "专项资金评审经费 … 预算金额为 67 万元 … 实际支出 51. 26 万元, 预算完成率 76. 51%"
    evaluation = json.loads(opendata.document_json(sample("002_4e54a5785d908060")))["evaluations"][0]
    assert (evaluation["budget"], evaluation["actual"], evaluation["completion_rate"]) == ("67", "51.26", "76.51")


# ---------------------------------------------------------------- awkward cells

def crafted() -> Table:
    return Table(
        id="t01", title="测试表", unit="万元", line=1,
        header=[["项目", "金额, \"含税\"\n（万元）", None], [None, "本年", "上年"]],
        rows=[
            ["=SUM(A1:A9)", Decimal("1.50"), Decimal("-3.50")],
            ["@cmd", Decimal("0.00"), None],
            ["+1+1", Decimal("2"), Decimal("10000.00")],
            ["-", Decimal("1E+2"), Decimal("0.10")],
            ["-5%", None, Decimal("7")],
            ["行一\n行二", Decimal("3.00"), Decimal("4.00")],
        ])


def test_crafted_header_and_formula_cells(tmp_path):
    t = crafted()
    with io.StringIO(opendata.table_csv(t).decode("utf-8-sig"), newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["项目", '金额, "含税" （万元） / 本年', '金额, "含税" （万元） / 上年']
    # formula-like text gets a leading apostrophe; a bare dash and a percentage stay as they are
    assert [r[0] for r in rows[1:]] == ["'=SUM(A1:A9)", "'@cmd", "'+1+1", "-", "-5%", "行一\n行二"]
    assert rows[1][1:] == ["1.50", "-3.50"] and rows[4][1:] == ["100", "0.10"]  # never "1E+2"
    assert rows[5][1:] == ["", "7"]

    resources = [resources_of(_one_table_doc(t), "departments/test/2024-budget")]
    assert [f["type"] for f in json.loads(resources[0].descriptors)["schema"]["fields"]] == ["string", "number", "number"]
    folder = tmp_path / "departments" / "test" / "2024-budget"
    folder.mkdir(parents=True)
    (folder / "t01.csv").write_bytes(opendata.table_csv(t))
    (tmp_path / "datapackage.json").write_bytes(opendata.package("测试", resources))
    assert_valid(tmp_path / "datapackage.json")
    # the JSON keeps the text as printed
    data = json.loads(opendata.document_json(_one_table_doc(t)))
    assert data["tables"][0]["rows"][0][0] == "=SUM(A1:A9)"


def test_column_names_are_unique_and_never_empty():
    t = Table(id="t02", title="重名", unit=None, line=1, header=[["项目", "项目", None, "金额"]],
              rows=[["a", "b", "c", Decimal("1"), "extra"]])
    assert opendata.column_names(t) == ["项目", "项目 (2)", "第3列", "金额", "第5列"]
    no_header = Table(id="t03", title="表", unit=None, line=1, header=[], rows=[["a", Decimal("1")]])
    assert opendata.column_names(no_header) == ["第1列", "第2列"]


def test_real_formula_like_targets_are_defused():
    # quanzhou-market-monitoring-center page 23, 知创大厦…项目绩效目标表: 目标值 "=1 年", "=100%", "≤50%"
    doc = corpus_document("quanzhou-market-monitoring-center-2026-unit-budget.pdf")
    [t] = [t for t in doc.tables if t.title == "知创大厦泉州知识产权馆建设费用项目绩效目标表"]
    with io.StringIO(opendata.table_csv(t).decode("utf-8-sig"), newline="") as f:
        targets = [r[-1] for r in csv.reader(f)]
    assert "'=1年" in targets and "'=100%" in targets and "≤50%" in targets


def _one_table_doc(t: Table):
    return replace(sample(BUDGET_004), tables=[t])
