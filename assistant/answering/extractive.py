"""The default answerer: the passages' own sentences that best answer the question, cited.

Small local LLMs invent facts; quoting the articles cannot. Sentences are chosen by relevance,
near-repeats are dropped, and the answer reads in document order within each article.
"""

import numpy as np

from assistant.answering.citations import Citation
from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.settings import AnswerSettings

NEAR_REPEAT = 0.85  # cosine above which two sentences say the same thing
KEEP_RATIO = 0.7  # a sentence must score at least this share of the best one


def select(evidence: Evidence, settings: AnswerSettings) -> list[ScoredSentence]:
    """The most relevant sentence, then the others worth adding in reading order."""
    chosen: list[int] = []
    best = evidence.sentences[0].relevance if evidence.sentences else 0.0
    for i, scored in enumerate(evidence.sentences):
        if len(chosen) == settings.max_sentences or scored.relevance < KEEP_RATIO * best:
            break
        vector = evidence.vectors[i]
        if any(float(np.dot(vector, evidence.vectors[j])) > NEAR_REPEAT for j in chosen):
            continue
        if any(_overlaps(scored, evidence.sentences[j]) for j in chosen):
            continue
        chosen.append(i)
    picked = [evidence.sentences[i] for i in chosen]
    doc_rank: dict[str, int] = {}
    for scored in picked:
        doc_rank.setdefault(scored.sentence.passage.doc_id, len(doc_rank))
    rest = sorted(picked[1:], key=lambda s: (doc_rank[s.sentence.passage.doc_id], s.sentence.start))
    return picked[:1] + rest


def _overlaps(a: ScoredSentence, b: ScoredSentence) -> bool:
    """The same span seen through two overlapping chunks."""
    x, y = a.sentence, b.sentence
    return x.passage.doc_id == y.passage.doc_id and x.start < y.end and y.start < x.end


def cite(picked: list[ScoredSentence]) -> list[Citation]:
    return [Citation.of(n, s.sentence, s.relevance) for n, s in enumerate(picked, start=1)]
