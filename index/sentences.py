"""Where sentences end in news copy: one rule for chunking and for the evidence an answer cites.

A sentence ends at . ! or ? (optionally followed by closing quotes or brackets) before white
space and a capital, digit or opening quote; a line break always ends one (headlines, bylines
and list items carry no final stop). Abbreviations such as "U.S." rarely precede a capital
mid-sentence in news copy; titles before a name and months before a day are kept with them.
A regular expression instead of NLTK's Punkt: Punkt's import alone cost more than embedding
one article.
"""

import re

CLOSE = "\"')\\]\u201d\u2019"  # closing quotes and brackets, straight and curly
OPEN = "\"'(\\[\u201c\u2018"
END = re.compile(rf"[.!?][{CLOSE}]*(?=\s+[{OPEN}]?[A-Z0-9])|\n+")
# Titles before a name, and months before a day ("Oct. 5"), do not end a sentence.
TITLES = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "Gov.", "Sen.", "Rep.", "Gen.", "Lt.", "Jr.")
MONTHS = ("Jan.", "Feb.", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
ABBREVIATIONS = TITLES + MONTHS


def sentence_ends(text: str) -> list[int]:
    """Offsets just past each sentence's last character, the text's end included."""
    ends, last = [], 0
    for match in END.finditer(text):
        if text[last : match.end()].rstrip().endswith(ABBREVIATIONS):
            continue
        ends.append(match.end())
        last = match.end()
    if last < len(text):
        ends.append(len(text))
    return ends


def split_keeping_space(text: str) -> list[str]:
    """The text cut into sentences that join back into it exactly; each piece keeps the white
    space that follows it, as LlamaIndex's splitter expects of its sentence tokenizer."""
    pieces, start = [], 0
    for end in sentence_ends(text):
        while end < len(text) and text[end].isspace():
            end += 1
        if end > start:
            pieces.append(text[start:end])
            start = end
    return pieces
