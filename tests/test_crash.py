"""SIGKILL during `index update` and `index rebuild` never leaves a mixed or broken index."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.corpus import Corpus
from assistant.service import Assistant
from assistant.settings import Settings
from index import layout
from index.pipeline import update
from tests.conftest import FIXTURES, ROOT, SEED_ARTICLE, make_settings
from tests.test_index import counts, expected_chunks

pytestmark = pytest.mark.slow

KILL_AFTER = [0.5, 2.0, 3.5, 5.0, 7.0]  # seconds: imports, model load, embedding, commit


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / SEED_ARTICLE.name).write_text(SEED_ARTICLE.read_text(encoding="utf-8"))
    items = json.loads((FIXTURES / "multihop" / "corpus-sample.json").read_text())
    for i, item in enumerate(items):
        (folder / f"item-{i}.md").write_text(f"---\ntitle: {item['title']}\n---\n{item['body']}")
    return folder


def start(command: str, settings: Settings) -> subprocess.Popen:
    env = {
        **os.environ,
        "ASSISTANT_DOCS_DIR": str(settings.docs_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "index", command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_after(process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


def assert_consistent(settings: Settings) -> int:
    """The live index, if any, is whole: every listed chunk has a vector and answers come."""
    if layout.current(Path(settings.data_dir)) is None:
        return 0
    corpus = Corpus(settings)
    try:
        missing = set(corpus.chunks) - corpus.vectors.ids()
        assert not missing, f"{len(missing)} chunks listed without vectors"
        assert set(corpus.bm25.chunk_ids) == set(corpus.chunks)
        documents = len(corpus.documents)
    finally:
        corpus.close()
    if documents:
        answer = Assistant(settings).answer("Why is Russia engaging the Taliban?")
        assert answer.citations or answer.refused
    return documents


@pytest.mark.parametrize("command", ["update", "rebuild"])
def test_sigkill_at_any_moment_leaves_old_or_new_index(docs: Path, tmp_path: Path, command: str):
    settings = make_settings(docs, tmp_path / "index")
    if command == "rebuild":
        (docs / "item-7.md").rename(tmp_path / "held-back.md")
        update(settings)
        (tmp_path / "held-back.md").rename(docs / "item-7.md")
    seen = set()
    for seconds in KILL_AFTER:
        kill_after(start(command, settings), seconds)
        seen.add(assert_consistent(settings))
    assert seen <= {0, 8, 9}, f"a partial index was visible: {seen}"
    report = update(settings)
    assert report.ok
    n = expected_chunks(settings)
    assert counts(settings) == (9, n, n, n)
    assert len(list((tmp_path / "index").glob("gen-*"))) <= 2
