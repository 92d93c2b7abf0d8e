"""Split passages into sentences that keep their exact offsets in the document."""

import re
from dataclasses import dataclass

from assistant.retrieval.passage import Passage

# A sentence ends at . ! or ? (optionally followed by closing quotes or brackets) before white
# space and a capital, digit or opening quote; line breaks always end one. Abbreviations such as
# "U.S." rarely precede a capital mid-sentence in news copy, and a wrong split costs little here.
CLOSING = "\"')\\]\u201d\u2019"  # closing quotes and brackets, straight and curly
_OPEN = "\"'(\\[\u201c\u2018"
_END = re.compile(rf"[.!?][{CLOSING}]*(?=\s+[{_OPEN}]?[A-Z0-9])|\n+")
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Gov.", "Sen.", "Rep.", "Gen.", "Lt.", "Jr.")
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
    text, cuts, last = passage.text, [], 0
    for match in _END.finditer(passage.text):
        if text[last : match.end()].rstrip().endswith(_ABBREVIATIONS):
            continue
        cuts.append((last, match.end()))
        last = match.end()
    cuts.append((last, len(text)))
    sentences = []
    for begin, end in cuts:
        piece = text[begin:end]
        stripped = piece.strip()
        if len(stripped) < _MIN_CHARS or not any(ch.isalpha() for ch in stripped):
            continue
        offset = begin + (len(piece) - len(piece.lstrip()))
        start = passage.start + offset
        sentences.append(Sentence(passage, start, start + len(stripped), stripped))
    return sentences
