"""How a chunk's sentences hold a question's words: the ranker's sentence-level signals.

A gold fact is one or two sentences of an article; the chunk that holds it is told from the
article's other chunks by a sentence that holds most of the question's rare terms, or of the
clause about the outlet that published it. Terms are BM25's (`index.bm25.tokenize`): words of
two or more characters, lower-cased and Snowball-stemmed; stems are cached, since a news
corpus repeats its words.
"""

import functools
import itertools
import re
from collections.abc import Sequence

import numpy as np
import Stemmer

from index.bm25 import stopwords
from index.sentences import sentence_ends

SIGNALS = ("sentence_coverage", "window_coverage", "best_terms", "bigrams", "sentences")
_WORD = re.compile(r"(?u)\b\w\w+\b")  # bm25s's token pattern
_STEMMER = Stemmer.Stemmer("english")
_STEMS: dict[str, str] = {}
_STOPWORDS = frozenset(stopwords())


def stems(words: list[str]) -> list[str]:
    """Snowball stems of lower-cased words, as BM25 indexes them."""
    words = [w for w in words if w not in _STOPWORDS]
    missing = [w for w in set(words) if w not in _STEMS]
    if missing:
        _STEMS.update(zip(missing, _STEMMER.stemWords(missing), strict=True))
    return [_STEMS[w] for w in words]


@functools.lru_cache(maxsize=8192)  # the chunks a news archive's questions keep finding
def sentence_terms(text: str) -> tuple[tuple[str, ...], ...]:
    """Each sentence's terms, in order (one empty sentence for a text without words)."""
    lower, begin, sentences = text.lower(), 0, []
    for end in sentence_ends(text):
        sentences.append(tuple(stems(_WORD.findall(lower, begin, end))))
        begin = end
    return tuple(sentences) or ((),)


def signals(
    sentences: Sequence[Sequence[str]], terms: Sequence[str], weights: dict[str, float]
) -> list[float]:
    """`SIGNALS` for one chunk: the IDF-weighted share of `terms` in its best sentence and best
    two adjacent sentences, the number of terms in the best sentence, the share of the terms'
    adjacent pairs found adjacent in the chunk, and its number of sentences."""
    total = sum(weights.values()) or 1.0
    sets = [set(s) for s in sentences]
    held = [sum(w for t, w in weights.items() if t in s) / total for s in sets]
    pairs = [held[i] + _new(weights, sets[i + 1], sets[i]) / total for i in range(len(sets) - 1)]
    wanted = set(itertools.pairwise(terms))
    flat = [t for s in sentences for t in s]
    found = wanted & set(itertools.pairwise(flat))
    return [
        max(held),
        max(pairs, default=held[0]),
        float(max(len(set(weights) & s) for s in sets)),
        len(found) / len(wanted) if wanted else 0.0,
        float(len(sentences)),
    ]


def _new(weights: dict[str, float], these: set[str], already: set[str]) -> float:
    """The weight of the terms in `these` that `already` lacks."""
    return sum(w for t, w in weights.items() if t in these and t not in already)


def coverage(sentences: Sequence[Sequence[str]], weights: dict[str, float]) -> tuple[float, float]:
    """The IDF-weighted share of terms in the best sentence, and in the whole chunk."""
    total = sum(weights.values()) or 1.0
    sets = [set(s) for s in sentences]
    every = set().union(*sets)
    best = max(sum(w for t, w in weights.items() if t in s) for s in sets)
    return best / total, sum(w for t, w in weights.items() if t in every) / total


def missing(n: int, width: int) -> np.ndarray:
    """Rows for candidates outside the shortlist: the ranker treats NaN as not measured."""
    return np.full((n, width), np.nan, dtype=np.float32)
