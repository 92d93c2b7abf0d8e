"""Building and updating the index: exact counts in the manifest, Chroma and BM25."""

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from llama_index.core.node_parser import SentenceSplitter

from index import layout
from index.bm25 import BM25Index
from index.chunking import WORD, chunk_document, make_splitter
from index.embedder import build_embedder
from index.loaders import load_folder
from index.manifest import Manifest, ManifestError
from index.pipeline import rebuild, update
from index.sentences import split_keeping_space
from index.settings import IndexSettings
from index.store import VectorStore, chroma_client
from tests.conftest import FIXTURES, SEED_ARTICLE, make_settings

pytestmark = pytest.mark.slow


def counts(settings: IndexSettings) -> tuple[int, int, int, int]:
    """Documents and chunks in the manifest, vectors in Chroma, rows in BM25."""
    generation = layout.current(Path(settings.data_dir))
    assert generation is not None
    manifest = Manifest(generation.manifest_path)
    docs, chunks = len(manifest.doc_ids()), len(manifest.chunk_ids())
    manifest.close()
    with chroma_client(settings) as client:
        vectors = VectorStore(client, generation.collection).count()
    bm25 = BM25Index.load(generation.bm25_dir)
    assert bm25 is not None
    return docs, chunks, vectors, len(bm25.chunk_ids)


def expected_chunks(settings: IndexSettings) -> int:
    splitter = make_splitter(settings.chunking, build_embedder(settings).tokenize)
    loaded = load_folder(Path(settings.docs_dir))
    unique = {doc.doc_id: doc for doc in loaded.documents}
    return sum(len(chunk_document(doc, splitter)) for doc in unique.values())


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / SEED_ARTICLE.name)
    items = json.loads((FIXTURES / "multihop" / "corpus-sample.json").read_text())
    for i, item in enumerate(items[:3]):
        front = f"---\ntitle: {item['title']}\nsource: {item['source']}\n---\n"
        (folder / f"article-{i}.md").write_text(front + item["body"], encoding="utf-8")
    return folder


def test_build_stores_every_chunk_once_everywhere(
    docs: Path, tmp_path: Path, store: dict[str, object]
):
    settings = make_settings(docs, tmp_path / "index", **store)
    report = update(settings)
    assert report.rebuilt_because == "no index yet"
    assert sorted(report.added) == sorted(p.name for p in docs.iterdir())
    n = expected_chunks(settings)
    assert counts(settings) == (4, n, n, n)
    assert report.embedded_chunks == n


def test_update_cycles_keep_counts_exact(docs: Path, tmp_path: Path, store: dict[str, object]):
    settings = make_settings(docs, tmp_path / "index", **store)
    update(settings)

    noop = update(settings)
    assert (noop.embedded_chunks, noop.unchanged, noop.rebuilt_because) == (0, 4, None)

    (docs / "article-0.md").rename(docs / "renamed.md")
    renamed = update(settings)
    assert renamed.renamed == [("article-0.md", "renamed.md")] and renamed.embedded_chunks == 0

    (docs / "article-1.md").write_text("---\ntitle: Fresh\n---\nA new storm hit the coast today.")
    changed = update(settings)
    assert changed.changed == ["article-1.md"] and changed.embedded_chunks == 1

    (docs / "article-2.md").unlink()
    removed = update(settings)
    assert removed.removed == ["article-2.md"]
    n = expected_chunks(settings)
    assert counts(settings) == (3, n, n, n)


def test_same_content_under_two_names_is_indexed_once(docs: Path, tmp_path: Path):
    shutil.copy(docs / "article-0.md", docs / "copy-of-article-0.md")
    settings = make_settings(docs, tmp_path / "index")
    report = update(settings)
    assert report.duplicates == [("copy-of-article-0.md", "article-0.md")]
    assert report.documents == 4


def test_unreadable_file_is_reported_and_the_rest_indexes(docs: Path, tmp_path: Path):
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (docs / "junk.txt").write_bytes(bytes(range(256)) * 4)
    settings = make_settings(docs, tmp_path / "index")
    report = update(settings)
    assert not report.ok
    assert sorted(p.name for p in report.failed) == ["broken.pdf", "junk.txt"]
    assert report.documents == 4


def test_file_that_fails_later_keeps_what_was_indexed(docs: Path, tmp_path: Path):
    settings = make_settings(docs, tmp_path / "index")
    update(settings)
    (docs / "article-0.md").write_bytes(b"\x00\x01\x02" * 100)
    report = update(settings)
    assert [p.name for p in report.failed] == ["article-0.md"]
    assert report.documents == 4 and report.removed == []


def test_a_news_item_with_a_lone_surrogate_is_indexed_not_lost(docs: Path, tmp_path: Path):
    """JSON can carry "\\ud800", which no tokenizer or database takes: it becomes U+FFFD, and
    the item, its file and the other files all index."""
    items = [
        {"title": "Wire copy \ud800", "body": "Officials said \ud800 the talks went on."},
        {"title": "Port reopens", "body": "The port reopened after the storm passed."},
    ]
    (docs / "wire.json").write_text(json.dumps(items), encoding="utf-8")
    settings = make_settings(docs, tmp_path / "index")
    report = update(settings)
    assert report.ok, report.failed
    texts = {
        d.title: d for d in Manifest(layout.current(settings.data_dir).manifest_path).documents()
    }  # type: ignore[union-attr]
    assert "Wire copy \ufffd" in texts and "Port reopens" in texts


def test_chunking_change_rebuilds_instead_of_mixing(
    docs: Path, tmp_path: Path, store: dict[str, object]
):
    update(make_settings(docs, tmp_path / "index", **store))
    smaller = make_settings(docs, tmp_path / "index", chunking={"chunk_size": 128}, **store)
    report = update(smaller)
    assert report.rebuilt_because and "chunk_size 256 -> 128" in report.rebuilt_because
    n = expected_chunks(smaller)
    assert counts(smaller) == (4, n, n, n)
    assert len(list((tmp_path / "index").glob("gen-*"))) == 2  # the live one and its predecessor


def test_rebuild_switches_generation_and_keeps_counts(
    docs: Path, tmp_path: Path, store: dict[str, object]
):
    settings = make_settings(docs, tmp_path / "index", **store)
    update(settings)
    before = layout.current(Path(settings.data_dir))
    report = rebuild(settings)
    after = layout.current(Path(settings.data_dir))
    assert before is not None and after is not None and before.root != after.root
    assert report.rebuilt_because == "requested"
    n = expected_chunks(settings)
    assert counts(settings) == (4, n, n, n)


def test_chunks_are_exact_spans_within_the_token_limit(tmp_path: Path):
    settings = make_settings(FIXTURES / "multihop", tmp_path / "index")
    embedder = build_embedder(settings)
    splitter = make_splitter(settings.chunking, embedder.tokenize)
    for doc in load_folder(FIXTURES / "multihop").documents:
        chunks = chunk_document(doc, splitter)
        assert chunks and chunks[0].start == 0
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert len(embedder.tokenize(chunk.text)) <= settings.chunking.chunk_size


def test_counting_words_for_long_texts_cuts_the_same_chunks(tmp_path: Path):
    settings = make_settings(FIXTURES / "multihop", tmp_path / "index")
    embedder = build_embedder(settings)
    every_text_counted = SentenceSplitter(
        chunk_size=settings.chunking.chunk_size,
        chunk_overlap=settings.chunking.chunk_overlap,
        tokenizer=embedder.tokenize,
        chunking_tokenizer_fn=split_keeping_space,  # only the counting differs
    )
    splitter = make_splitter(settings.chunking, embedder.tokenize)
    for doc in load_folder(FIXTURES / "multihop").documents:
        cut = [(c.start, c.end) for c in chunk_document(doc, splitter)]
        assert cut == [(c.start, c.end) for c in chunk_document(doc, every_text_counted)]


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=400))
def test_words_never_outnumber_the_models_tokens(text: str):
    embedder = build_embedder(make_settings(FIXTURES, FIXTURES / "unused"))  # loaded once
    assert len(WORD.findall(text)) <= len(embedder.tokenize(text))


def test_model_change_rebuilds_instead_of_mixing(docs: Path, tmp_path: Path):
    base = make_settings(docs, tmp_path / "index")
    update(base)
    other = tmp_path / "other-minilm"
    other.symlink_to(base.embed_model_path(), target_is_directory=True)
    report = update(make_settings(docs, tmp_path / "index", embed_model=str(other)))
    assert report.rebuilt_because and "embed_model" in report.rebuilt_because
    assert "other-minilm" in report.rebuilt_because


def test_the_writer_never_seals_rows_that_disagree(docs: Path, tmp_path: Path):
    settings = make_settings(docs, tmp_path / "index")
    update(settings)
    generation = layout.current(Path(settings.data_dir))
    assert generation is not None
    manifest = Manifest(generation.manifest_path)
    try:
        version, names = manifest.version, manifest.names()
        refused = pytest.raises(ManifestError, match="1 names of missing documents")
        with refused, manifest.transaction():  # a writer's bug: a name for no document
            manifest.set_name("ghost.txt", "no-such-document")
        assert manifest.version == version and manifest.names() == names
        manifest.check()  # still sealed and whole: readers check it cheaply
    finally:
        manifest.close()


def test_damaged_manifest_is_detected_and_rebuild_recovers(docs: Path, tmp_path: Path):
    settings = make_settings(docs, tmp_path / "index")
    update(settings)
    generation = layout.current(Path(settings.data_dir))
    assert generation is not None
    for leftover in generation.root.glob("manifest.sqlite-*"):
        leftover.unlink()  # WAL files: with them gone, the truncated file is all there is
    data = generation.manifest_path.read_bytes()
    generation.manifest_path.write_bytes(data[: len(data) // 3])
    with pytest.raises(ManifestError, match="assistant index rebuild"):
        update(settings)
    report = rebuild(settings)
    assert report.ok and report.documents == 4
    n = expected_chunks(settings)
    assert counts(settings) == (4, n, n, n)
