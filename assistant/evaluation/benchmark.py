"""The MultiHop-RAG benchmark as data: its questions, and its retrieval metric as upstream has it.

A retrieved chunk is a hit when a gold fact, with spaces and newlines removed, is a substring of
the chunk text with spaces and newlines removed; only the top 10 chunks count (the benchmark's
`retrieval_evaluate.py`). The same matching counts the gold facts among the evidence sentences
a writer is handed. Everything here is pure: no index, no model.
"""

import itertools
import json
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

NULL = "null_query"  # the corpus does not hold the answer; the assistant should refuse
DEPTH = 10  # the benchmark scores the top 10 chunks and no more
NAMES = ("Hits@10", "Hits@4", "MAP@10", "MRR@10")
T = TypeVar("T")
Span = tuple[str, int, int]  # (doc_id, start, end): `article[start:end]` of one article


@dataclass(frozen=True)
class Question:
    """One benchmark question with its gold answer and evidence."""

    query: str
    question_type: str
    answer: str
    evidence: tuple[dict[str, Any], ...]

    @property
    def facts(self) -> list[str]:
        return [str(e["fact"]) for e in self.evidence if e.get("fact")]

    @property
    def answerable(self) -> bool:
        """Scored for retrieval: not a null question, and with gold facts to look for."""
        return self.question_type != NULL and bool(self.facts)


def load_questions(path: Path) -> list[Question]:
    """Questions from a MultiHop-RAG queries file: a JSON list of objects with a `query`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"Cannot read questions from {path}: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(d, dict) and "query" in d for d in data):
        raise ValueError(
            f"{path} is not a list of questions: expected objects with query, question_type, "
            "answer and evidence_list, as in bench/data/multihop-rag/queries-dev.json"
        )
    return [
        Question(
            query=str(d["query"]),
            question_type=str(d.get("question_type") or "unknown"),
            answer=str(d.get("answer") or ""),
            evidence=tuple(d.get("evidence_list") or ()),
        )
        for d in data
    ]


def sample(questions: list[Question], limit: int | None, seed: int | None = None) -> list[Question]:
    """Up to `limit` questions, each type in turn, so a short run mixes types: in file order,
    or in an order shuffled by `seed` within each type."""
    if limit is None or limit >= len(questions):
        return list(questions)
    by_type: dict[str, list[int]] = {}
    for i, question in enumerate(questions):
        by_type.setdefault(question.question_type, []).append(i)
    if seed is not None:
        shuffle = random.Random(seed).shuffle
        for rows in by_type.values():
            shuffle(rows)
    turns = itertools.chain.from_iterable(itertools.zip_longest(*by_type.values()))
    picked = [i for i in turns if i is not None][:limit]
    return [questions[i] for i in sorted(picked)]


def squash(text: str) -> str:
    """Text without spaces and newlines, so line wrapping and chunk joins cannot hide a fact."""
    return text.replace(" ", "").replace("\n", "")


@dataclass(frozen=True)
class QueryScores:
    """One question's contribution to each metric."""

    hits_at_10: float
    hits_at_4: float
    ap_at_10: float
    rr_at_10: float

    def values(self) -> tuple[float, float, float, float]:
        return self.hits_at_10, self.hits_at_4, self.ap_at_10, self.rr_at_10


def hit_ranks(chunks: Sequence[str], facts: Sequence[str]) -> list[int]:
    """The 1-based ranks among the top 10 whose chunk contains any gold fact."""
    gold = [squash(f) for f in facts]
    return [
        rank
        for rank, chunk in enumerate((squash(c) for c in chunks[:DEPTH]), start=1)
        if any(g in chunk for g in gold)
    ]


def average_precision(chunks: Sequence[str], facts: Sequence[str]) -> float:
    """AP@10 as upstream defines it: each fact counts once, at the first rank that holds it.

    Sum over hit ranks r of (facts first found at r) / r, divided by min(len(facts), 10).
    """
    gold = [squash(f) for f in facts]
    found: set[str] = set()
    total = 0.0
    for rank in hit_ranks(chunks, facts):
        chunk = squash(chunks[rank - 1])
        for fact in gold:
            if fact in chunk and fact not in found:
                found.add(fact)
                total += 1 / rank
    return total / min(len(gold), DEPTH)


def score(chunks: Sequence[str], facts: Sequence[str]) -> QueryScores:
    """Hits@10, Hits@4, AP@10 and reciprocal rank for one question's ranked chunk texts."""
    if not facts:
        raise ValueError("a question without gold facts cannot be scored; skip null questions")
    ranks = hit_ranks(chunks, facts)
    first = ranks[0] if ranks else None
    return QueryScores(
        hits_at_10=float(first is not None),
        hits_at_4=float(first is not None and first <= 4),
        ap_at_10=average_precision(chunks, facts),
        rr_at_10=1.0 / first if first else 0.0,
    )


def runs(spans: Iterable[Span], articles: Mapping[str, str]) -> list[str]:
    """The spans' texts, the spans of one article with only white space between them read as one
    text: a fact often runs over two sentences, and the writer reads those side by side."""
    merged: list[Span] = []
    for doc_id, start, end in sorted(spans):
        if merged and merged[-1][0] == doc_id:
            _, first, last = merged[-1]
            if not articles[doc_id][last:start].strip():  # empty too when the spans overlap
                merged[-1] = (doc_id, first, max(last, end))
                continue
        merged.append((doc_id, start, end))
    return [articles[doc_id][start:end] for doc_id, start, end in merged]


def facts_found(spans: Iterable[Span], facts: Sequence[str], articles: Mapping[str, str]) -> int:
    """How many of `facts` one run of the spans (`runs`) holds, matched as the metric matches."""
    texts = [squash(text) for text in runs(spans, articles)]
    return sum(any(squash(fact) in text for text in texts) for fact in facts)


def mean(scores: Sequence[QueryScores]) -> dict[str, float]:
    """The four metrics averaged over questions (all zero when there are none)."""
    if not scores:
        return dict.fromkeys(NAMES, 0.0)
    table = np.asarray([s.values() for s in scores], dtype=np.float64)
    return dict(zip(NAMES, (float(v) for v in table.mean(axis=0)), strict=True))


def by_type(items: Sequence[T], type_of: Callable[[T], str]) -> list[tuple[str, list[T]]]:
    """All items under "all", then the items of each question type in name order."""
    types = sorted({type_of(item) for item in items})
    return [("all", list(items))] + [(t, [i for i in items if type_of(i) == t]) for t in types]


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    """Median and 95th percentile of durations, in milliseconds (0 when nothing was timed)."""
    values = np.asarray(seconds, dtype=np.float64) * 1000.0
    return {f"p{q}": float(np.percentile(values, q)) if len(values) else 0.0 for q in (50, 95)}
