"""The index as the query side sees it: manifest, BM25 and vectors, reloaded when it changes."""

import threading
import weakref
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import numpy as np

from assistant.errors import AssistantError, NotIndexed
from assistant.retrieval.outlets import aliases
from index import layout
from index.bm25 import BM25Index
from index.dates import day
from index.documents import Chunk
from index.manifest import Manifest
from index.settings import IndexSettings
from index.store import VectorStore, chroma_client, close_client


def _ordinal(value: date | None) -> int:
    return value.toordinal() if value else -1


class IndexMismatch(AssistantError):
    """The index's vectors come from an embedder these settings cannot load."""


def index_embedding(settings: IndexSettings, record: dict[str, object]) -> IndexSettings:
    """Settings whose embedder matches the index's vectors, following the index.

    A `serve` started with one embedder keeps answering after an update with another rebuilt
    the index: the query side loads what the index was built with when it can (the packaged
    model on either runtime), and otherwise says what differs and what to run.
    """
    model, backend = record.get("embed_model"), record.get("embed_backend")
    if model is None or backend is None:
        return settings  # an index older than the record: nothing to compare
    if model == settings.embed_model_label() and backend == settings.embed_backend:
        return settings
    for candidate in ("torch", "onnx-int8"):
        follow = settings.model_copy(update={"embed_model": "", "embed_backend": candidate})
        if follow.embed_model_label() == model and candidate == backend:
            return follow
    raise IndexMismatch(
        f"The index was built with the embedding model {model!r} on {backend}, but these "
        f"settings use {settings.embed_model_label()!r} on {settings.embed_backend}. Set "
        "ASSISTANT_EMBED_MODEL and ASSISTANT_EMBED_BACKEND to match the index, or run "
        "`assistant index rebuild` to embed it again with these settings."
    )


def not_indexed_message(settings: IndexSettings) -> str:
    return (
        f"No documents indexed yet: put articles (.txt, .md, .html, .pdf, .docx, .json) in "
        f"{settings.docs_dir}/ and run `assistant index update`."
    )


class VectorsMoved(AssistantError):
    """Chroma lost this version's vectors mid-question: another process is changing them (an
    update deleting chunks, a rebuild dropping an old collection), or they are gone. A fresh
    view of the index sees what is there now."""


@contextmanager
def moved_vectors_named() -> Iterator[None]:
    """Chroma's errors reading a version's vectors, as `VectorsMoved`."""
    from chromadb.errors import ChromaError

    try:
        yield
    except ChromaError as exc:
        raise VectorsMoved(
            f"The index's vectors cannot be read ({exc}). If an update or rebuild is running, "
            "try again in a moment; otherwise run `assistant index rebuild`."
        ) from exc


class Corpus:
    """One version of the index, as retrieval and citation need it: read in one transaction of
    the manifest and never changed, so a question sees the same index from start to finish.

    Questions `acquire` it while they use it; once a newer version replaces it (`retire`), it
    is closed when the last of them lets it go, releasing its manifest and Chroma view.
    """

    def __init__(self, settings: IndexSettings) -> None:
        generation = layout.current(Path(settings.data_dir))
        if generation is None or not generation.manifest_path.exists():
            raise NotIndexed(not_indexed_message(settings))
        self.settings = settings
        self.generation = generation
        self.manifest = Manifest(generation.manifest_path)
        try:
            with self.manifest.snapshot():
                self.manifest.check()  # a damaged or hand-edited manifest is named, not served
                self.version = self.manifest.version
                self.vector_record = {
                    **(self.manifest.settings_record() or {}),
                    "embed_dim": self.manifest.get_meta("embed_dim"),
                }
                self.documents = {d.doc_id: d for d in self.manifest.documents()}
                self.chunks: dict[str, Chunk] = {c.chunk_id: c for c in self.manifest.chunks()}
                self.bm25 = self._load_bm25()
        except BaseException:
            self.manifest.close()
            raise
        # Fresh: the index may have changed in another process since this one opened Chroma.
        client = chroma_client(settings, fresh=True)
        try:
            with moved_vectors_named():
                self.vectors = VectorStore(client, generation.collection, create=False)
        except BaseException:
            self.manifest.close()
            close_client(client)
            raise
        # Chroma keeps an opened view (its files and threads) until its client closes: a version
        # dropped without `close`, with the Assistant that held it, still lets its files go.
        self._let_go = weakref.finalize(self, _let_go, self.manifest, self.vectors.client)
        self._let_go.atexit = False  # at exit the process lets everything go anyway
        self.rows = {cid: i for i, cid in enumerate(self.bm25.chunk_ids)}
        self.source_rows = self._rows_by_source()
        self.outlet_names = aliases(set(self.source_rows))
        self.row_docs = [self.chunks[cid].doc_id for cid in self.bm25.chunk_ids]
        self.doc_chunks = Counter(self.row_docs)  # chunks per document
        days = {d.doc_id: day(d.published) for d in self.documents.values()}
        # Per BM25 row, for searches limited to some outlets or days; -1 is an undated article.
        self.row_days = np.asarray([_ordinal(days[d]) for d in self.row_docs], dtype=np.int64)
        self.row_sources = np.asarray([self.documents[d].source or "" for d in self.row_docs])
        self.newest = max((d for d in days.values() if d), default=None)
        self.same_story: dict[str, list[str]] = {}  # doc_id -> its near-duplicates' doc_ids
        for record in self.documents.values():
            if record.group:
                self.same_story.setdefault(record.group, []).append(record.doc_id)
        self._users = 0
        self._retired = False
        self._closed = False
        self._lock = threading.Lock()

    @property
    def label(self) -> str:
        """Which version of the index this is: its generation folder and manifest version."""
        return f"{self.generation.root.name}@{self.version}"

    def acquire(self) -> None:
        with self._lock:
            self._users += 1

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            done = self._retired and self._users == 0
        if done:
            self.close()

    def retire(self) -> None:
        """A newer version replaces this one: close it as soon as no question holds it."""
        with self._lock:
            self._retired = True
            done = self._users == 0
        if done:
            self.close()

    def _rows_by_source(self) -> dict[str, np.ndarray]:
        """BM25 rows of each outlet's chunks, to search one outlet at a time."""
        rows: dict[str, list[int]] = {}
        for cid, row in self.rows.items():
            source = self.documents[self.chunks[cid].doc_id].source
            if source:
                rows.setdefault(source, []).append(row)
        return {source: np.asarray(r) for source, r in rows.items()}

    def _load_bm25(self) -> BM25Index:
        saved = BM25Index.load(self.generation.bm25_dir)
        if (
            saved is not None
            and saved.version == self.version
            and set(saved.chunk_ids) == self.chunks.keys()  # a hand-edited manifest may differ
        ):
            return saved
        # The writer commits the manifest before it saves BM25; rebuild rather than serve stale.
        return BM25Index.build(*self.manifest.chunk_terms(), self.version)

    def is_current(self) -> bool:
        """False once an update committed or a rebuild switched generations."""
        live = layout.current(Path(self.settings.data_dir))
        if live is None or live.root != self.generation.root:
            return False
        return Manifest.current_version(self.generation.manifest_path) == self.version

    def document_text(self, doc_id: str) -> str:
        """The text of a document as this version holds it."""
        return self.manifest.document_text(doc_id)

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._let_go()


def _let_go(manifest: Manifest, client: object) -> None:
    manifest.close()
    close_client(client)
