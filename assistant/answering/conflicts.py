"""Reports that disagree: two cited sentences giving different numbers or dates for one thing.

"At least 12 people were killed" and "the collapse killed 17 people" are about one event when
the sentences are close in meaning, come from different articles published within a few days
of each other, and differ in exactly one amount. Sentences that differ in several (runs, balls,
wickets and overs) describe different events, such as two matches, not one event twice.
"""

import re
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.retrieval import timeframe
from index.dates import day

SAME_TOPIC = 0.6  # cosine above which two sentences are taken to be about the same thing
WINDOW_DAYS = 3  # reports further apart may describe a later state, not a disagreement
CANDIDATE_RATIO = 0.5  # sentences that may hold the other side: this share of the best score

_QUANTITY = re.compile(
    r"(?<![\w.,$])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s+(million|billion|thousand))?"
    r"\s+(?:(?:more|fewer|other|additional|people's)\s+)?([A-Za-z]+)"
)
_NOT_UNITS = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "in",
        "of",
        "on",
        "at",
        "to",
        "for",
        "or",
        "by",
        "with",
        "from",
        "as",
        "is",
        "was",
        "were",
        "are",
        "be",
        "has",
        "had",
        "have",
        "percent",
        "per",
    ]
)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9}


@dataclass(frozen=True)
class Conflict:
    """Two sentences that give different amounts of one unit."""

    unit: str
    first: ScoredSentence
    first_amount: str
    second: ScoredSentence
    second_amount: str


def quantities(text: str) -> dict[str, tuple[float, str]]:
    """Amounts by unit ('people' -> (17.0, '17 people')), first mention of each unit."""
    found: dict[str, tuple[float, str]] = {}
    for match in _QUANTITY.finditer(text):
        number, scale, word = match.groups()
        unit = word.lower()
        if unit in _NOT_UNITS or (not scale and re.fullmatch(r"(19|20)\d\d", number)):
            continue
        unit = unit[:-1] if unit.endswith("s") and len(unit) > 3 else unit
        value = float(number.replace(",", "")) * _SCALE.get(scale or "", 1.0)
        found.setdefault(unit, (value, " ".join(p for p in (number, scale, word) if p)))
    return found


def find(picked: list[ScoredSentence], evidence: Evidence) -> list[Conflict]:
    """Disagreements between an answer sentence and another relevant sentence, one per unit."""
    if not picked or not evidence.sentences:
        return []
    best = evidence.sentences[0].relevance
    index = {id(s): i for i, s in enumerate(evidence.sentences)}
    pool = [s for s in evidence.sentences if s.relevance >= CANDIDATE_RATIO * best]
    conflicts: dict[str, Conflict] = {}
    for a in picked:
        for b in pool:
            for conflict in _between(a, b, evidence.vectors, index):
                conflicts.setdefault(conflict.unit, conflict)
    return list(conflicts.values())


def _between(
    a: ScoredSentence, b: ScoredSentence, vectors: np.ndarray, index: dict[int, int]
) -> list[Conflict]:
    pa, pb = a.sentence.passage, b.sentence.passage
    if pa.doc_id == pb.doc_id or not _close_in_time(day(pa.published), day(pb.published)):
        return []
    if float(vectors[index[id(a)]] @ vectors[index[id(b)]]) < SAME_TOPIC:
        return []
    qa = quantities(a.sentence.text) | _day_named(a.sentence.text, day(pa.published))
    qb = quantities(b.sentence.text) | _day_named(b.sentence.text, day(pb.published))
    differing = [unit for unit in sorted(qa.keys() & qb.keys()) if qa[unit][0] != qb[unit][0]]
    if len(differing) != 1:
        return []
    unit = differing[0]
    return [Conflict(unit, a, qa[unit][1], b, qb[unit][1])]


def _day_named(text: str, published: date | None) -> dict[str, tuple[float, str]]:
    """The one calendar day a sentence names ("on October 3"), as unit "date"."""
    days = [f for f in timeframe.find(text, published or date.today()) if f.start == f.end]
    if len(days) != 1 or days[0].start is None:
        return {}
    return {"date": (float(days[0].start.toordinal()), days[0].phrase)}


def _close_in_time(a: date | None, b: date | None) -> bool:
    return a is None or b is None or abs((a - b).days) <= WINDOW_DAYS
