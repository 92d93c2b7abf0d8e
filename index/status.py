"""What the index holds and where it lives, read without loading any model."""

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from index import layout
from index.manifest import DocumentRecord, Manifest, ManifestError
from index.settings import IndexSettings


@dataclass(frozen=True)
class IndexStatus:
    """Counts and locations, for `assistant index status` and the chat UI."""

    documents: int
    chunks: int
    model: str
    location: str
    store: str
    docs_dir: str

    def lines(self) -> list[str]:
        return [
            f"documents:  {self.documents}",
            f"chunks:     {self.chunks}",
            f"model:      {self.model}",
            f"index:      {self.location}",
            f"vectors:    {self.store}",
            f"docs:       {self.docs_dir}",
        ]


def status(settings: IndexSettings) -> IndexStatus:
    data_dir = Path(settings.data_dir)
    generation = layout.current(data_dir)
    store = (
        f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
        if settings.chroma_host
        else f"embedded Chroma in {layout.chroma_dir(data_dir)}"
    )
    if generation is None or not generation.manifest_path.exists():
        return IndexStatus(0, 0, "none (not built)", str(data_dir), store, str(settings.docs_dir))
    manifest = Manifest(generation.manifest_path)
    try:
        return _status(manifest, generation, settings, store)
    except sqlite3.DatabaseError as exc:  # damaged past what opening it showed
        raise ManifestError(
            f"The index manifest {generation.manifest_path} is damaged ({exc}). "
            "Run `assistant index rebuild` to build a fresh index."
        ) from exc
    finally:
        manifest.close()


def _status(
    manifest: Manifest, generation: layout.Generation, settings: IndexSettings, store: str
) -> IndexStatus:
    manifest.check()  # counts from a damaged manifest would mislead
    record = manifest.settings_record() or {}
    documents, chunks = manifest.counts()
    return IndexStatus(
        documents=documents,
        chunks=chunks,
        model=f"{record.get('embed_model', 'unknown')} ({manifest.get_meta('embed_dim')} dims)",
        location=str(generation.root),
        store=f"{store}, collection {generation.collection}",
        docs_dir=str(settings.docs_dir),
    )


def documents(settings: IndexSettings, limit: int | None = None) -> list[DocumentRecord]:
    """The indexed documents with their names and chunk counts, newest first (`limit` of them)."""
    generation = layout.current(Path(settings.data_dir))
    if generation is None or not generation.manifest_path.exists():
        return []
    manifest = Manifest(generation.manifest_path)
    try:
        return manifest.documents(limit)
    finally:
        manifest.close()


def indexed_names(settings: IndexSettings) -> list[str]:
    """Every file name (or file#item) the index holds a document for."""
    generation = layout.current(Path(settings.data_dir))
    if generation is None or not generation.manifest_path.exists():
        return []
    manifest = Manifest(generation.manifest_path)
    try:
        return sorted(manifest.names())
    finally:
        manifest.close()
