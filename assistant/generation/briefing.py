"""The evidence a writer is given: the best sentences, a few per article, numbered.

A small model reads a prompt at about 40 tokens/s on two cores, so the prompt's size is the
answer's latency. Whole chunks would cost ~250 tokens each; the assessor's best sentences say
the same in a fraction of that. Each item is an exact span of its article, so a [n] cites
exactly the text the model read. A sentence that leans on the one before ("This move marks …")
takes that sentence along. Articles come in date order, so time questions read in sequence, and
every outlet the question names is represented.
"""

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering.citations import UNDATED
from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.answering.gathering import Gathered
from assistant.answering.sentences import Sentence, span, with_context
from assistant.prompts import render
from assistant.retrieval.outlets import Mention
from index.dates import day

if TYPE_CHECKING:
    from llama_index.core.llms import ChatMessage

NEAR_REPEAT = 0.85  # cosine above which two sentences say the same thing
KEEP_RATIO = 0.5  # an article is briefed when its best sentence scores this share of the best
_DEFANGED = "\u2039"  # a single angle quote: reads like "<" to a person, opens no tag
PART_SHARE = 2  # exhibits at least each part of a question gets from its own search


@dataclass(frozen=True)
class Exhibit:
    """Item `number` of the brief: an exact span of one article, one or two sentences long."""

    number: int
    sentence: Sentence  # the span cited; `sentence.passage` carries the article's metadata
    relevance: float
    parts: frozenset[int] = frozenset()  # the question's parts whose own search found it

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
    return _numbered(
        [(s.sentence, s.relevance, -1) for s in _choose(evidence, named, limit, per_article)]
    )


def brief_parts(gathered: Gathered, limit: int, per_article: int) -> list[Exhibit]:
    """The brief of a question of several parts: each part's best sentences from its own
    search first, then the whole question's, up to `limit` in all."""
    named = [mention for mention, _ in gathered.search.plan.outlets]
    if not gathered.each:
        return brief(gathered.evidence, named, limit, per_article)
    share = max(PART_SHARE, limit // len(gathered.each))
    chosen: list[tuple[Sentence, float, int]] = []
    for i, part in enumerate(gathered.each):
        own = [mention for mention, _ in part.search.plan.outlets]
        chosen += [
            (s.sentence, s.relevance, i) for s in _choose(part.evidence, own, share, per_article)
        ]
    for scored in _choose(gathered.evidence, named, limit, per_article):
        if len({(c[0].passage.doc_id, c[0].start) for c in chosen}) >= limit:
            break
        chosen.append((scored.sentence, scored.relevance, -1))
    return _numbered(chosen)


def _numbered(chosen: list[tuple[Sentence, float, int]]) -> list[Exhibit]:
    """Exhibits with their context, overlaps joined, numbered by article date and position;
    each remembers the parts (`-1`: the whole question) that chose it."""
    merged = _merged(
        [(with_context(s), relevance, frozenset({part})) for s, relevance, part in chosen]
    )
    order = sorted(
        merged, key=lambda c: (_day(c[0].passage.published), c[0].passage.doc_id, c[0].start)
    )
    return [
        Exhibit(n, sentence, relevance, frozenset(p for p in parts if p >= 0))
        for n, (sentence, relevance, parts) in enumerate(order, 1)
    ]


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


_Span = tuple[Sentence, float, frozenset[int]]


def _merged(spans: list[_Span]) -> list[_Span]:
    """Overlapping spans of one article (a sentence and the context of the next) joined."""
    result: list[_Span] = []
    for sentence, relevance, parts in sorted(
        spans, key=lambda c: (c[0].passage.doc_id, c[0].start)
    ):
        last = result[-1][0] if result else None
        if (
            last is None
            or last.passage.doc_id != sentence.passage.doc_id
            or sentence.start >= last.end
        ):
            result.append((sentence, relevance, parts))
            continue
        score, union = max(result[-1][1], relevance), result[-1][2] | parts
        if sentence.end <= last.end:
            result[-1] = (last, score, union)
        elif sentence.end <= last.passage.end:
            result[-1] = (span(last.passage, last.start, sentence.end), score, union)
        elif last.start >= sentence.passage.start:
            result[-1] = (span(sentence.passage, last.start, sentence.end), score, union)
        elif relevance > result[-1][1]:  # no one chunk holds both: keep the better
            result[-1] = (sentence, relevance, union)
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


def _day(published: str | None) -> str:
    return (published or "")[:10] or "9999"  # undated articles last


def chat(system: str, exhibits: list[Exhibit], question: str) -> "list[ChatMessage]":
    """The model's request: `system` (what to return; the evidence is data), then the fenced
    evidence and the question."""
    from llama_index.core.llms import ChatMessage, MessageRole

    user = render("answer", evidence=fence(exhibits), question=question)
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


def cited(exhibits: int, most: int) -> dict[str, Any]:
    """The JSON schema of evidence numbers: one to `most` of the exhibits that exist."""
    return {
        "type": "array",
        "items": {"type": "integer", "enum": list(range(1, exhibits + 1))},
        "minItems": 1,
        "maxItems": most,
    }


def fence(exhibits: list[Exhibit]) -> str:
    """The exhibits grouped by article, each article's text unable to leave its block."""
    groups: dict[str, list[Exhibit]] = {}
    for exhibit in exhibits:
        groups.setdefault(exhibit.doc_id, []).append(exhibit)
    blocks = []
    for group in groups.values():
        passage = group[0].sentence.passage
        when = day(passage.published)
        items = [
            render("exhibit", number=e.number, text=_defanged(" ".join(e.sentence.text.split())))
            for e in group
        ]
        blocks.append(
            render(
                "article",
                source=escape(passage.source or "unknown"),
                published=when.strftime("%-d %B %Y") if when else UNDATED,
                title=escape(passage.title),
                items="\n".join(items),
            )
        )
    return "\n".join(blocks)


def _defanged(text: str) -> str:
    """Text whose "<" cannot open or close a tag of the prompt."""
    return text.replace("<", _DEFANGED)
