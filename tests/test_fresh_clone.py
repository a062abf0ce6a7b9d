"""A clean clone of the committed tree builds the sample site: nothing depends on untracked files.

(.ci/run goes further on CI: it runs the README's install commands on a fresh machine.)
"""
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(not (ROOT / ".git").exists() or not shutil.which("git"), reason="needs a git checkout")
def test_clean_clone_builds_the_sample_site(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True, timeout=120)
    result = subprocess.run([sys.executable, "build.py", "build"], cwd=clone, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "5 departments" in result.stdout and "0 errors" in result.stdout
    index = (clone / "site" / "index.html").read_text(encoding="utf-8")
    assert index.count('<th scope="row"><a href="departments/') == 5  # a row per department
    # the committed data files are current: building parsed nothing again and changed none of them
    status = subprocess.run(["git", "status", "--porcelain", "content"], cwd=clone, capture_output=True, text=True)
    assert status.stdout == ""
