"""Cut documents into sentence-aware passages that keep their exact character offsets."""

from collections.abc import Callable

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter

from index.documents import Chunk, SourceDocument
from index.settings import ChunkingSettings


def make_splitter(settings: ChunkingSettings, tokenize: Callable[[str], list]) -> SentenceSplitter:
    """A splitter that counts tokens with the embedder's own tokenizer, so no chunk is truncated."""
    return SentenceSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        tokenizer=tokenize,
    )


def chunk_document(document: SourceDocument, splitter: SentenceSplitter) -> list[Chunk]:
    """Split one document; offsets are checked against the text so citations are exact spans."""
    nodes = splitter.get_nodes_from_documents([Document(text=document.text)])
    chunks: list[Chunk] = []
    cursor = 0
    for node in nodes:
        text = node.get_content()
        start = getattr(node, "start_char_idx", None)
        if start is None or document.text[start : start + len(text)] != text:
            # The splitter could not place the chunk; find it ourselves, never guess.
            start = document.text.find(text, cursor)
            if start < 0:
                start = document.text.find(text)
            if start < 0:
                raise ValueError(f"chunk of {document.name!r} not found in its text")
        cursor = start + 1
        chunks.append(
            Chunk(
                chunk_id=f"{document.doc_id}:{len(chunks)}",
                doc_id=document.doc_id,
                seq=len(chunks),
                start=start,
                end=start + len(text),
                text=text,
            )
        )
    return chunks
