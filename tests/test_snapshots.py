"""One consistent version of the index per question, while other processes change it."""

import gc
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from chromadb.api.shared_system_client import SharedSystemClient

from assistant.answering.citations import Answer
from assistant.errors import AssistantError, IndexChanged
from assistant.retrieval.corpus import IndexMismatch, VectorsMoved, index_embedding
from assistant.retrieval.retriever import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings
from index import layout
from index.pipeline import update
from index.store import chroma_client
from tests.conftest import SEED_ARTICLE, make_settings
from tests.servers import assistant_command, assistant_env

pytestmark = pytest.mark.slow

QUESTION = "Why is Russia engaging the Taliban?"
FLOOD = Path(__file__).parent / "fixtures" / "riverside-flood.md"


def update_elsewhere(settings: Settings) -> None:
    """`assistant index update` in another process, as `watch` or the shell would run it."""
    subprocess.run(
        assistant_command("index", "update"),
        env=assistant_env(settings.docs_dir, settings.data_dir),
        cwd=settings.data_dir.parent,
        check=True,
        capture_output=True,
        timeout=300,
    )


def files_let_go(folder: Path, seconds: float = 10.0) -> bool:
    """Whether this process holds nothing open inside `folder` within `seconds`: Chroma's
    connection pool closes its files on its own threads, a moment after its client closes."""
    deadline = time.monotonic() + seconds
    while open_files_under(folder):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def open_files_under(folder: Path) -> list[str]:
    """What this process holds open inside `folder`."""
    fds = Path("/proc/self/fd")
    held = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed while listing
        if target.startswith(str(folder)):
            held.append(target)
    return held


@pytest.fixture
def changing(tmp_path: Path) -> Settings:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED_ARTICLE, docs / SEED_ARTICLE.name)
    settings = make_settings(docs, tmp_path / "index")
    assert update(settings).documents == 1
    return settings


def test_a_question_keeps_its_version_while_another_assistant_moves_on(changing: Settings):
    first, second = Assistant(changing), Assistant(changing)
    with first.snapshot() as (held, embedder):
        shutil.copy(FLOOD, changing.docs_dir / FLOOD.name)
        update_elsewhere(changing)
        moved = second.answer("How much did the river rise overnight?")
        assert "4.2 metres" in moved.text and moved.snapshot != held.label
        # The question still in flight reads its own version, vectors included.
        passages = HybridRetriever(held, embedder, changing.retrieval).passages(QUESTION)
        assert passages and len(held.documents) == 1
        (doc_id,) = held.documents
        assert held.document_text(doc_id).startswith("Russia")
    assert not held.closed  # still this assistant's current version: nothing replaced it yet
    assert first.answer(QUESTION).snapshot == moved.snapshot
    assert held.closed  # replaced, and no question holds it any more


def test_versions_are_released_so_memory_stays_bounded(changing: Settings):
    assistant = Assistant(changing)
    flood = changing.docs_dir / FLOOD.name
    labels = set()
    for round in range(4):
        if round % 2:
            flood.unlink()
        else:
            shutil.copy(FLOOD, flood)
        update_elsewhere(changing)
        labels.add(assistant.answer(QUESTION).snapshot)
    assert len(labels) == 4
    assert len(assistant._live) == 1  # only the current version stays open
    views = [k for k in SharedSystemClient._identifier_to_system if str(changing.data_dir) in k]
    assert len(views) == 1  # the current version's: the writer closed its own
    assert open_files_under(changing.data_dir)
    assistant.close()
    assert files_let_go(changing.data_dir)  # closing lets every index file go
    assert not assistant._live
    assert assistant.answer(QUESTION).citations  # and asking again reopens the index
    del assistant  # dropped without close, as a notebook does: its files go with it
    gc.collect()
    assert files_let_go(changing.data_dir)


def test_an_answer_cites_the_text_of_the_version_it_was_written_from(changing: Settings):
    assistant = Assistant(changing)
    answer = None
    for item in assistant.events(QUESTION):
        if isinstance(item, Answer):
            answer = item
            # Between the answer and its sources panel, the article is edited elsewhere.
            article = changing.docs_dir / SEED_ARTICLE.name
            article.write_text("A different story altogether.\n" * 5, encoding="utf-8")
            update_elsewhere(changing)
            for citation in answer.citations:
                text = assistant.document_text(citation, answer.snapshot)
                assert text[citation.start : citation.end] == citation.passage
    assert answer is not None and answer.citations


def test_the_query_side_follows_the_embedder_the_index_was_built_with(
    seeds_settings: Settings,
):
    torch = seeds_settings.model_copy(update={"embed_backend": "torch"})
    assistant = Assistant(torch)
    answer = assistant.answer(QUESTION)
    assert answer.citations and not answer.refused
    with assistant.snapshot() as (corpus, _):
        assert index_embedding(torch, corpus.vector_record).embed_backend == "onnx-int8"


def test_an_index_from_an_unknown_model_says_what_differs_and_what_to_run(
    seeds_settings: Settings,
):
    with Assistant(seeds_settings).snapshot() as (corpus, _):
        record = {**corpus.vector_record, "embed_model": "bge-small-en"}
    with pytest.raises(IndexMismatch) as mismatch:
        index_embedding(seeds_settings, record)
    assert isinstance(mismatch.value, AssistantError)
    message = str(mismatch.value)
    assert "bge-small-en" in message and "all-MiniLM-L6-v2" in message
    assert "assistant index rebuild" in message


def test_a_question_whose_vectors_moved_is_answered_from_a_fresh_view(changing: Settings):
    assistant = Assistant(changing)
    before = assistant.answer(QUESTION)
    generation = layout.current(changing.data_dir)
    assert generation is not None
    with chroma_client(changing, fresh=True) as elsewhere:  # another writer's view
        # The collection is replaced under the open version, the manifest untouched.
        old = elsewhere.get_collection(generation.collection)
        kept = old.get(include=["embeddings", "metadatas", "documents"])
        elsewhere.delete_collection(generation.collection)
        # The version in hand lost its vectors...
        with pytest.raises(VectorsMoved), assistant.snapshot() as (held, embedder):
            HybridRetriever(held, embedder, changing.retrieval).passages(QUESTION)
        fresh = elsewhere.create_collection(generation.collection, metadata=old.metadata)
        fresh.add(
            ids=kept["ids"],
            embeddings=kept["embeddings"],
            metadatas=kept["metadatas"],
            documents=kept["documents"],
        )
        again = assistant.answer(QUESTION)  # ...and the question is asked again, unseen
        assert again.text == before.text and again.citations == before.citations
        elsewhere.delete_collection(generation.collection)
        with pytest.raises(IndexChanged) as changed:  # gone for good: said, not a traceback
            assistant.answer(QUESTION)
    assert "ask again in a moment" in str(changed.value)
    assert "assistant index rebuild" in str(changed.value)
