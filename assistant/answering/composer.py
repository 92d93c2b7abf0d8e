"""Answers that know they are about news: dated when asked about time, in order when asked how
something developed, one copy of a syndicated story, and disagreements between reports shown.

Builds on the extractive answerer: the sentences are still the articles' own, cited exactly.
"""

from collections.abc import Iterator

from assistant.answering import conflicts, extractive, syndication, timeline
from assistant.answering.citations import Answer, Asked, Citation, day_of
from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.retrieval.corpus import Corpus
from assistant.settings import AnswerSettings


def stream(
    asked: Asked, evidence: Evidence, settings: AnswerSettings, corpus: Corpus, dated: bool
) -> Iterator[str | Answer]:
    """Yield the answer part by part, then the finished `Answer`; `dated`: the question
    names a time, so every cited sentence says when, and by whom, it was published."""
    evidence = syndication.one_copy_each(evidence, corpus)
    is_timeline = timeline.asks_for_timeline(asked.searched_for)
    disagreements: list[conflicts.Conflict] = []
    if is_timeline:
        picked = timeline.select(evidence)
    else:
        picked = extractive.select(evidence, settings)
        disagreements = conflicts.find(picked, evidence)
        picked, disagreements = _within(picked, disagreements, settings.max_sentences)
    citations = syndication.with_twins(extractive.cite(picked), corpus)
    first_of_doc = {c.doc_id: c.number for c in reversed(citations)}
    parts = [
        _part(c, dated or is_timeline, is_timeline, first_of_doc[c.doc_id] == c.number)
        for c in citations
    ]
    parts += [_disagreement(d, citations) for d in disagreements]
    separator = "\n" if is_timeline else " "
    for i, part in enumerate(parts):
        yield part if i == 0 else separator + part
    yield Answer(
        question=asked.question,
        text=separator.join(parts),
        citations=citations,
        searched_for=asked.searched_for,
        support=evidence.support,
        timeline=is_timeline,
        snapshot=asked.snapshot,
    )


def _within(
    picked: list[ScoredSentence], found: list[conflicts.Conflict], most: int
) -> tuple[list[ScoredSentence], list[conflicts.Conflict]]:
    """The quotes and disagreements that fit in `most` sentences, both sides of each kept.

    A disagreement costs its own sentence and the other side's quote; quotes that are no
    side of one make room for them, latest first.
    """
    found = list(found)
    while found and 2 * len(found) + 1 > most:
        found.pop()
    sides = [c.first for c in found] + [c.second for c in found]
    extra = _other_sides(picked, found)
    room = most - len(extra) - len(found) - sum(1 for s in picked if _among(s, sides))
    others = [s for s in picked if not _among(s, sides)][: max(room, 0)]
    kept = [s for s in picked if _among(s, sides) or _among(s, others)]
    return kept + extra, found


def _among(scored: ScoredSentence, group: list[ScoredSentence]) -> bool:
    return any(scored is other for other in group)


def _other_sides(
    picked: list[ScoredSentence], found: list[conflicts.Conflict]
) -> list[ScoredSentence]:
    """The disagreeing sentences the answer does not quote yet, so both sides are cited."""
    extra: list[ScoredSentence] = []
    for conflict in found:
        if all(conflict.second is not s for s in picked + extra):
            extra.append(conflict.second)
    return extra


def _part(citation: Citation, dated: bool, is_timeline: bool, first_of_doc: bool) -> str:
    """One cited sentence; the first from an article names the other outlets that ran it."""
    text = " ".join(citation.passage.split())
    also = (
        f" (also reported by {'; '.join(citation.also_reported_by)})"
        if citation.also_reported_by and first_of_doc
        else ""
    )
    if is_timeline:
        when = day_of(citation.published)
        source = f"{citation.source}: " if citation.source else ""
        return f"{when} — {source}{text} [{citation.number}]{also}"
    if dated:
        return f"{citation.outlet_and_day()}: {text} [{citation.number}]{also}"
    return f"{text} [{citation.number}]{also}"


def _disagreement(conflict: conflicts.Conflict, citations: list[Citation]) -> str:
    """'The reports differ: 12 people (Coastal Times, 2023-12-05) [1] against 17 ...'."""
    number = {(c.doc_id, c.start): c for c in citations}

    def side(scored: ScoredSentence, amount: str) -> str:
        c = number[(scored.sentence.passage.doc_id, scored.sentence.start)]
        return f"{amount} ({c.outlet_and_day()}) [{c.number}]"

    return (
        f"The reports differ: {side(conflict.first, conflict.first_amount)} against "
        f"{side(conflict.second, conflict.second_amount)}."
    )
