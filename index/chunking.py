"""Cut documents into sentence-aware passages that keep their exact character offsets."""

import re
from collections.abc import Callable, Sized

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter

from index.documents import Chunk, SourceDocument
from index.sentences import split_keeping_space
from index.settings import ChunkingSettings

# A run between spaces, tabs and line breaks that holds a letter or digit is at least one
# word-piece token: the model's tokenizer always splits there (it also splits on punctuation and
# drops control characters, so runs are counted only where those cannot join two of them).
WORD = re.compile(r"[^ \t\n\r]*[^\W_][^ \t\n\r]*")


def make_splitter(settings: ChunkingSettings, tokenize: Callable[[str], list]) -> SentenceSplitter:
    """A splitter that counts tokens with the embedder's own tokenizer, so no chunk is truncated."""
    return SentenceSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        tokenizer=_counter(tokenize, settings.chunk_size),
        chunking_tokenizer_fn=split_keeping_space,
    )


def _counter(tokenize: Callable[[str], list], chunk_size: int) -> Callable[[str], Sized]:
    """`tokenize`, skipped for a text with more words than a chunk holds tokens.

    The splitter asks for the whole article's size, then its paragraphs', then its sentences':
    the article (and any long paragraph) is surely too big, and the splitter only compares that
    size with the chunk size, so its words stand in for its tokens. Every size at or under the
    chunk size is still counted exactly.
    """

    def count(text: str) -> Sized:
        if len(text) > chunk_size:  # a shorter text cannot hold more words than that
            words = len(WORD.findall(text))
            if words > chunk_size:
                return range(words)
        return tokenize(text)

    return count


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
