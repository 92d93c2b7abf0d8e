"""The evidence a writer is given: the best sentences, a few per article, numbered.

A small model reads a prompt at about 40 tokens/s on two cores, so the prompt's size is the
answer's latency. Whole chunks would cost ~250 tokens each; the assessor's best sentences say
the same in a fraction of that. Each item is an exact span of its article, so a [n] cites
exactly the text the model read. A sentence that leans on the one before ("This move marks …")
takes that sentence along. Articles come in date order, so time questions read in sequence, and
every outlet the question names is represented.
"""

import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.answering.sentences import Sentence, split
from assistant.retrieval.outlets import Mention
from assistant.retrieval.passage import Passage

NEAR_REPEAT = 0.85  # cosine above which two sentences say the same thing
KEEP_RATIO = 0.5  # an article is briefed when its best sentence scores this share of the best
_LEANS_BACK = re.compile(
    r"^(?:this|that|these|those|it|its|he|she|his|her|they|their|them|such|the move|"
    r"the decision|the deal|the company|however|but|also|meanwhile|instead|still)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Exhibit:
    """Item `number` of the brief: an exact span of one article, one or two sentences long."""

    number: int
    sentence: Sentence  # the span cited; `sentence.passage` carries the article's metadata
    relevance: float

    @property
    def doc_id(self) -> str:
        return self.sentence.passage.doc_id


def brief(
    evidence: Evidence,
    named: list[Mention],
    limit: int,
    per_article: int,
) -> list[Exhibit]:
    """Up to `limit` exhibits, at most `per_article` from one article when several compete,
    numbered in prompt order (articles by date, sentences as they appear)."""
    chosen = _merged(
        [
            (_with_context(s.sentence), s.relevance)
            for s in _choose(evidence, named, limit, per_article)
        ]
    )
    order = sorted(
        chosen, key=lambda c: (_day(c[0].passage.published), c[0].passage.doc_id, c[0].start)
    )
    return [Exhibit(n, sentence, relevance) for n, (sentence, relevance) in enumerate(order, 1)]


def _choose(
    evidence: Evidence, named: list[Mention], limit: int, per_article: int
) -> list[ScoredSentence]:
    """Round-robin over the articles worth briefing, best sentences first."""
    by_doc: dict[str, list[int]] = {}
    for i, scored in enumerate(evidence.sentences):
        if scored.relevance >= KEEP_RATIO * evidence.sentences[0].relevance:
            by_doc.setdefault(scored.sentence.passage.doc_id, []).append(i)
    for mention in named:  # every outlet asked about gets its best article in
        own = [
            i
            for i, s in enumerate(evidence.sentences)
            if s.sentence.passage.source in mention.sources
        ]
        doc = evidence.sentences[own[0]].sentence.passage.doc_id if own else None
        if doc is not None and doc not in by_doc:
            by_doc[doc] = [i for i in own if evidence.sentences[i].sentence.passage.doc_id == doc]
    cap = max(per_article, limit // max(len(by_doc), 1))
    picked: list[int] = []
    queues = [list(rows) for rows in by_doc.values()]
    while len(picked) < limit and any(queues):
        for rows in queues:
            while rows:
                row = rows.pop(0)
                taken = sum(
                    evidence.sentences[p].sentence.passage.doc_id
                    == evidence.sentences[row].sentence.passage.doc_id
                    for p in picked
                )
                if taken < cap and not _repeats(evidence, row, picked):
                    picked.append(row)
                    break
            if len(picked) >= limit:
                break
    return [evidence.sentences[i] for i in picked]


def _merged(spans: list[tuple[Sentence, float]]) -> list[tuple[Sentence, float]]:
    """Overlapping spans of one article (a sentence and the context of the next) joined."""
    result: list[tuple[Sentence, float]] = []
    for sentence, relevance in sorted(spans, key=lambda c: (c[0].passage.doc_id, c[0].start)):
        last = result[-1][0] if result else None
        if last is None or last.passage.doc_id != sentence.passage.doc_id:
            result.append((sentence, relevance))
            continue
        if sentence.start >= last.end:
            result.append((sentence, relevance))
            continue
        score = max(result[-1][1], relevance)
        if sentence.end <= last.end:
            result[-1] = (last, score)
        elif sentence.end <= last.passage.end:
            result[-1] = (_span(last.passage, last.start, sentence.end), score)
        elif last.start >= sentence.passage.start:
            result[-1] = (_span(sentence.passage, last.start, sentence.end), score)
        elif relevance > result[-1][1]:  # no one chunk holds both: keep the better
            result[-1] = (sentence, relevance)
    return result


def _repeats(evidence: Evidence, row: int, picked: list[int]) -> bool:
    """The same sentence seen through another chunk, or one saying the same thing."""
    s = evidence.sentences[row].sentence
    for other in picked:
        o = evidence.sentences[other].sentence
        if o.passage.doc_id == s.passage.doc_id and o.start < s.end and s.start < o.end:
            return True
        if float(np.dot(evidence.vectors[row], evidence.vectors[other])) > NEAR_REPEAT:
            return True
    return False


def _with_context(sentence: Sentence) -> Sentence:
    """The sentence, preceded by the one before it when it opens by pointing back."""
    if not _LEANS_BACK.match(sentence.text):
        return sentence
    before = [s for s in split(sentence.passage) if s.end <= sentence.start]
    if not before:
        return sentence
    return _span(sentence.passage, before[-1].start, sentence.end)


def _span(passage: Passage, start: int, end: int) -> Sentence:
    """The sentence-like span `start:end` of the document, within `passage`."""
    return Sentence(passage, start, end, passage.text[start - passage.start : end - passage.start])


def _day(published: str | None) -> str:
    return (published or "")[:10] or "9999"  # undated articles last
