"""A rebuild that carries unchanged pages over gives, byte for byte, the site a clean build gives."""
import re
import shutil
from pathlib import Path

import pytest

from portal import parallel, pipeline, writer
from portal.config import load_config
from tests.conftest import copy_project

SOURCE = "002_4e54a5785d908060"  # 武汉市商务局 2018 专项绩效自评报告


def files_of(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def change_source(root):  # the department name in one source document
    edit(root / "content" / "sources" / f"{SOURCE}.txt", "武汉市商务局 2018", "武汉市商务局（修订） 2018")


def change_data(root):  # a hand correction in one data file
    edit(root / "content" / "data" / "004_4af22ce2ea009a26.yaml", "四、科学技术支出, 5237.42", "四、科学技术支出, 5237.43")


def change_term(root):  # a glossary definition: the merged glossary is made again, not carried over
    edit(root / "content" / "data" / "001_94911db390345feb.yaml", "指区级财政一般公共预算当年拨付的资金。",
         "指区级财政一般公共预算当年拨付给本部门的资金。")


def rename_department(root):
    edit(root / "content" / "data" / "000_728f300858c0887a.yaml", "department: ", "department: 更名后的")


def delete_document(root):
    (root / "content" / "sources" / f"{SOURCE}.txt").unlink()
    (root / "content" / "data" / f"{SOURCE}.yaml").unlink()


def retitle_page(root):  # the title is in every page's menu
    edit(root / "content" / "pages" / "about.md", "# ", "# 修订：")


def change_page_text(root):  # only its own page shows the text
    page = root / "content" / "pages" / "about.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新增的一段说明。\n", encoding="utf-8")


def change_template(root):
    edit(root / "templates" / "department.html", "<h1>", '<h1 class="changed">')


def change_config(root):
    (root / "config.yaml").write_text("title: 新的站点名称\n", encoding="utf-8")


# change, and whether every department page must be rendered again
CHANGES = [(change_source, False), (change_data, False), (change_term, False), (rename_department, False), (delete_document, False),
           (change_page_text, False), (retitle_page, True), (change_template, True), (change_config, True)]


@pytest.mark.parametrize("change, everything", CHANGES, ids=[c.__name__ for c, _ in CHANGES])
def test_incremental_rebuild_equals_a_clean_build(tmp_path, change, everything):
    root = copy_project(tmp_path / "incremental")
    config = load_config(root / "config.yaml")
    first = pipeline.build(config)
    assert first.written and first.rendered == 5
    assert pipeline.build(config).up_to_date  # nothing changed: nothing done

    change(root)
    again = pipeline.build(load_config(root / "config.yaml"))
    assert again.written and again.errors == []
    assert (again.rendered == len(again.documents)) == everything, again.summary()

    clean = tmp_path / "clean"
    clean.mkdir()
    for name in ("content", "templates"):
        shutil.copytree(root / name, clean / name)
    shutil.copy(root / "config.yaml", clean / "config.yaml")
    fresh = pipeline.build(load_config(clean / "config.yaml"))
    assert fresh.rendered == len(fresh.documents)
    assert files_of(root / "site") == files_of(clean / "site")


def test_a_build_on_every_core_gives_the_site_a_build_in_one_process_gives(tmp_path, monkeypatch):
    """With many documents, parsing, checking the sources, reading identities and pinyin, and rendering are done
    in worker processes: the same site, byte for byte, as when everything is done in the build's own process."""
    sites = []
    for name, parallel_from in (("one", 1_000_000), ("every", 2)):
        monkeypatch.setattr(parallel, "PARALLEL_FROM", parallel_from)
        root = copy_project(tmp_path / name)
        shutil.rmtree(root / "content" / "data")  # parsed too
        result = pipeline.build(load_config(root / "config.yaml"))
        assert result.written and result.rendered == 5 and result.errors == []
        sites.append(files_of(root / "site"))
    assert sites[0] == sites[1]


def test_a_deleted_site_is_built_again_in_full(tmp_path):
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    pipeline.build(config)
    shutil.rmtree(config.output_dir)
    again = pipeline.build(config)
    assert again.written and again.rendered == 5 and (config.output_dir / "index.html").is_file()


def test_a_damaged_build_cache_is_rebuilt(tmp_path):
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    pipeline.build(config)
    for cached in config.build_cache_dir.rglob("*.pickle"):
        cached.write_bytes(b"not a pickle")
    change_data(root)
    again = pipeline.build(config)
    assert again.written and again.rendered == 5 and again.errors == []


def test_a_lost_page_summary_renders_that_page_again(tmp_path):
    """The manifest keeps each page's summary in a file of its own (.cache/build/summaries): a page whose
    file is gone is rendered again, the others are carried over, and the site is the one a clean build gives."""
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    pipeline.build(config)
    summaries = sorted((config.build_cache_dir / "summaries").glob("*.pickle"))
    assert len(summaries) == 5
    summaries[0].unlink()
    change_page_text(root)
    again = pipeline.build(config)
    assert again.written and again.rendered == 1 and again.errors == []
    assert len(list((config.build_cache_dir / "summaries").glob("*.pickle"))) == 5
    clean = copy_project(tmp_path / "clean")
    change_page_text(clean)
    pipeline.build(load_config(clean / "config.yaml"))
    assert files_of(root / "site") == files_of(clean / "site")


def test_a_build_that_finds_the_site_up_to_date_reads_no_page_summary(tmp_path):
    """What the report counts comes from the manifest (buildcache.PageRef): a province's thousands of page
    summaries are read back only by a build that renders."""
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    first = pipeline.build(config)
    shutil.rmtree(config.build_cache_dir / "summaries")
    again = pipeline.build(config)
    counts = re.compile(r", [\d.]+ s \(.*\)$")
    assert again.up_to_date and counts.sub("", again.summary()) == counts.sub("", first.summary())


def test_a_new_parser_version_parses_every_unedited_document_again(tmp_path, monkeypatch):
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    pipeline.build(config)
    assert {o.status for o in pipeline.parse_sources(config).outcomes} == {pipeline.Status.UNCHANGED}
    monkeypatch.setattr(pipeline, "PARSER_VERSION", pipeline.PARSER_VERSION + 1)
    assert {o.status for o in pipeline.parse_sources(config).outcomes} == {pipeline.Status.PARSED}


def test_a_build_that_fails_at_its_swap_puts_the_moved_folders_back(tmp_path, monkeypatch):
    """Unchanged document folders are moved (not copied) into the new site just before the swap: if the
    swap fails, they go back, and the previous site is as it was."""
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    pipeline.build(config)
    before = files_of(root / "site")
    change_data(root)

    def failing_swap(new, output):
        assert len(list((new / "departments").glob("*/*/index.html"))) == 5  # the four moved in, and the new one
        raise OSError("disk full")
    monkeypatch.setattr(pipeline, "swap_in", failing_swap)
    with pytest.raises(OSError):
        pipeline.build(config)
    assert files_of(root / "site") == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".site")] == []


def test_a_build_killed_before_its_swap_is_recovered_by_the_next(tmp_path):
    """A build that stopped between moving folders into its staging folder and the swap (killed): the next
    build first moves them back, then gives the site a clean build gives."""
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    pipeline.build(config)
    folders = sorted(str(p.parent.relative_to(root / "site")) for p in (root / "site" / "departments").glob("*/*/index.html"))
    staging = writer.staging_folder(config.output_dir)
    writer.move_in(staging, config.output_dir, folders[:3])  # ... and the process dies here
    assert len(list((root / "site" / "departments").glob("*/*/index.html"))) == 2
    change_data(root)
    assert pipeline.build(load_config(root / "config.yaml")).rendered == 1  # the others were recovered, not rendered
    assert [p.name for p in root.iterdir() if p.name.startswith(".site-new")] == []  # (-old: deleted in the background)
    clean = copy_project(tmp_path / "clean")
    change_data(clean)
    pipeline.build(load_config(clean / "config.yaml"))
    assert files_of(root / "site") == files_of(clean / "site")


def test_a_preview_build_thrown_away_leaves_the_manifest_it_started_from(tmp_path):
    """The preview keeps the manifest in memory and throws away a build with errors: that manifest must
    still describe the site being served (its search index files above all), or the next build would
    link files whose bytes are not what it thinks."""
    root = copy_project(tmp_path / "project")
    config = load_config(root / "config.yaml")
    manifest = pipeline.build(config).manifest
    files, blocks = dict(manifest.search.files), dict(manifest.search.blocks)
    change_data(root)
    broken = root / "content" / "data" / "000_728f300858c0887a.yaml"
    good = broken.read_text(encoding="utf-8")
    broken.write_text(good + "\n: [unclosed\n", encoding="utf-8")
    failed = pipeline.build(config, keep_previous_on_error=True, manifest=manifest)
    assert failed.errors and not failed.written and failed.manifest is manifest
    assert (manifest.search.files, manifest.search.blocks) == (files, blocks)
    broken.write_text(good, encoding="utf-8")
    fixed = pipeline.build(config, keep_previous_on_error=True, manifest=manifest)
    assert fixed.written and fixed.errors == []
    clean = copy_project(tmp_path / "clean")
    change_data(clean)
    pipeline.build(load_config(clean / "config.yaml"))
    assert files_of(root / "site") == files_of(clean / "site")
