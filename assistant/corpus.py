"""The index as the query side sees it: manifest, BM25 and vectors, reloaded when it changes."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from assistant.errors import NotIndexed
from assistant.outlets import aliases
from index import layout
from index.bm25 import BM25Index
from index.dates import day
from index.documents import Chunk
from index.manifest import DocumentRecord, Manifest, ManifestError
from index.settings import IndexSettings
from index.store import VectorStore, chroma_client


def _ordinal(value: date | None) -> int:
    return value.toordinal() if value else -1


def not_indexed_message(settings: IndexSettings) -> str:
    return (
        f"No documents indexed yet: put articles (.txt, .md, .html, .pdf, .docx, .json) in "
        f"{settings.docs_dir}/ and run `assistant index update`."
    )


@dataclass(frozen=True)
class Snapshot:
    """Which generation and manifest version a loaded corpus reflects."""

    folder: Path
    version: int


class Corpus:
    """Everything retrieval and citation need, loaded once and refreshed after index updates."""

    def __init__(self, settings: IndexSettings) -> None:
        generation = layout.current(Path(settings.data_dir))
        if generation is None or not generation.manifest_path.exists():
            raise NotIndexed(not_indexed_message(settings))
        self.settings = settings
        self.generation = generation
        self.manifest = Manifest(generation.manifest_path)
        try:
            self.manifest.check()  # a damaged or hand-edited manifest is named, not half-served
        except ManifestError:
            self.manifest.close()
            raise
        self.version = self.manifest.version
        self.documents: dict[str, DocumentRecord] = {d.doc_id: d for d in self.manifest.documents()}
        self.chunks: dict[str, Chunk] = {c.chunk_id: c for c in self.manifest.chunks()}
        self.bm25 = self._load_bm25()
        # Fresh: the index may have changed in another process since this one opened Chroma.
        self.vectors = VectorStore(chroma_client(settings, fresh=True), generation.collection)
        self.rows = {cid: i for i, cid in enumerate(self.bm25.chunk_ids)}
        self.source_rows = self._rows_by_source()
        self.outlet_names = aliases(set(self.source_rows))
        self.row_docs = [self.chunks[cid].doc_id for cid in self.bm25.chunk_ids]
        days = {d.doc_id: day(d.published) for d in self.documents.values()}
        # Per BM25 row, for searches limited to some outlets or days; -1 is an undated article.
        self.row_days = np.asarray([_ordinal(days[d]) for d in self.row_docs], dtype=np.int64)
        self.row_sources = np.asarray([self.documents[d].source or "" for d in self.row_docs])
        self.newest = max((d for d in days.values() if d), default=None)
        self.same_story: dict[str, list[str]] = {}  # doc_id -> its near-duplicates' doc_ids
        for record in self.documents.values():
            if record.group:
                self.same_story.setdefault(record.group, []).append(record.doc_id)

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

    @property
    def snapshot(self) -> Snapshot:
        return Snapshot(self.generation.root, self.version)

    def is_current(self) -> bool:
        """False once an update committed or a rebuild switched generations."""
        live = layout.current(Path(self.settings.data_dir))
        return (
            live is not None
            and live.root == self.generation.root
            and self.manifest.version == self.version
        )

    def document_text(self, doc_id: str) -> str:
        return self.manifest.document_text(doc_id)

    def close(self) -> None:
        self.manifest.close()
