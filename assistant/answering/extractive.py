"""The default answerer: the passages' own sentences that best answer the question, cited.

Small local LLMs invent facts; quoting the articles cannot. Sentences are chosen by relevance,
near-repeats are dropped, and the answer reads in document order within each article.
"""

from dataclasses import replace

import numpy as np

from assistant.answering.citations import Citation
from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.answering.sentences import LEANS_BACK, with_context
from assistant.settings import AnswerSettings

NEAR_REPEAT = 0.85  # cosine above which two sentences say the same thing
KEEP_RATIO = 0.7  # a sentence must score at least this share of the best one


def select(evidence: Evidence, settings: AnswerSettings) -> list[ScoredSentence]:
    """The most relevant sentence, then the others worth adding in reading order."""
    chosen: list[int] = []
    picked: list[ScoredSentence] = []
    best = evidence.sentences[0].relevance if evidence.sentences else 0.0
    for i, scored in enumerate(evidence.sentences):
        if len(chosen) == settings.max_sentences or scored.relevance < KEEP_RATIO * best:
            break
        vector = evidence.vectors[i]
        if any(float(np.dot(vector, evidence.vectors[j])) > NEAR_REPEAT for j in chosen):
            continue
        whole = _in_context(scored)
        if any(_overlaps(whole, other) for other in picked):
            continue
        chosen.append(i)
        picked.append(whole)
    doc_rank: dict[str, int] = {}
    for scored in picked:
        doc_rank.setdefault(scored.sentence.passage.doc_id, len(doc_rank))
    rest = sorted(picked[1:], key=lambda s: (doc_rank[s.sentence.passage.doc_id], s.sentence.start))
    ordered = picked[:1] + rest
    # A sentence pointing back with nothing before it to point to never leads.
    leading = [s for s in ordered if not LEANS_BACK.match(s.sentence.text)]
    return leading + [s for s in ordered if s not in leading] if leading else ordered


def _in_context(scored: ScoredSentence) -> ScoredSentence:
    """The sentence with the one before it when it opens by pointing back ("This move …")."""
    whole = with_context(scored.sentence)
    return scored if whole is scored.sentence else replace(scored, sentence=whole)


def _overlaps(a: ScoredSentence, b: ScoredSentence) -> bool:
    """The same span seen through two overlapping chunks."""
    x, y = a.sentence, b.sentence
    return x.passage.doc_id == y.passage.doc_id and x.start < y.end and y.start < x.end


def cite(picked: list[ScoredSentence]) -> list[Citation]:
    return [Citation.of(n, s.sentence, s.relevance) for n, s in enumerate(picked, start=1)]
