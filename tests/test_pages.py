"""What the built sample site's pages promise a reader, each against the source documents: anchors made from
what they point to, a table of contents that names repeated forms by project, the small things (icon, a
三公经费 stated as zero, a collection of reports titled as such), charts that draw the tables' own figures,
and open data that existing tools can load."""
import csv
import io
import re
from decimal import Decimal

import pytest

from portal import pipeline
from portal.config import load_config
from portal.departments import Address
from portal.figures import figures
from portal.views import document_view
from tests.conftest import DOC_001, DOC_002, copy_project, pages_of

JIANGHAN = "departments/jiang-han-qu-ke-xue-ji-shu-he-jing-ji-xin-xi-hua-ju/index.html"
ECONOMY_2024 = "departments/wu-han-shi-jing-ji-he-xin-xi-hua-ju/2024-budget/index.html"


def read(config, path: str) -> str:
    return (config.output_dir / path).read_text(encoding="utf-8")


def test_every_page_names_its_icon(sample_site):
    config, _ = sample_site
    for page in config.output_dir.rglob("*.html"):
        icon = re.search(r'<link rel="icon" href="([^"]+)"', page.read_text(encoding="utf-8"))
        assert icon and (page.parent / icon.group(1)).resolve().is_file(), page  # no request for a missing /favicon.ico


def test_a_sangong_the_document_states_as_zero_shows_as_zero(sample_site):
    config, _ = sample_site
    index = read(config, "index.html")
    row = index[index.index(f'<th scope="row"><a href="{JIANGHAN}"'):]
    row = row[:row.index("</tr>")]
    # 004 line 211: 2024年一般公共预算安排“三公”经费预算0万元 (its 三公 table, line 474, has no rows)
    assert row.rstrip().endswith('<td class="num" data-value="0"><span class="amount">0</span> <span class="unit">万元</span></td>')


def test_a_collection_of_reports_is_titled_as_one(sample_site):
    config, _ = sample_site
    page = read(config, DOC_002)
    # 002 holds 16 project reports, the first titled 武汉市商务局 2018 年专项资金评审经费专项绩效自评报告 (line 1)
    assert '<p class="doc-title">武汉市商务局 2018 年专项绩效自评报告（16 个项目）</p>' in page
    assert "招商工作经费" in page[page.index('id="toc"'):page.index("</nav>", page.index('id="toc"'))]  # line 443


def test_anchors_name_what_they_point_to_and_survive_a_table_removed_before_them(tmp_path):
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    assert pipeline.build(config).written
    page = read(config, DOC_001)
    for anchor in ('id="附表5"', 'id="附表5-2010301"', 'id="附表3-合计"', 'id="term-基本支出"',
                   'id="长期绩效目标表-安全生产工作经费"'):  # 附表5 line 233; the forms of lines 548 ff. by project
        assert anchor in page, anchor
    # a hand edit drops 附表1 (收支总表): every other anchor keeps pointing at the same table and row
    data = root / "content" / "data" / "001_94911db390345feb.yaml"
    text = data.read_text(encoding="utf-8")
    start = text.index("- id: t01\n")
    data.write_text(text[:start] + text[text.index("- id: t02\n"):], encoding="utf-8")
    assert pipeline.build(config).written
    page = read(config, DOC_001)
    assert 'id="附表1"' not in page
    section = page[page.index('id="附表5"'):]
    assert section.index("一般公共预算支出表") < 200 and 'id="附表5-2010301"' in section


def test_repeated_forms_are_named_by_their_project_in_the_table_of_contents(sample_site):
    config, _ = sample_site
    page = read(config, DOC_001)
    toc = page[page.index('id="toc"'):page.index("</nav>", page.index('id="toc"'))]
    # 001's 部门项目申报表(含绩效目标) is printed for each project (项目名称 lines 549, 613, 675 …)
    for project in ("综合管理工作经费", "安全生产工作经费", "招商引资专项经费"):
        assert f"年度绩效目标表：{project}</a>" in toc
    assert toc.count(">年度绩效目标表</a>") == 0


def chart_bars(html: str) -> list[tuple[str, str, str]]:
    """(row anchor, label, value as shown) of every linked bar of the page's charts."""
    return re.findall(r'<a href="#([^"]+)"><g class="chart-bar"><title>([^<]*)：([^<]*?) [^<]*</title>', html)


def row_cells(html: str, anchor: str) -> list[str]:
    row = html[html.index(f'<tr id="{anchor}"'):]
    return re.findall(r'<td class="num" data-value="[^"]*">([^<]*)</td>', row[:row.index("</tr>")])


def test_every_chart_draws_the_figures_its_table_prints(sample_site):
    config, report = sample_site
    checked = 0
    for doc, url in pages_of(config):
        html = read(config, url)
        for anchor, label, shown in chart_bars(html):
            assert shown in row_cells(html, anchor), (url, label, shown)  # the bar's figure is in its row
            checked += 1
        f = figures(doc)
        if f.basic and f.project:  # the share chart: the 支出总表's 基本支出 and 项目支出 of its total row
            view = document_view(doc, Address("", "", url))
            table = next(t for t in view.tables if t.table.id == f.basic.table)
            cells = table.rows[f.basic.row].cells
            for figure in (f.basic, f.project):
                assert cells[figure.column].value == figure.value
                assert f"{cells[figure.column].shown} 万元，" in html[html.index("基本支出与项目支出"):]
                checked += 1
    # 003's 表3 支出总表 (lines 194-222): six 类, 206 科学技术支出 14066.00 first; 三公 parts 42.75 / 47.00 / 7.60 (line 389)
    html = read(config, ECONOMY_2024)
    bars = [(label, shown) for _, label, shown in chart_bars(html)]
    assert bars[0] == ("206 科学技术支出", "14,066.00") and ("公务接待费", "7.60") in bars
    assert checked > 20


def test_each_document_says_whether_its_figures_add_up(sample_site):
    config, _ = sample_site
    # 003 adds up (tests/test_checks.py, verified by hand); 002 prints 1,202,32 for a budget (line 158)
    assert "：全部相符。" in read(config, ECONOMY_2024)
    checks = read(config, DOC_002)[read(config, DOC_002).index('id="checks"'):]
    assert "<strong>1 处不符</strong>" in checks and "1,202,32" in checks
    report = read(config, "checks/index.html")
    assert "1 处不符" in report and "商务发展研究工作经费" in report


def test_a_department_page_draws_its_latest_document_and_links_each_bar_to_its_row(sample_site):
    config, _ = sample_site
    department = "departments/wu-han-shi-jing-ji-he-xin-xi-hua-ju/"
    html = read(config, department + "index.html")
    bars = re.findall(r'<a href="([^"#]+)#([^"]+)"><g class="chart-bar"><title>([^<]*)：([^<]*?) [^<]*</title>', html)
    assert len(bars) == 9  # 003's six 类 (表3, lines 195-222) and three 三公 parts (表7, line 389)
    for page, anchor, label, shown in bars:
        assert page == "2024-budget/index.html"
        assert shown in row_cells(read(config, department + page), anchor), (label, shown)


def test_index_charts_set_the_departments_side_by_side(sample_site):
    config, _ = sample_site
    index = read(config, "index.html")
    spending = index[index.index("各部门支出总计"):index.index("各部门“三公”经费")]
    # 支出总计 of each department's latest document: 003 101516.15 (line 264), 001 45084.94 (line 137) …
    values = re.findall(r"<title>[^<]*：([^<]*) 万元</title>", spending)
    assert values[:2] == ["101,516.15", "45,084.94"]


def test_the_published_data_package_is_valid_and_its_csv_opens_with_chinese_and_codes_as_text(sample_site):
    frictionless = pytest.importorskip("frictionless")
    config, _ = sample_site
    report = frictionless.validate(str(config.output_dir / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]
    data = (config.output_dir / DOC_001.replace("index.html", "t03.csv")).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel shows the Chinese
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["科目编码", "科目名称", "合计"]
    # 附表3 line 167: 2010301 行政运行 535.83 535.83 0.00; codes as text (a leading-zero code would survive)
    row = next(r for r in rows if r[0] == "2010301")
    assert row[:5] == ["2010301", "行政运行", "535.83", "535.83", "0.00"]
    assert Decimal(row[2]) == Decimal("535.83")
