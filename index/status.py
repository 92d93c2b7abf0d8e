"""What the index holds and where it lives, read without loading any model."""

from dataclasses import dataclass
from pathlib import Path

from index import layout
from index.manifest import DocumentRecord, Manifest
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
        manifest.check()  # counts from a damaged manifest would mislead
        record = manifest.settings_record() or {}
        return IndexStatus(
            documents=len(manifest.doc_ids()),
            chunks=len(manifest.chunk_ids()),
            model=f"{record.get('embed_model', 'unknown')} ({manifest.get_meta('embed_dim')} dims)",
            location=str(generation.root),
            store=f"{store}, collection {generation.collection}",
            docs_dir=str(settings.docs_dir),
        )
    finally:
        manifest.close()


def documents(settings: IndexSettings) -> list[DocumentRecord]:
    """Every indexed document with its names and chunk count, newest first."""
    generation = layout.current(Path(settings.data_dir))
    if generation is None or not generation.manifest_path.exists():
        return []
    manifest = Manifest(generation.manifest_path)
    try:
        return manifest.documents()
    finally:
        manifest.close()
