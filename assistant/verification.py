"""Check every generated sentence against the passages it cites, and cite exact spans.

A sentence counts as supported when one passage it cites scores at least the calibrated
threshold (`AnswerSettings.min_sentence_support`, see docs/verification.md):

    support = (LEXICAL * share of the sentence's content words found in the passage
               + (1 - LEXICAL) * cosine of the sentence and the passage's closest sentence)
              * MISSING_FACTOR ** (numbers and names of the sentence the passage lacks)

Embeddings alone cannot tell "12 people" from "21 people", nor "Kabulov" from "Lavrov"; the
numbers and names rule catches those, and the lexical share catches sentences about another
story. A sentence with fewer than MIN_TERMS content words makes no checkable claim.

A sentence is checked against the passages it cites; citations to passages that were not
given are removed. Small models often write no [n] at all: such a sentence is checked against
every passage given and, when one supports it, cited to that one (reported as `attributed`).
A passage sentence that gives orders to its reader ("ignore your instructions ...") is never
evidence: documents are data, and an injected instruction must not vouch for its own echo.
"""

import re
from dataclasses import dataclass

import numpy as np

from assistant.citations import Citation, SentenceCheck
from assistant.retrieval import Passage
from assistant.sentences import Sentence, split
from index.bm25 import tokenize
from index.embedder import SentenceTransformerEmbedding

LEXICAL = 0.5
MISSING_FACTOR = 0.5
MIN_TERMS = 2
UNSUPPORTED = "[unsupported]"

_CLOSE = "\"')\\]\u201d\u2019"
_END = re.compile(rf"[.!?]+[{_CLOSE}]*(?:\s*\[[\d,\s]+\])*(?=\s|$)|\n+")
_MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][\w'\u2019-]*")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_PRONOUNS = {"i'm", "i've", "i'd", "i'll", "i\u2019m", "i\u2019ve", "i\u2019d", "i\u2019ll"}
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(instructions?|prompts?|rules)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    """One generated sentence: its words without markers, and the passage numbers it cites."""

    text: str
    cited: tuple[int, ...]  # as written, including numbers of passages that do not exist


@dataclass(frozen=True)
class Verified:
    """The verified answer: its text with renumbered markers, exact citations, and the report."""

    text: str
    citations: list[Citation]
    checks: list[SentenceCheck]

    @property
    def supported(self) -> int:
        return sum(check.supported for check in self.checks)


def claims(answer: str) -> list[Claim]:
    """The generated answer cut into sentences, each with the [n] numbers it carries."""
    found, last = [], 0
    for match in _END.finditer(answer):
        found.append(answer[last : match.end()])
        last = match.end()
    found.append(answer[last:])
    result = []
    for piece in found:
        cited = tuple(int(n) for group in _MARKER.findall(piece) for n in group.split(","))
        text = " ".join(_MARKER.sub(" ", piece).split())
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        if any(ch.isalnum() for ch in text):
            result.append(Claim(text, tuple(dict.fromkeys(cited))))
    return result


@dataclass(frozen=True)
class Support:
    """How one passage bears on one claim, and the passage sentence closest to the claim."""

    lexical: float  # share of the claim's content words found in the passage or its title
    similarity: float  # cosine of the claim and the passage's closest sentence
    missing: int  # numbers and names of the claim that the passage lacks
    sentence: Sentence | None  # None when the claim has too few content words to check

    def score(self, lexical_weight: float = LEXICAL) -> float:
        if self.sentence is None:
            return 0.0
        base = lexical_weight * self.lexical + (1 - lexical_weight) * max(self.similarity, 0.0)
        return base * MISSING_FACTOR**self.missing


class Verifier:
    """Scores claims against passages with the index's embedder; see the module docstring."""

    def __init__(self, embedder: SentenceTransformerEmbedding, threshold: float) -> None:
        self.embedder = embedder
        self.threshold = threshold

    def supports(self, claim: str, passages: list[Passage]) -> list[Support]:
        """How each of `passages` supports `claim`."""
        terms = set(tokenize([claim])[0])
        sentences = [split(p) or [_whole(p)] for p in passages]
        flat = [s.text for group in sentences for s in group]
        vectors = np.asarray(self.embedder.encode([claim, *flat]), dtype=np.float32)
        similarity = vectors[1:] @ vectors[0]
        results, offset = [], 0
        for passage, group in zip(passages, sentences, strict=True):
            sims = similarity[offset : offset + len(group)]
            offset += len(group)
            results.append(_support(claim, terms, passage, group, sims))
        return results

    def verify(self, answer: str, passages: list[Passage], mark_unsupported: bool) -> Verified:
        """Keep (or mark) each sentence by its support; cite the best span of each passage."""
        spans: dict[tuple[str, int, int], Citation] = {}
        parts: list[str] = []
        checks: list[SentenceCheck] = []
        for claim in claims(answer):
            given = [n for n in claim.cited if 1 <= n <= len(passages)]
            candidates = given or list(range(1, len(passages) + 1))
            found = self.supports(claim.text, [passages[n - 1] for n in candidates])
            scores = [s.score() for s in found]
            backing = [i for i, score in enumerate(scores) if score >= self.threshold]
            if not given and backing:  # attributed: the one passage that supports it best
                backing = [max(backing, key=lambda i: scores[i])]
            support = max(scores, default=0.0)
            cited = tuple(given) if given else tuple(candidates[i] for i in backing)
            checks.append(
                SentenceCheck(claim.text, cited, round(support, 4), bool(backing), not given)
            )
            if backing:
                numbers = [
                    _cite(spans, sentence, scores[i]).number
                    for i in backing
                    if (sentence := found[i].sentence) is not None
                ]
                parts.append(claim.text + " " + "".join(f"[{n}]" for n in numbers))
            elif mark_unsupported:
                parts.append(f"{claim.text} {UNSUPPORTED}")
        return Verified(" ".join(parts), list(spans.values()), checks)


def _support(
    claim: str, terms: set[str], passage: Passage, group: list[Sentence], sims: np.ndarray
) -> Support:
    evidence = [i for i, s in enumerate(group) if not _INSTRUCTION.search(s.text)]
    if not evidence:
        return Support(0.0, 0.0, 0, None)
    context = "\n".join([passage.title, *(group[i].text for i in evidence)])
    missing = len(_numbers(claim) - _numbers(context)) + len(_names(claim) - _words(context))
    similarity = max(float(sims[i]) for i in evidence)
    if len(terms) < MIN_TERMS:
        return Support(0.0, similarity, missing, None)
    lexical = len(terms & set(tokenize([context])[0])) / len(terms)
    # The cited span: the sentence closest in meaning and wording to the claim.
    own = tokenize([group[i].text for i in evidence])
    best = max(
        range(len(evidence)),
        key=lambda k: float(sims[evidence[k]]) + len(terms & set(own[k])) / len(terms),
    )
    return Support(lexical, similarity, missing, group[evidence[best]])


def _cite(
    spans: dict[tuple[str, int, int], Citation], sentence: Sentence, score: float
) -> Citation:
    """The citation of `sentence`, numbered in order of first use; one number per span."""
    key = (sentence.passage.doc_id, sentence.start, sentence.end)
    if key not in spans:
        spans[key] = Citation.of(len(spans) + 1, sentence, score)
    return spans[key]


def _whole(passage: Passage) -> Sentence:
    """A passage too short to split: its whole span stands as one sentence."""
    return Sentence(passage, passage.start, passage.end, passage.text)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def _names(claim: str) -> set[str]:
    """Capitalized words after the first: the people, places and bodies a sentence names."""
    parts = [part for word in _NAME.findall(claim) for part in word.split("-")]
    opening = _word(claim.split()[0].split("-")[0]) if claim.split() else ""
    found = {_word(p) for p in parts if p[:1].isupper() and len(_word(p)) > 1}
    return found - {opening} - _PRONOUNS


def _words(text: str) -> set[str]:
    """Every word of `text`, and each part of a hyphenated one ("pre-Series": "series")."""
    words = {_word(w) for w in re.findall(r"[\w'\u2019-]+", text)}
    return words | {_word(part) for w in words for part in w.split("-")}


def _word(text: str) -> str:
    return _POSSESSIVE.sub("", text.strip("'\u2019\u2018\"-")).lower()
