"""SIGKILL during `index update` and `index rebuild` never leaves a mixed or broken index."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from assistant.retrieval.corpus import Corpus
from assistant.service import Assistant
from assistant.settings import Settings
from index import layout
from index.bm25 import STAMP
from index.pipeline import update
from tests.conftest import FIXTURES, SEED_ARTICLE, make_settings
from tests.servers import assistant_env
from tests.test_index import counts, expected_chunks

pytestmark = pytest.mark.slow


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
    return subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "index", command],
        cwd=settings.data_dir.parent,
        env=assistant_env(settings.docs_dir, settings.data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def manifest_meta(path: Path, key: str) -> str | None:
    """A committed value of a manifest's meta table, read as any other reader would."""
    try:
        with closing(sqlite3.connect(path, timeout=1)) as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def bm25_version(generation: layout.Generation) -> int | None:
    try:
        stamp = json.loads((generation.bm25_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return int(stamp["version"])


class Writer:
    """What an index writer has done so far, read from the index's own files."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.old = layout.current(data)
        self.old_version = manifest_meta(self.old.manifest_path, "version") if self.old else None
        self.chroma = layout.chroma_dir(data) / "chroma.sqlite3"
        self.chroma_before = self._chroma_state()
        self.existing = set(data.glob("gen-*"))  # leftovers of earlier rounds are not it

    def _chroma_state(self) -> tuple[int, int] | None:
        try:
            info = self.chroma.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size

    def generation(self) -> layout.Generation | None:
        """The generation being written: a new folder for a rebuild, else the live one."""
        made = []
        for folder in set(self.data.glob("gen-*")) - self.existing:
            try:
                made.append((folder.stat().st_mtime_ns, folder))
            except FileNotFoundError:  # removed between the listing and the look
                continue
        if made:
            root = max(made)[1]
            collection = root / "collection"
            name = collection.read_text(encoding="utf-8") if collection.exists() else ""
            return layout.Generation(root=root, collection=name)
        return self.old

    def reached(self, point: str) -> bool:
        target = self.generation()
        if target is None or not target.manifest_path.exists():
            return False
        version = manifest_meta(target.manifest_path, "version")
        match point:
            case "embedding started":  # the writer marked its work pending
                return manifest_meta(target.manifest_path, "pending") == "1"
            case "vectors written":
                return self._chroma_state() != self.chroma_before
            case "manifest committed":
                return version is not None and version != self.old_version
            case "BM25 saved":
                return version is not None and bm25_version(target) == int(version)
            case "switched":
                live = layout.current(self.data)
                return live is not None and (self.old is None or live.root != self.old.root)
        raise ValueError(point)


POINTS = {
    "update": ["embedding started", "vectors written", "manifest committed", "BM25 saved"],
    "rebuild": ["embedding started", "vectors written", "manifest committed", "switched"],
}


def kill_at(process: subprocess.Popen, writer: Writer, point: str) -> bool:
    """SIGKILL `process` as soon as the index shows `point`; False if it finished first."""
    deadline = time.monotonic() + 300
    while process.poll() is None and time.monotonic() < deadline:
        if writer.reached(point):
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
            return True
        time.sleep(0.005)
    process.wait()
    return False


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
def test_sigkill_at_each_step_leaves_old_or_new_index(docs: Path, tmp_path: Path, command: str):
    settings = make_settings(docs, tmp_path / "index")
    held_back = tmp_path / "held-back.md"
    killed = []
    for point in POINTS[command]:
        # Each round starts from an index missing one article, so there is work to cut short.
        (docs / "item-7.md").rename(held_back)
        update(settings)
        held_back.rename(docs / "item-7.md")
        writer = Writer(settings.data_dir)
        if kill_at(start(command, settings), writer, point):
            killed.append(point)
        assert assert_consistent(settings) in {8, 9}, f"a partial index after {point}"
    # The early steps take seconds (loading the model, embedding): those kills must land.
    assert killed[:2] == POINTS[command][:2], f"killed at {killed}"
    report = update(settings)
    assert report.ok
    n = expected_chunks(settings)
    assert counts(settings) == (9, n, n, n)
    assert len(list((tmp_path / "index").glob("gen-*"))) <= 2
