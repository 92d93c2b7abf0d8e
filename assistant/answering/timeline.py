"""Answers to questions about how something developed: one dated step per article, in order."""

import re
from datetime import date

from assistant.answering.evidence import Evidence, ScoredSentence
from index.dates import day

STEPS = 8  # most steps in a timeline
KEEP_RATIO = 0.6  # an article's best sentence must score this share of the best overall

_ASKS = re.compile(
    r"\btime ?line\b|\bchronolog|\bsequence of events\b|\bstep by step\b|"
    r"\bhow (?:did|has|have|do|does) .+? (?:unfold|develop|evolve|progress|play out|"
    r"come about|change)|\bover time\b|\bwhat (?:has )?happened (?:with|to|in) the\b",
    re.I,
)


def asks_for_timeline(question: str) -> bool:
    """Whether the question asks how something developed rather than for one fact."""
    return bool(_ASKS.search(question))


def select(evidence: Evidence, steps: int = STEPS) -> list[ScoredSentence]:
    """Each relevant article's best sentence, oldest article first (undated ones last)."""
    if not evidence.sentences:
        return []
    best = evidence.sentences[0].relevance
    chosen: dict[str, ScoredSentence] = {}
    for scored in evidence.sentences:  # best first, so the first per article is its best
        if scored.relevance < KEEP_RATIO * best or len(chosen) == steps:
            break
        chosen.setdefault(scored.sentence.passage.doc_id, scored)
    return sorted(chosen.values(), key=_when)


def _when(scored: ScoredSentence) -> tuple[date, str, int]:
    passage = scored.sentence.passage
    return day(passage.published) or date.max, passage.published or "", scored.sentence.start
