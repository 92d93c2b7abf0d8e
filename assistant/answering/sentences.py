"""Split passages into sentences that keep their exact offsets in the document."""

import re
from dataclasses import dataclass

from assistant.retrieval.passage import Passage
from index.sentences import sentence_ends

# Chunking and evidence end sentences by one rule (`index/sentences.py`); a fragment shorter
# than this (a dateline, a lone name) is no evidence.
_MIN_CHARS = 25
LEANS_BACK = re.compile(
    r"^(?:this|that|these|those|it|its|he|she|his|her|they|their|them|such|the move|"
    r"the decision|the deal|the company|however|but|also|meanwhile|instead|still)\b",
    re.IGNORECASE,
)


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


def with_context(sentence: Sentence) -> Sentence:
    """The sentence, preceded by the one before it when it opens by pointing back."""
    if not LEANS_BACK.match(sentence.text):
        return sentence
    before = [s for s in split(sentence.passage) if s.end <= sentence.start]
    if not before:
        return sentence
    return span(sentence.passage, before[-1].start, sentence.end)


def span(passage: Passage, start: int, end: int) -> Sentence:
    """The sentence-like span `start:end` of the document, within `passage`."""
    return Sentence(passage, start, end, passage.text[start - passage.start : end - passage.start])
