"""The GitHub Actions workflow passes a schema check and zizmor's security audit (both offline)."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"


def tool(name: str) -> str:
    path = shutil.which(name) or str(Path(sys.executable).with_name(name))
    if not Path(path).exists():
        pytest.fail(f"{name} is not installed: pip install -r requirements-dev.txt")
    return path


def test_workflow_matches_the_github_workflow_schema():
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert files
    result = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_passes_zizmor_audit():
    result = subprocess.run([tool("zizmor"), "--offline", str(WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_deploys_pages_with_least_permissions():
    text = (WORKFLOWS / "site.yml").read_text(encoding="utf-8")
    assert "permissions:\n  contents: read" in text  # the default for every job
    assert text.count("pages: write") == 1 and text.count("id-token: write") == 1  # only the deploy job
    for action in ("actions/configure-pages@", "actions/upload-pages-artifact@", "actions/deploy-pages@"):
        assert action in text
    assert "persist-credentials: false" in text
    assert "group: pages" in text and "cancel-in-progress: false" in text  # one deployment at a time
    assert "bash .ci/run" in text  # the same tests as CI


def test_every_action_is_pinned_by_commit():
    text = (WORKFLOWS / "site.yml").read_text(encoding="utf-8")
    uses = re.findall(r"uses:\s*(\S+)", text)
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{ref}: pin actions by full commit SHA"
