"""Faults: a Chroma server that goes away, a damaged manifest, and kill -9 under a live serve."""

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.faults import IndexDamaged, StoreUnavailable
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.web import library
from assistant.web.library import status_line
from assistant.web.ui import chat
from index import layout
from index.pipeline import rebuild, update
from tests.conftest import FIXTURES, SEED_ARTICLE, make_settings
from tests.servers import assistant_command, assistant_env, chroma_server, free_port, serve

pytestmark = pytest.mark.slow

QUESTION = "Why is Russia engaging the Taliban?"
REBUILD = "`assistant index rebuild`"


def seed_docs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    return folder


def test_a_stopped_chroma_server_is_explained_and_answering_resumes(tmp_path: Path) -> None:
    docs, data, port = seed_docs(tmp_path / "docs"), tmp_path / "index", free_port()
    settings = make_settings(docs, data, chroma_host="127.0.0.1", chroma_port=port)
    server_env = {"ASSISTANT_CHROMA_HOST": "127.0.0.1", "ASSISTANT_CHROMA_PORT": str(port)}
    with serve(docs, data, **server_env) as served:
        client, assistant = Client(served.url, verbose=False), Assistant(settings)
        with chroma_server(tmp_path / "chroma", port):
            assert update(settings).documents == 1
            assert client.predict(QUESTION, api_name="/ask")[1]
            assert assistant.answer(QUESTION).citations
        # The Chroma server is gone; serve and the assistant keep running and say so.
        with pytest.raises(AppError, match=f"Chroma server at 127.0.0.1:{port} is not answering"):
            client.predict(QUESTION, api_name="/ask")
        *_, (history, sources, _) = chat(assistant, QUESTION, [])
        assert "is not answering" in history[-1]["content"] and sources == ""
        with pytest.raises(StoreUnavailable, match="without restarting"):
            assistant.answer(QUESTION)
        with pytest.raises(StoreUnavailable, match="Cannot reach the Chroma server"):
            Assistant(settings).answer(QUESTION)  # one that never reached it
        upload = tmp_path / "note.txt"
        upload.write_text("The harbour reopened on Monday after the storm had passed.")
        message = library.upload(settings, [(upload, "note.txt")])
        assert "the index was not updated: Cannot reach the Chroma server" in message
        with chroma_server(tmp_path / "chroma", port):
            text, cited = client.predict(QUESTION, api_name="/ask")
            assert cited and "[1]" in text
            assert assistant.answer(QUESTION).citations
        assert served.process.poll() is None


def _truncate_to_nothing(path: Path) -> None:
    path.write_bytes(b"")


def _truncate_to_a_third(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def _edit(sql: str) -> Callable[[Path], None]:
    def edit(path: Path) -> None:
        with sqlite3.connect(path) as db:
            db.execute(sql)
        db.close()

    edit.__name__ = sql
    return edit


DAMAGES = [
    _truncate_to_nothing,
    _truncate_to_a_third,
    _edit("UPDATE documents SET text = replace(text, 'Russia', 'Ruritania')"),
    _edit("UPDATE chunks SET end = end + 100000"),
    _edit("DELETE FROM documents"),
    _edit("DELETE FROM chunks WHERE seq = 0"),
    _edit("DELETE FROM meta"),
]


@pytest.mark.parametrize("damage", DAMAGES, ids=lambda d: d.__name__)
def test_a_damaged_manifest_is_named_and_rebuild_is_offered(
    damage: Callable[[Path], None], seeds_settings: Settings, tmp_path: Path
) -> None:
    settings = seeds_settings.model_copy(update={"data_dir": tmp_path / "index"})
    shutil.copytree(seeds_settings.data_dir, settings.data_dir)
    generation = layout.current(settings.data_dir)
    assert generation is not None
    for leftover in generation.root.glob("manifest.sqlite-*"):
        leftover.unlink()  # the write-ahead log would otherwise restore what was cut
    damage(generation.manifest_path)

    with pytest.raises(IndexDamaged, match=REBUILD):
        Assistant(settings).answer(QUESTION)
    *_, (history, _, _) = chat(Assistant(settings), QUESTION, [])
    assert REBUILD in history[-1]["content"]
    assert REBUILD in status_line(settings).replace("\\", "")  # shown escaped, as typed
    assert rebuild(settings).documents == 1
    assert Assistant(settings).answer(QUESTION).citations


def test_a_damaged_pointer_is_named_and_rebuild_recovers(
    seeds_settings: Settings, tmp_path: Path
) -> None:
    settings = seeds_settings.model_copy(update={"data_dir": tmp_path / "index"})
    shutil.copytree(seeds_settings.data_dir, settings.data_dir)
    (settings.data_dir / layout.POINTER).write_text('{"folder": ')
    with pytest.raises(IndexDamaged, match=REBUILD):
        Assistant(settings).answer(QUESTION)
    assert rebuild(settings).documents == 1
    assert Assistant(settings).answer(QUESTION).citations


def news_docs(folder: Path) -> Path:
    """The seed article and eight news items, one Markdown file each."""
    seed_docs(folder)
    items = json.loads((FIXTURES / "multihop" / "corpus-sample.json").read_text())
    for i, item in enumerate(items):
        (folder / f"item-{i}.md").write_text(f"---\ntitle: {item['title']}\n---\n{item['body']}")
    return folder


def kill_during(command: str, docs: Path, data: Path, seconds: float) -> None:
    process = subprocess.Popen(
        assistant_command("index", command),
        cwd=data.parent,
        env=assistant_env(docs, data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


NEW_QUESTION = "How did the Houston Astros cheat in 2017?"


def assert_answers_from_whole_documents(client: Client, docs: Path) -> list[str]:
    """Every cited passage is the text of a file in the docs folder; returns the cited files."""
    files = []
    for question in [QUESTION, "Who is Zamir Kabulov?", NEW_QUESTION]:
        text, sources = client.predict(question, api_name="/ask")
        assert text
        for source in sources:
            assert source["passage"] in (docs / source["file"]).read_text(encoding="utf-8")
            files.append(source["file"])
    return files


def test_sigkill_of_index_writers_under_a_live_serve(tmp_path: Path) -> None:
    docs, data = news_docs(tmp_path / "docs"), tmp_path / "index"
    held = [docs / "item-6.md", docs / "item-7.md"]
    for path in held:  # the served index lacks these; the killed writers were adding them
        path.rename(tmp_path / path.name)
    assert update(make_settings(docs, data)).documents == 7
    for path in held:
        (tmp_path / path.name).rename(path)
    with serve(docs, data) as served:
        client = Client(served.url, verbose=False)
        assert "item-6.md" not in assert_answers_from_whole_documents(client, docs)
        for command, seconds in [
            ("update", 2.0),
            ("update", 5.0),
            ("rebuild", 3.0),
            ("rebuild", 6.0),
        ]:
            kill_during(command, docs, data, seconds)
            assert_answers_from_whole_documents(client, docs)
        assert update(make_settings(docs, data)).documents == 9
        assert "item-6.md" in assert_answers_from_whole_documents(client, docs)
        assert served.process.poll() is None
