"""The index in a real Chroma server (`chroma run` on 127.0.0.1): indexing and answering."""

from pathlib import Path

import pytest

from assistant.service import Assistant
from index.pipeline import update
from index.store import chroma_client
from tests.conftest import SEED_ARTICLE, make_settings
from tests.servers import free_port

pytestmark = pytest.mark.slow


def test_index_and_answer_through_a_chroma_server(chroma_server: int, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SEED_ARTICLE.name).write_text(SEED_ARTICLE.read_text(encoding="utf-8"))
    settings = make_settings(
        docs,
        tmp_path / "index",
        chroma_host="127.0.0.1",
        chroma_port=chroma_server,
        collection_prefix="answering",  # the server is shared with other tests' indexes
    )
    report = update(settings)
    assert report.ok and report.documents == 1
    assert not (tmp_path / "index" / "chroma").exists()  # the vectors live in the server
    served = [c.name for c in chroma_client(settings).list_collections()]
    collections = [name for name in served if name.startswith("answering-")]
    assert len(collections) == 1
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
