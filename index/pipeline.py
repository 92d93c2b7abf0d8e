"""Build and update the index: embed only what is new, commit atomically, never mix vectors."""

import fcntl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index import layout
from index.bm25 import BM25Index, indexed_text, tokenize
from index.documents import Chunk, LoadProblem, LoadResult, SourceDocument
from index.duplicates import group_duplicates
from index.loaders import load_folder
from index.manifest import Manifest, ManifestError
from index.plan import Plan, make_plan
from index.progress import Progress
from index.report import UpdateReport
from index.settings import IndexSettings

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

    from index.store import VectorStore

# Models, LlamaIndex and Chroma load only when there is work for them: a no-op update of a
# 600-article folder must finish in about a second, and those imports alone take longer.


# Bumped whenever the manifest, BM25 layout or chunking changes; an older index is then rebuilt.
# 4: sentences end by `index/sentences.py`'s rule instead of NLTK's Punkt.
INDEX_FORMAT = 4


def vector_settings(settings: IndexSettings) -> dict[str, Any]:
    """What the stored vectors depend on; any change means re-embedding everything."""
    return {
        "index_format": INDEX_FORMAT,
        "embed_model": settings.embed_model_label(),
        "embed_backend": settings.embed_backend,
        "chunk_size": settings.chunking.chunk_size,
        "chunk_overlap": settings.chunking.chunk_overlap,
    }


@contextmanager
def writer_lock(data_dir: Path) -> Iterator[None]:
    """One writer at a time per index (the CLI, the watcher and the UI may all update)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update(settings: IndexSettings, progress: bool = False) -> UpdateReport:
    """Bring the index in line with the docs folder, embedding only new content."""
    started = time.monotonic()
    data_dir = Path(settings.data_dir)
    with writer_lock(data_dir):
        # Read the folder inside the lock: a concurrent writer's view may be older than ours.
        loaded = load_folder(Path(settings.docs_dir), settings.max_file_mb)
        generation = layout.current(data_dir)
        reason = _rebuild_reason(settings, generation)
        if reason is not None:
            report = _build(settings, loaded, reason, progress)
        else:
            assert generation is not None
            report = _update_in_place(settings, generation, loaded, progress)
    report.seconds = time.monotonic() - started
    return report


def rebuild(settings: IndexSettings, progress: bool = False) -> UpdateReport:
    """Build a fresh generation and switch to it only when complete."""
    started = time.monotonic()
    with writer_lock(Path(settings.data_dir)):
        loaded = load_folder(Path(settings.docs_dir), settings.max_file_mb)
        report = _build(settings, loaded, "requested", progress)
    report.seconds = time.monotonic() - started
    return report


def _rebuild_reason(settings: IndexSettings, generation: layout.Generation | None) -> str | None:
    if generation is None:
        return "no index yet"
    if not generation.manifest_path.exists():
        return "the manifest is missing"
    manifest = Manifest(generation.manifest_path)
    try:
        manifest.check()
        recorded = manifest.settings_record() or {}
    finally:
        manifest.close()
    wanted = vector_settings(settings)
    changed = [k for k, v in wanted.items() if recorded.get(k) != v]
    if changed:
        return "changed since the last build: " + ", ".join(
            f"{k} {recorded.get(k)!r} -> {wanted[k]!r}" for k in changed
        )
    return None


def _build(
    settings: IndexSettings, loaded: LoadResult, reason: str, progress: bool
) -> UpdateReport:
    from index.store import VectorStore, chroma_client, close_client

    data_dir = Path(settings.data_dir)
    client = chroma_client(settings)
    try:
        _drop_stale(data_dir, client, keep=None)
        generation = layout.new_generation(data_dir, settings.collection_prefix)
        manifest = Manifest(generation.manifest_path)
        try:
            manifest.set_meta("settings", _json(vector_settings(settings)))
            plan = make_plan({}, loaded)
            vectors = VectorStore(client, generation.collection)
            report = _apply(settings, manifest, vectors, plan, loaded, progress)
            _save_bm25(manifest, generation)
            manifest.set_meta("pending", "0")
        finally:
            manifest.close()
        try:
            previous = layout.current(data_dir)
        except ManifestError:
            previous = None  # a damaged pointer is what this rebuild replaces
        layout.switch_to(data_dir, generation)
        # The previous generation stays until the next rebuild: a reader may be mid-question.
        _drop_stale(data_dir, client, keep=previous.root if previous else None)
    finally:
        close_client(client)  # the folder's files close with the last client that holds them
    return _finish(report, loaded, reason)


def _update_in_place(
    settings: IndexSettings, generation: layout.Generation, loaded: LoadResult, progress: bool
) -> UpdateReport:
    manifest = Manifest(generation.manifest_path)
    try:
        plan = make_plan(manifest.names(), loaded)
        interrupted = manifest.get_meta("pending") == "1"
        if not plan.changes_anything and not interrupted:
            report = UpdateReport(unchanged=plan.unchanged, duplicates=plan.duplicates)
            if manifest.unsigned_documents():  # indexed before near-duplicates were grouped
                with manifest.transaction():
                    group_duplicates(manifest)
            _refresh_bm25_if_stale(manifest, generation)
        else:
            from index.store import VectorStore, chroma_client, close_client

            client = chroma_client(settings)
            try:
                vectors = VectorStore(client, generation.collection)
                report = _apply(settings, manifest, vectors, plan, loaded, progress)
                if interrupted:
                    vectors.delete(sorted(vectors.ids() - set(manifest.chunk_ids())))
            finally:
                close_client(client)
            _save_bm25(manifest, generation)
            manifest.set_meta("pending", "0")
        report.documents, report.chunks = len(manifest.doc_ids()), len(manifest.chunk_ids())
    finally:
        manifest.close()
    return _finish(report, loaded, None)


def _apply(
    settings: IndexSettings,
    manifest: Manifest,
    vectors: "VectorStore",
    plan: Plan,
    loaded: LoadResult,
    progress: bool,
) -> UpdateReport:
    """Vectors first, then one manifest commit, then deletions: a crash leaves no visible mix.

    A document that cannot be cut into passages fails alone, as a file that cannot be read
    does: it is reported, and its file keeps what was indexed from it.
    """
    manifest.set_meta("pending", "1")
    chunked, failed = _chunk(settings, plan.to_embed)
    if failed:
        unusable = {problem.name for problem in failed}
        loaded.errors.extend(failed)
        loaded.documents = [d for d in loaded.documents if d.name not in unusable]
        plan = make_plan(manifest.names(), loaded)
        wanted = {doc.doc_id for doc in plan.to_embed}
        chunked = [(doc, chunks) for doc, chunks in chunked if doc.doc_id in wanted]
    dimension = _embed_and_store(settings, chunked, vectors, progress)
    if dimension:
        manifest.set_meta("embed_dim", str(dimension))
    removed_chunks = manifest.chunk_ids(plan.to_remove)
    indexed = manifest.names()
    with manifest.transaction():
        for document, chunks in chunked:
            texts = [indexed_text(chunk, document.title, document.source) for chunk in chunks]
            terms = tokenize(texts)
            manifest.add_document(document, chunks, terms)
        for name in set(indexed) - set(plan.names):
            manifest.remove_name(name)
        for name, doc_id in plan.names.items():
            manifest.set_name(name, doc_id)
        for doc_id in plan.to_remove:
            manifest.remove_document(doc_id)
        group_duplicates(manifest)
    vectors.delete(removed_chunks)
    return UpdateReport(
        added=plan.added,
        changed=plan.changed,
        removed=plan.removed,
        renamed=plan.renamed,
        duplicates=plan.duplicates,
        unchanged=plan.unchanged,
        embedded_chunks=sum(len(chunks) for _, chunks in chunked),
        documents=len(manifest.doc_ids()),
        chunks=len(manifest.chunk_ids()),
    )


Chunked = list[tuple[SourceDocument, list[Chunk]]]


def _chunk(
    settings: IndexSettings, documents: list[SourceDocument]
) -> tuple[Chunked, list[LoadProblem]]:
    """Each document cut into passages, and the documents that could not be, with why."""
    if not documents:
        return [], []
    from index.chunking import chunk_document, make_splitter
    from index.embedder import build_embedder

    splitter = make_splitter(settings.chunking, build_embedder(settings).tokenize)
    chunked: Chunked = []
    failed: list[LoadProblem] = []
    for document in documents:
        try:
            chunked.append((document, chunk_document(document, splitter)))
        except Exception as exc:  # one odd text must not stop the whole update
            reason = f"could not be cut into passages ({type(exc).__name__}: {exc})"
            failed.append(LoadProblem(document.name, reason))
    return chunked, failed


def _embed_and_store(
    settings: IndexSettings, chunked: Chunked, vectors: "VectorStore", progress: bool
) -> int:
    """Embed and store the chunks; returns the vectors' dimension (0 when there were none).

    Chroma writes one batch on a thread of its own while the next batch is encoded: the
    encoder releases the GIL, so the writes cost the build no time of their own.
    """
    if not chunked:
        return 0
    from concurrent.futures import Future, ThreadPoolExecutor

    from index.embedder import build_embedder

    embedder = build_embedder(settings)
    pairs = [(doc, chunk) for doc, chunks in chunked for chunk in chunks]
    # Length-sorted batches pad less, which makes encoding markedly faster on CPU.
    pairs.sort(key=lambda pair: len(pair[1].text))
    batch = 256
    writing: Future[None] | None = None
    with (
        Progress(len(pairs), "Embedding chunks", enabled=progress) as bar,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="chroma-writer") as writer,
    ):
        for start in range(0, len(pairs), batch):
            part = pairs[start : start + batch]
            embeddings = embedder.encode([embedded_text(chunk, doc.title) for doc, chunk in part])
            nodes = [_node(d, c, e) for (d, c), e in zip(part, embeddings, strict=True)]
            if writing is not None:
                writing.result()  # one write in flight; a failed write stops the build here
            writing = writer.submit(vectors.add, nodes)
            bar.advance(len(part))
        if writing is not None:
            writing.result()
    return embedder.dimension


def embedded_text(chunk: Chunk, title: str) -> str:
    """What the embedder sees: the title gives a passage its story's context."""
    return f"{title}\n{chunk.text}"


def _node(document: SourceDocument, chunk: Chunk, embedding: list[float]) -> "TextNode":
    from llama_index.core.schema import TextNode

    metadata: dict[str, Any] = {
        **document.metadata(),
        "doc_id": chunk.doc_id,
        "seq": chunk.seq,
        "start": chunk.start,
        "end": chunk.end,
    }
    return TextNode(id_=chunk.chunk_id, text=chunk.text, metadata=metadata, embedding=embedding)


def _save_bm25(manifest: Manifest, generation: layout.Generation) -> None:
    chunk_ids, terms = manifest.chunk_terms()
    BM25Index.build(chunk_ids, terms, manifest.version).save(generation.bm25_dir)


def _refresh_bm25_if_stale(manifest: Manifest, generation: layout.Generation) -> None:
    saved = BM25Index.load(generation.bm25_dir)
    if saved is None or saved.version != manifest.version:
        _save_bm25(manifest, generation)


def _drop_stale(data_dir: Path, client: Any, keep: Path | None) -> None:
    from index.store import drop_collection

    for stale in layout.stale_generations(data_dir, keep=keep):
        if stale.collection:
            drop_collection(client, stale.collection)
        layout.remove_folder(stale.root)


def _finish(report: UpdateReport, loaded: LoadResult, reason: str | None) -> UpdateReport:
    report.failed = list(loaded.errors)
    report.warnings = list(loaded.warnings)
    report.rebuilt_because = reason
    return report


def _json(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True)
