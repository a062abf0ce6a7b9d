"""Departments, not files: which department a document belongs to, where its pages are, and its years side by side."""
import re

import pytest

from portal import pipeline
from portal.config import load_config
from portal.departments import addresses, department_key, pinyin_slug, plain_name
from tests.conftest import add_second_year, copy_project

ECONOMY = "departments/wu-han-shi-jing-ji-he-xin-xi-hua-ju"


def test_printed_forms_of_one_name_are_one_department():
    assert department_key("武汉市商务局（本级）") == department_key("武汉市 商务局本级") == department_key("武汉市商务局")
    assert department_key("ＸＸ局(机关)") == department_key("XX局")
    assert department_key("武汉市商务局") != department_key("武汉市商务厅")
    assert plain_name("武汉市商务局（本级）") == "武汉市商务局"
    assert pinyin_slug("武汉市商务局") == "wu-han-shi-shang-wu-ju"
    assert pinyin_slug("武汉东湖新技术开发区自贸改革创新局(商务外事局)").endswith("-ju-shang-wu-wai-shi-ju")


def test_addresses_are_stable_and_distinct():
    found = addresses({
        "a.yaml": {"department": "武汉市商务局", "year": 2018, "kind": "performance_evaluation"},
        "b.yaml": {"department": "武汉市商务局（本级）", "year": 2018, "kind": "performance_evaluation"},
        "c.yaml": {"department": "武汉市商务局", "year": 2019, "kind": "budget", "slug": "budget"},
        "d.yaml": {"department": "商务局", "year": 2019, "kind": "final_accounts", "department_slug": "wu-han-shi-shang-wu-ju"},
        "e.yaml": {"department": "另一个局", "year": 2019, "kind": "budget", "department_slug": "other"},
    })
    home = "departments/wu-han-shi-shang-wu-ju/"
    assert {found[f"{n}.yaml"].department_url for n in "abcd"} == {home + "index.html"}  # one department, four documents
    assert found["a.yaml"].url == home + "2018-performance-evaluation/index.html"
    assert found["b.yaml"].url == home + "2018-performance-evaluation-2/index.html"  # same year and kind: told apart
    assert found["c.yaml"].url == home + "budget/index.html"  # the data file's slug
    assert found["e.yaml"].url == "departments/other/2019-budget/index.html"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("years") / "project")
    add_second_year(root)
    config = load_config(root / "config.yaml")
    report = pipeline.build(config)
    assert report.errors == [], report.errors
    return config, report


def test_two_years_of_one_department_share_its_page_with_the_comparison(two_years):
    config, report = two_years
    page = (config.output_dir / ECONOMY / "index.html").read_text(encoding="utf-8")
    assert page.index("2025</span> 部门预算") < page.index("2024</span> 部门预算")  # its documents, newest first
    assert (config.output_dir / ECONOMY / "2025-budget" / "index.html").is_file()
    assert (config.output_dir / ECONOMY / "2024-budget" / "index.html").is_file()
    rows = {m.group(1): re.findall(r'<td class="num[^"]*"[^>]*>([^<]*)', m.group(2))
            for m in re.finditer(r'<th scope="row">([^<]+)</th>(.*?)</tr>', page, re.S)}
    assert rows["收入总计"] == ["101,516.15", "110,000.00", "+8,483.85（+8.4%）"]
    assert rows["“三公”经费"] == ["97.35", "90.00", "-7.35（-7.6%）"]
    assert rows["因公出国（境）费"] == ["42.75", "35.40", "-7.35（-17.2%）"]
    assert rows["公务接待费"] == ["7.60", "7.60", "0.00（0.0%）"]  # unchanged: the copy kept it
    assert rows["215 资源勘探工业信息等支出"][:2] == ["62,915.11", "62,915.11"]  # 类 rows, from 表3 支出总表 (line 215)


def test_the_index_lists_the_department_once_with_its_change(two_years):
    config, report = two_years
    index = (config.output_dir / "index.html").read_text(encoding="utf-8")
    row_start = f'<th scope="row"><a href="{ECONOMY}/index.html"'
    assert index.count(row_start) == 1  # one row for the department's two documents
    row = index[index.index(row_start):]
    row = row[:row.index("</tr>")]
    assert "2025 部门预算" in row and "2024 部门预算" in row
    assert 'data-value="8.4">+8.4%' in row  # sortable by the change of 支出总计
    assert len({d.department_key for d in report.documents}) == 5 and len(report.documents) == 6
