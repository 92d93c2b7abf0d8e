"""Split passages into sentences that keep their exact offsets in the document."""

from dataclasses import dataclass

from assistant.retrieval.passage import Passage
from index.sentences import sentence_ends

# Chunking and evidence end sentences by one rule (`index/sentences.py`); a fragment shorter
# than this (a dateline, a lone name) is no evidence.
_MIN_CHARS = 25


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage: `document_text[start:end] == text`."""

    passage: Passage
    start: int
    end: int
    text: str


def split(passage: Passage) -> list[Sentence]:
    """Sentences of a passage, trimmed of white space, with document offsets."""
    text, sentences, begin = passage.text, [], 0
    for end in sentence_ends(text):
        piece, offset = text[begin:end], begin
        begin = end
        stripped = piece.strip()
        if len(stripped) < _MIN_CHARS or not any(ch.isalpha() for ch in stripped):
            continue
        offset += len(piece) - len(piece.lstrip())
        start = passage.start + offset
        sentences.append(Sentence(passage, start, start + len(stripped), stripped))
    return sentences
