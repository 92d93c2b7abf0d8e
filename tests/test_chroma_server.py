"""The index in a real Chroma server (`chroma run` on 127.0.0.1): indexing and answering."""

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.service import Assistant
from index.pipeline import update
from index.store import chroma_client
from tests.conftest import SEED_ARTICLE, make_settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    executable = Path(sys.executable).with_name("chroma")
    if not executable.exists():
        executable = Path(shutil.which("chroma") or "chroma")
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    server = subprocess.Popen(
        [str(executable), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.fail("chroma run did not start listening within 60 s")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_index_and_answer_through_a_chroma_server(chroma_server: int, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SEED_ARTICLE.name).write_text(SEED_ARTICLE.read_text(encoding="utf-8"))
    settings = make_settings(
        docs, tmp_path / "index", chroma_host="127.0.0.1", chroma_port=chroma_server
    )
    report = update(settings)
    assert report.ok and report.documents == 1
    assert not (tmp_path / "index" / "chroma").exists()  # the vectors live in the server
    collections = [c.name for c in chroma_client(settings).list_collections()]
    assert len(collections) == 1 and collections[0].startswith("news-")
    answer = Assistant(settings).answer("Why is Russia engaging the Taliban?")
    assert not answer.refused and answer.citations
    text = SEED_ARTICLE.read_text(encoding="utf-8").strip()
    assert all(text[c.start : c.end] == c.passage for c in answer.citations)

    (docs / SEED_ARTICLE.name).unlink()
    assert update(settings).removed == [SEED_ARTICLE.name]
    collection = chroma_client(settings).get_collection(collections[0])
    assert collection.count() == 0


def test_unreachable_server_says_how_to_fix_it(tmp_path: Path):
    settings = make_settings(
        tmp_path, tmp_path / "index", chroma_host="127.0.0.1", chroma_port=free_port()
    )
    (tmp_path / "a.txt").write_text("Some text about the news of the day, long enough to index.")
    with pytest.raises(RuntimeError, match="Cannot reach the Chroma server"):
        update(settings)
