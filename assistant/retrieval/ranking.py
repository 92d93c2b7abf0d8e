"""One question's candidate chunks, and the order they are handed on in.

The first stage (`retriever.py`) gathers candidates and scores them; the order is then one
ranking per outlet the question names, interleaved, with the overall ranking filling the rest.
The same order serves the hand-tuned fusion and the learned ranker (`reranker.py`), so that
`bench/train_ranker.py` measures exactly what a question gets.
"""

from dataclasses import dataclass

import numpy as np

from assistant.retrieval.scope import Plan


@dataclass(frozen=True)
class Candidates:
    """A question's candidate chunks (sorted ids) with every first-stage score, aligned."""

    query: str
    plan: Plan
    vector: np.ndarray  # the question's embedding
    ids: list[str]
    lexical: np.ndarray  # BM25 of the whole question
    dense: np.ndarray  # cosine similarity to the question
    fused: np.ndarray  # the hand-tuned blend of the two
    outlets: list[dict[str, float]]  # per named outlet: its candidates, by the clause about it


def order(candidates: Candidates, score: np.ndarray, k: int, learned: bool) -> list[int]:
    """Positions in `candidates.ids` of the best `k`, best first, ranked by `score`.

    Each named outlet's list is ranked by the clause about it (`learned` False) or by `score`
    (the learned ranker sees the clause scores as features); lists lead in order of their best.
    """
    position = {cid: i for i, cid in enumerate(candidates.ids)}
    lists = []
    for clause in candidates.outlets:
        key = {c: float(score[position[c]]) for c in clause} if learned else clause
        if key:
            lists.append([position[c] for c in sorted(key, key=lambda c: -key[c])])
    lists.sort(key=lambda ranked: -score[ranked[0]])
    overall = [int(i) for i in np.argsort(-score, kind="stable")]
    return _interleave([*lists, overall], k)


def _interleave(rankings: list[list[int]], k: int) -> list[int]:
    """Round-robin over the rankings, skipping repeats; the last ranking fills what is left."""
    chosen: list[int] = []
    outlets, overall = rankings[:-1], rankings[-1]
    depth = max((len(r) for r in outlets), default=0)
    for rank in range(depth):
        for ranking in outlets:
            if rank < len(ranking) and ranking[rank] not in chosen and len(chosen) < k:
                chosen.append(ranking[rank])
    chosen += [i for i in overall if i not in chosen][: max(0, k - len(chosen))]
    return chosen
