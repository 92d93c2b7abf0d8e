"""Evidence quoted as it reads in the answer: outlet, day, the sentence itself, its number.

A quote is an exact span of its article, so it verifies by construction. A sentence that
points back ("This move marks …") is quoted with the sentence it points to, and never leads.
"""

from typing import Any

from assistant.answering.citations import Answer, Asked, Citation
from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.answering.sentences import LEANS_BACK, Sentence, with_context
from assistant.prompts import render
from index.dates import day

CLOSE_TO_BEST = 0.8  # a further quote scores at least this share of the best one


def quote(citation: Citation) -> str:
    """'TechCrunch, 30 November 2023: “…” [2]' (the day and outlet as the article has them)."""
    text = " ".join(citation.passage.split())
    byline = _byline(citation)
    return f"{byline + ': ' if byline else ''}\u201c{text}\u201d [{citation.number}]"


def _byline(citation: Citation) -> str:
    """'TechCrunch, 30 November 2023'; the outlet or the day alone when the other is unknown."""
    when = day(citation.published)
    return ", ".join(p for p in (citation.source, when and when.strftime("%-d %B %Y")) if p)


def best(evidence: Evidence, most: int) -> list[ScoredSentence]:
    """Up to `most` of the best sentences from different places, with the context a sentence
    pointing back needs, the best first unless it points back with nothing before it."""
    chosen: list[ScoredSentence] = []
    top = evidence.sentences[0].relevance if evidence.sentences else 0.0
    for scored in evidence.sentences:
        if len(chosen) == most or scored.relevance < CLOSE_TO_BEST * top:
            break
        whole = with_context(scored.sentence)
        if any(_overlap(whole, c.sentence) for c in chosen):
            continue
        chosen.append(ScoredSentence(whole, scored.relevance, scored.similarity, scored.coverage))
    leading = [c for c in chosen if not LEANS_BACK.match(c.sentence.text)]
    return leading + [c for c in chosen if LEANS_BACK.match(c.sentence.text)] if leading else chosen


def _overlap(a: Sentence, b: Sentence) -> bool:
    return a.passage.doc_id == b.passage.doc_id and a.start < b.end and b.start < a.end


def told(
    asked: Asked,
    lead: str,
    quoted: list[tuple[Sentence, float]],
    support: float,
    **extra: Any,
) -> tuple[list[str], Answer]:
    """The answer that states `lead` (if any) and quotes the sentences, numbered in order:
    its pieces as they are streamed, and the `Answer` they join into."""
    citations = [Citation.of(n, s, relevance) for n, (s, relevance) in enumerate(quoted, 1)]
    pieces = [quote(c) for c in citations]
    if lead:
        pieces = [f"{lead} {pieces[0]}" if pieces else lead, *pieces[1:]]
    pieces = [p if i == 0 else " " + p for i, p in enumerate(pieces)]
    answer = Answer(
        question=asked.question,
        text="".join(pieces),
        citations=citations,
        searched_for=asked.searched_for,
        support=support,
        snapshot=asked.snapshot,
        **extra,
    )
    return pieces, answer


def instead(asked: Asked, evidence: Evidence, most: int, **extra: Any) -> tuple[list[str], Answer]:
    """The best evidence quoted, for when the model's own answer cannot be shown."""
    chosen = [(s.sentence, s.relevance) for s in best(evidence, most)]
    return told(asked, "", chosen, evidence.support, note=render("quoted_note"), **extra)
