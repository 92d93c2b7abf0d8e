"""The watcher indexes files as they appear and drops them when they vanish."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.status import documents
from tests.conftest import SEED_ARTICLE, make_settings
from tests.servers import assistant_env

pytestmark = pytest.mark.slow

NEW_ARTICLE = """---
title: Storm closes mountain pass
source: Valley Courier
published: 2024-02-03
---
Heavy snow closed the Arlberg pass on Saturday. Officials said it would reopen on Monday.
"""


def wait_for(condition, seconds: float = 90.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_watcher_picks_up_new_and_removed_files(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SEED_ARTICLE.name).write_text(SEED_ARTICLE.read_text(encoding="utf-8"))
    settings = make_settings(docs, tmp_path / "index")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "index", "watch"],
        cwd=tmp_path,
        env=assistant_env(docs, tmp_path / "index"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_for(lambda: len(documents(settings)) == 1), "initial update did not run"
        (docs / "storm.md").write_text(NEW_ARTICLE)
        assert wait_for(lambda: len(documents(settings)) == 2), "new file was not indexed"
        titles = {d.title for d in documents(settings)}
        assert "Storm closes mountain pass" in titles
        (docs / "storm.md").unlink()
        assert wait_for(lambda: len(documents(settings)) == 1), "removed file stayed indexed"
    finally:
        watcher.terminate()
        output, _ = watcher.communicate(timeout=30)
    assert "1 added" in output and "1 removed" in output
