"""The same story from several outlets: cite one copy and name the others.

Near-duplicates are grouped when indexed (index/duplicates.py). An answer quotes the copy that
ranked best and drops its twins' sentences, which would only repeat it; the citation lists the
other outlets as "also reported by".
"""

from dataclasses import replace

from assistant.answering.citations import Citation, day_of
from assistant.answering.evidence import Evidence
from assistant.retrieval.corpus import Corpus


def twins(corpus: Corpus, doc_id: str) -> list[str]:
    """The other documents in `doc_id`'s group of near-duplicates."""
    record = corpus.documents.get(doc_id)
    if record is None or not record.group:
        return []
    return [d for d in corpus.same_story.get(record.group, []) if d != doc_id]


def one_copy_each(evidence: Evidence, corpus: Corpus) -> Evidence:
    """Evidence without the sentences of copies whose twin ranked higher."""
    chosen: dict[str, str] = {}  # group -> the doc_id that represents it
    keep = []
    for i, scored in enumerate(evidence.sentences):
        doc_id = scored.sentence.passage.doc_id
        group = corpus.documents[doc_id].group if doc_id in corpus.documents else None
        if group is None or chosen.setdefault(group, doc_id) == doc_id:
            keep.append(i)
    if len(keep) == len(evidence.sentences):
        return evidence
    return replace(
        evidence,
        sentences=[evidence.sentences[i] for i in keep],
        vectors=evidence.vectors[keep],
    )


def with_twins(citations: list[Citation], corpus: Corpus) -> list[Citation]:
    """Citations that name the other outlets which published the same story."""
    result = []
    for citation in citations:
        others = [corpus.documents[d] for d in twins(corpus, citation.doc_id)]
        also = tuple(
            f"{d.source or d.title}, {day_of(d.published)}"
            for d in sorted(others, key=lambda d: d.published or "")
        )
        result.append(replace(citation, also_reported_by=also) if also else citation)
    return result
