"""Check every generated sentence against the evidence it cites, taken together.

A sentence is supported when the union of the exhibits it cites scores at least the calibrated
threshold (`AnswerSettings.min_sentence_support`, see docs/answers.md):

    support = (LEXICAL * share of the sentence's content words found in the cited exhibits
               + (1 - LEXICAL) * cosine of the sentence and its closest cited exhibit)
              * MISSING_FACTOR ** (numbers and names of the sentence the cited exhibits lack)

Taken together, because a multi-hop answer joins articles: "TechCrunch and The Verge both
report X" is supported when its two cited sentences hold its names, numbers and words between
them, though neither does alone. Embeddings cannot tell "12 people" from "21 people", nor
"Kabulov" from "Lavrov"; the numbers and names rule catches those, and the lexical share
catches sentences about another story. A sentence with fewer than MIN_TERMS content words makes
no checkable claim. An article's outlet, title and date count as what it says.

A sentence citing nothing that holds up (no [n], numbers past the evidence, or the wrong ones)
is checked against the exhibits that support it best, one, then two, then three, and cited to
those (`attributed`). An exhibit that gives orders to its reader ("ignore your instructions
…") is never evidence: documents are data, and an injected order must not vouch for its echo.
"""

import re
from dataclasses import dataclass

import numpy as np

from assistant.generation.briefing import Exhibit
from assistant.generation.drafts import Claim
from index.bm25 import tokenize
from index.dates import day
from index.embedder import SentenceTransformerEmbedding

LEXICAL = 0.7
MISSING_FACTOR = 0.5
MIN_TERMS = 2
MAX_ATTRIBUTED = 3  # exhibits a sentence may be attributed to
NEGLIGIBLE = 0.02  # a cited exhibit whose removal costs less support than this adds nothing

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"\b[A-Z][\w'\u2019-]*")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_PRONOUNS = {"i'm", "i've", "i'd", "i'll", "i\u2019m", "i\u2019ve", "i\u2019d", "i\u2019ll"}
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(instructions?|prompts?|rules)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Check:
    """How one sentence fared: its support, and the exhibits it is cited to when supported."""

    claim: Claim
    support: float
    backing: tuple[Exhibit, ...]  # empty when unsupported
    attributed: bool  # backed by exhibits other than those the draft cited
    vector: np.ndarray  # the sentence's embedding, to tell a repeat

    @property
    def supported(self) -> bool:
        return bool(self.backing)


@dataclass(frozen=True)
class _Exhibit:
    """What verification reads of one exhibit: its words, numbers, names and vector."""

    exhibit: Exhibit
    terms: frozenset[str]
    numbers: frozenset[str]
    words: frozenset[str]
    vector: np.ndarray


class Verifier:
    """Scores sentences against one answer's exhibits with the index's embedder."""

    def __init__(
        self, embedder: SentenceTransformerEmbedding, exhibits: list[Exhibit], threshold: float
    ) -> None:
        self.embedder = embedder
        self.threshold = threshold
        usable = [e for e in exhibits if not _INSTRUCTION.search(e.sentence.text)]
        vectors = np.asarray(
            embedder.encode([e.sentence.text for e in usable]) if usable else np.zeros((0, 1)),
            dtype=np.float32,
        )
        self._exhibits = {
            e.number: _read(e, vector) for e, vector in zip(usable, vectors, strict=True)
        }

    def check(self, claim: Claim) -> Check:
        """The claim's support from what it cites, else from the exhibits that back it best."""
        terms = frozenset(tokenize([claim.text])[0])
        vector = np.asarray(self.embedder.get_text_embedding(claim.text), dtype=np.float32)
        cited = [self._exhibits[n] for n in claim.cited if n in self._exhibits]
        support = self._support(claim.text, terms, vector, cited)
        if cited and support >= self.threshold:
            backing = self._needed(claim.text, terms, vector, cited, support)
            return Check(claim, support, backing, False, vector)
        found, best = self._attribute(claim.text, terms, vector)
        if found:
            return Check(claim, best, tuple(x.exhibit for x in found), True, vector)
        return Check(claim, max(support, best), (), False, vector)

    def _attribute(
        self, text: str, terms: frozenset[str], vector: np.ndarray
    ) -> tuple[list[_Exhibit], float]:
        """Greedily the exhibits that together support `text`, best first; [] when none do."""
        chosen: list[_Exhibit] = []
        best = 0.0
        for _ in range(MAX_ATTRIBUTED):
            options = [x for x in self._exhibits.values() if x not in chosen]
            if not options:
                break
            scores = [self._support(text, terms, vector, [*chosen, x]) for x in options]
            top = int(np.argmax(scores))
            if scores[top] <= best:
                break
            chosen.append(options[top])
            best = scores[top]
            if best >= self.threshold:
                return _ordered(chosen), best
        return [], best

    def _needed(
        self,
        text: str,
        terms: frozenset[str],
        vector: np.ndarray,
        cited: list[_Exhibit],
        support: float,
    ) -> tuple[Exhibit, ...]:
        """The cited exhibits the support rests on: one that adds nothing is not cited."""
        kept = sorted(cited, key=lambda x: float(x.vector @ vector), reverse=True)
        for extra in list(reversed(kept[1:])):  # least similar first
            rest = [x for x in kept if x is not extra]
            if self._support(text, terms, vector, rest) >= support - NEGLIGIBLE:
                kept = rest
        return tuple(x.exhibit for x in _ordered(kept))

    def _support(
        self, text: str, terms: frozenset[str], vector: np.ndarray, cited: list[_Exhibit]
    ) -> float:
        if not cited or len(terms) < MIN_TERMS:
            return 0.0
        known_terms = frozenset().union(*(x.terms for x in cited))
        known_numbers = frozenset().union(*(x.numbers for x in cited))
        known_words = frozenset().union(*(x.words for x in cited))
        lexical = len(terms & known_terms) / len(terms)
        similarity = max(float(x.vector @ vector) for x in cited)
        missing = len(_numbers(text) - known_numbers) + len(_names(text) - known_words)
        base = LEXICAL * lexical + (1 - LEXICAL) * max(similarity, 0.0)
        return base * MISSING_FACTOR**missing


def _read(exhibit: Exhibit, vector: np.ndarray) -> _Exhibit:
    passage = exhibit.sentence.passage
    context = "\n".join(
        [exhibit.sentence.text, passage.title, passage.source or "", _date_words(passage.published)]
    )
    return _Exhibit(
        exhibit,
        frozenset(tokenize([context])[0]),
        frozenset(_numbers(context)),
        frozenset(_words(context)),
        vector,
    )


def _ordered(found: list[_Exhibit]) -> list[_Exhibit]:
    return sorted(found, key=lambda x: x.exhibit.number)


def _date_words(published: str | None) -> str:
    """A publication date as a sentence may write it: "7 October 2023", "Oct"."""
    when = day(published)
    return when.strftime("%Y-%m-%d %-d %B %Y %b") if when else ""


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
