"""The Chroma vector store: embedded under the data folder by default, or a Chroma server."""

import contextlib
from pathlib import Path
from typing import Any

from llama_index.core.schema import TextNode
from llama_index.vector_stores.chroma import ChromaVectorStore

from index import layout
from index.settings import IndexSettings


class StoreUnreachable(RuntimeError):
    """The Chroma server named in the settings does not answer."""


def chroma_client(settings: IndexSettings, fresh: bool = False) -> Any:
    """A `PersistentClient` under data_dir, or an `HttpClient` when a server host is set.

    `fresh` gives an embedded client its own view of the folder: Chroma shares one per folder
    within a process, and that one never sees what another process (`assistant index update`
    while `assistant serve` runs) wrote since it was opened. Chroma keys that shared view by
    the folder's name, so a fresh client opens the folder under a name no live view has
    ("chroma/./."): the views other questions still use stay in place. `close_client` lets a
    fresh view go.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        except Exception as exc:
            raise StoreUnreachable(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} "
                f"({exc}). Start it (`chroma run --path DIR --port {settings.chroma_port}`) "
                "or unset ASSISTANT_CHROMA_HOST to use the embedded store."
            ) from exc
    path = layout.chroma_dir(Path(settings.data_dir))
    path.mkdir(parents=True, exist_ok=True)
    name = _unused_name(path) if fresh else str(path)
    return chromadb.PersistentClient(path=name, settings=chroma_settings)


def close_client(client: Any) -> None:
    """Release an embedded client's view of its folder (Chroma frees it with its last client)."""
    with contextlib.suppress(Exception):  # already closed, or a server client
        client.close()


def _unused_name(path: Path) -> str:
    """The folder's name as no live Chroma view in this process names it."""
    from chromadb.api.shared_system_client import SharedSystemClient

    live = set(SharedSystemClient._identifier_to_system)
    depth = 1
    while (name := str(path) + "/." * depth) in live:
        depth += 1
    return name


class VectorStore:
    """One generation's Chroma collection, reached through LlamaIndex's `ChromaVectorStore`."""

    def __init__(self, client: Any, collection: str, create: bool = True) -> None:
        """`create` is the writer's: a reader never brings back a collection that is gone."""
        self.client = client
        if create:
            self.collection = client.get_or_create_collection(
                collection, metadata={"hnsw:space": "cosine"}
            )
        else:
            self.collection = client.get_collection(collection)
        self.store = ChromaVectorStore(chroma_collection=self.collection)

    def add(self, nodes: list[TextNode]) -> None:
        """Store nodes, replacing any with the same id, so a re-run after a crash stores once."""
        self.delete([n.node_id for n in nodes])
        self.store.add(list(nodes))

    def delete(self, chunk_ids: list[str]) -> None:
        for start in range(0, len(chunk_ids), 1000):
            self.collection.delete(ids=chunk_ids[start : start + 1000])

    def ids(self) -> set[str]:
        return set(self.collection.get(include=[])["ids"])

    def count(self) -> int:
        return int(self.collection.count())


def drop_collection(client: Any, name: str) -> None:
    """Remove a superseded generation's collection; a missing one is already gone."""
    # Chroma raises different exception types for "not found" across client kinds.
    with contextlib.suppress(Exception):
        client.delete_collection(name)
