"""Evidence for a question and for each of its parts, each part searched in its own scope.

A question naming two reports searched as one string finds mostly one of them; each part
(`retrieval/parts.py`) gets its own search in its outlet and dates, and its own scored
sentences, so the brief can hold every report the question asks about.
"""

from dataclasses import dataclass

from assistant.answering.evidence import Assessor, Evidence
from assistant.retrieval.parts import Part, Parts
from assistant.retrieval.retriever import HybridRetriever, Search

PART_PASSAGES = 4  # passages read per part: its report is near the top of its own search


@dataclass(frozen=True)
class PartEvidence:
    """One part, what its own search found, and its sentences scored against its words."""

    part: Part
    search: Search
    evidence: Evidence


@dataclass(frozen=True)
class Gathered:
    """The whole question's search and evidence, and each part's when it has several."""

    parts: Parts
    search: Search
    evidence: Evidence
    each: list[PartEvidence]  # empty for a question of one part


def gather(
    parts: Parts,
    retriever: HybridRetriever,
    assessor: Assessor,
    top_k: int,
    each: bool = True,
    searched: Search | None = None,
) -> Gathered:
    """Search the whole question (unless `searched` already did), then (`each`) every part of
    a question of several, and score their sentences."""
    search = searched or retriever.search(parts.question, top_k)
    evidence = assessor.assess(parts.question, search.passages, search.vector)
    found = []
    if each and parts.split:
        for part in parts.parts:
            own = retriever.search(part.query, PART_PASSAGES)
            found.append(PartEvidence(part, own, assessor.assess(part.claim, own.passages)))
    return Gathered(parts, search, evidence, found)
