"""What retrieval hands on: a chunk of one article, its metadata, and the scores that ranked it.

A module of its own so that sentences, evidence, generation and verification name the type
without importing the retriever.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its document's metadata and the scores that ranked it."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    title: str
    source: str | None
    published: str | None
    url: str | None
    names: tuple[str, ...]
    score: float
    lexical: float
    dense: float
