"""What the learned ranker knows of each candidate: cheap signals, one row per chunk.

Scores and ranks from both retrievers and their blend, the clause about a named outlet, the
chunk's place in its article, how much of the question's rare vocabulary, names and numbers it
holds, and whether its article falls in the question's dates. Nothing here embeds text: a
question's features cost a few milliseconds (`bench/train_ranker.py` reports them).
"""

import re

import numpy as np

from assistant.retrieval import scope, timeframe, wording
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.ranking import Candidates
from index.bm25 import tokenize

FEATURES = (
    "lexical",
    "lexical_share",
    "lexical_rank",
    "dense",
    "dense_gap",
    "dense_rank",
    "fused",
    "fused_rank",
    "rank_gap",
    "outlets_named",
    "outlet_match",
    "clause_score",
    "clause_rank",
    "seq",
    "seq_share",
    "chars",
    "doc_candidates",
    "doc_rank",
    "doc_best",
    "term_coverage",
    "title_coverage",
    "name_coverage",
    "name_in_title",
    "number_coverage",
    "question_terms",
    "dated",
    "in_dates",
    "days_off",
    *wording.SIGNALS,
    "clause_sentence_coverage",
    "clause_coverage",
)
# Sentence signals are measured on a shortlist: the best by the fused score, and the best of
# each named outlet by the clause about it; the ranker reads the rest as not measured.
SHORTLIST, SHORTLIST_PER_OUTLET = 30, 10
UNRANKED = 99  # the rank of a chunk in a list it is not on
MAX_DAYS_OFF = 400
# Capitalised words that open questions or clauses are not names.
_NAME = re.compile(r"\b[A-Z][\w&'\u2019.-]*\w|\b[A-Z]\b")
_NOT_NAMES = frozenset(
    [
        "A",
        "An",
        "And",
        "After",
        "Before",
        "Both",
        "Between",
        "Did",
        "Do",
        "Does",
        "During",
        "Has",
        "Have",
        "How",
        "In",
        "Is",
        "Of",
        "On",
        "Or",
        "The",
        "Was",
        "Were",
        "What",
        "When",
        "Where",
        "Which",
        "While",
        "Who",
        "Whose",
        "Why",
    ]
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def table(found: Candidates, corpus: Corpus) -> np.ndarray:
    """One row of `FEATURES` per candidate, in `found.ids` order."""
    n = len(found.ids)
    terms = tokenize([found.query])[0]  # once per question: every column below reads them
    weights = corpus.bm25.idf(sorted(set(terms)))
    chunks = [corpus.chunks[cid] for cid in found.ids]
    docs = [c.doc_id for c in chunks]
    columns = {
        "lexical": found.lexical,
        "lexical_share": found.lexical / (float(found.lexical.max(initial=0.0)) or 1.0),
        "lexical_rank": _ranks(found.lexical),
        "dense": found.dense,
        "dense_gap": float(found.dense.max(initial=0.0)) - found.dense,
        "dense_rank": _ranks(found.dense),
        "fused": found.fused,
        "fused_rank": _ranks(found.fused),
        "seq": np.asarray([c.seq for c in chunks]),
        "seq_share": np.asarray([c.seq / max(corpus.doc_chunks[c.doc_id], 1) for c in chunks]),
        "chars": np.asarray([len(c.text) for c in chunks]),
        "question_terms": np.full(n, len(terms)),
    }
    columns["rank_gap"] = np.abs(columns["lexical_rank"] - columns["dense_rank"])
    columns |= _outlet_columns(found, corpus)
    columns |= _document_columns(found.fused, docs)
    columns |= _word_columns(found, corpus, docs, weights)
    columns |= _date_columns(found, corpus)
    columns |= _sentence_columns(found, corpus, terms, weights)
    return np.column_stack([np.asarray(columns[name], dtype=np.float32) for name in FEATURES])


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the highest value, 1 for the next, and so on."""
    ranks = np.empty(len(values), dtype=np.float32)
    ranks[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return ranks


def _outlet_columns(found: Candidates, corpus: Corpus) -> dict[str, np.ndarray]:
    """How the clause about a named outlet scores a chunk, and whether it is that outlet's."""
    n = len(found.ids)
    score, rank = np.zeros(n), np.full(n, float(UNRANKED))
    position = {cid: i for i, cid in enumerate(found.ids)}
    for clause in found.outlets:
        for r, cid in enumerate(sorted(clause, key=lambda c: -clause[c])):
            i = position[cid]
            score[i] = max(score[i], clause[cid])
            rank[i] = min(rank[i], r)
    named = frozenset().union(*(m.sources for m, _ in found.plan.outlets))
    sources = [corpus.documents[corpus.chunks[cid].doc_id].source for cid in found.ids]
    return {
        "outlets_named": np.full(n, len(found.plan.outlets)),
        "outlet_match": np.asarray([s in named for s in sources]),
        "clause_score": score,
        "clause_rank": rank,
    }


def _document_columns(fused: np.ndarray, docs: list[str]) -> dict[str, np.ndarray]:
    """How many candidates share the chunk's article, and how the chunk and article rank."""
    best: dict[str, float] = {}
    count: dict[str, int] = {}
    rank = np.zeros(len(docs))
    for i in np.argsort(-fused, kind="stable"):
        doc = docs[i]
        rank[i] = count.get(doc, 0)
        count[doc] = count.get(doc, 0) + 1
        best.setdefault(doc, float(fused[i]))
    top = float(fused.max(initial=0.0)) or 1.0
    return {
        "doc_candidates": np.asarray([count[d] for d in docs]),
        "doc_rank": rank,
        "doc_best": np.asarray([best[d] / top for d in docs]),
    }


def _word_columns(
    found: Candidates, corpus: Corpus, docs: list[str], weights: dict[str, float]
) -> dict[str, np.ndarray]:
    """The share of the question's rare terms, names and numbers each chunk and title holds."""
    terms = sorted(weights)
    total = sum(weights.values()) or 1.0
    holders = corpus.bm25.term_rows(terms)
    rows = np.asarray([corpus.rows.get(cid, -1) for cid in found.ids])
    coverage = np.zeros(len(rows))
    for term, weight in weights.items():
        coverage += weight * np.isin(rows, holders[term])
    titles = {d: corpus.documents[d].title or "" for d in set(docs)}
    title_terms = dict(zip(titles, map(set, tokenize(list(titles.values()))), strict=True))
    texts = [corpus.chunks[cid].text for cid in found.ids]
    names = [w for w in set(_NAME.findall(found.query)) if w not in _NOT_NAMES]
    numbers = set(_NUMBER.findall(found.query))
    return {
        "term_coverage": coverage / total,
        "title_coverage": np.asarray(
            [sum(w for t, w in weights.items() if t in title_terms[d]) / total for d in docs]
        ),
        "name_coverage": np.asarray([_share(names, text) for text in texts]),
        "name_in_title": np.asarray([_share(names, titles[d]) for d in docs]),
        "number_coverage": np.asarray([_share(numbers, text) for text in texts]),
    }


def _share(words: list[str] | set[str], text: str) -> float:
    """The share of `words` found in `text` as written; 0 when there are none."""
    return sum(w in text for w in words) / len(words) if words else 0.0


def shortlist(found: Candidates) -> list[int]:
    """Positions of the candidates whose sentences are read."""
    chosen = set(np.argsort(-found.fused, kind="stable")[:SHORTLIST].tolist())
    position = {cid: i for i, cid in enumerate(found.ids)}
    for clause in found.outlets:
        best = sorted(clause, key=lambda c: -clause[c])[:SHORTLIST_PER_OUTLET]
        chosen |= {position[c] for c in best}
    return sorted(chosen)


def _sentence_columns(
    found: Candidates, corpus: Corpus, terms: list[str], weights: dict[str, float]
) -> dict[str, np.ndarray]:
    """How the best sentences of each shortlisted chunk hold the question's and clause's terms."""
    names = (*wording.SIGNALS, "clause_sentence_coverage", "clause_coverage")
    rows = wording.missing(len(found.ids), len(names))
    clauses = [
        (m.sources, corpus.bm25.idf(sorted(set(tokenize([m.clause])[0]))))
        for m, _ in found.plan.outlets
    ]
    for i in shortlist(found):
        chunk = corpus.chunks[found.ids[i]]
        sentences = wording.sentence_terms(chunk.text)
        source = corpus.documents[chunk.doc_id].source
        own = [wording.coverage(sentences, w) for sources, w in clauses if source in sources]
        rows[i] = [
            *wording.signals(sentences, terms, weights),
            max((best for best, _ in own), default=0.0),
            max((whole for _, whole in own), default=0.0),
        ]
    return dict(zip(names, rows.T, strict=True))


def _date_columns(found: Candidates, corpus: Corpus) -> dict[str, np.ndarray]:
    """Whether the question names dates, and how far outside them each chunk's article is."""
    n = len(found.ids)
    frame = timeframe.combined(found.plan.frames)
    if frame is None:
        return {"dated": np.zeros(n), "in_dates": np.zeros(n), "days_off": np.zeros(n)}
    frame = frame.widened(scope.SLACK_DAYS)
    first = frame.start.toordinal() if frame.start else -(10**9)
    last = frame.end.toordinal() if frame.end else 10**9
    rows = [corpus.rows.get(cid) for cid in found.ids]
    days = np.asarray([-1 if r is None else corpus.row_days[r] for r in rows])
    off = np.where(days < 0, MAX_DAYS_OFF, np.maximum(first - days, days - last).clip(0))
    return {
        "dated": np.ones(n),
        "in_dates": (off == 0).astype(float),
        "days_off": np.minimum(off, MAX_DAYS_OFF),
    }
