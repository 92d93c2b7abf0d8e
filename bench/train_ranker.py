"""Train the learned ranker on MultiHop-RAG dev questions, cross-validated by question.

For every answerable question, the retriever's candidates and their features
(`assistant/retrieval/features.py`); a candidate is relevant when it holds a gold fact, the
benchmark's own rule. Questions that share a gold fact stay in one fold, so no fold is scored
on a fact it was trained on. Each fold's model ranks its held-out questions through the same
order a question gets at run time (`ranking.order`), and the benchmark scores the top 10
against the fused ranking of today. The model trained on all questions is then written to
assistant/retrieval/ranker.txt, with its card (features, command, figures) in ranker.json:

    python -m bench.train_ranker [--data-dir DIR] [--folds 5] [--reuse] [--dry-run] [--evidence]
"""

import argparse
import json
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np

from assistant.evaluation import benchmark
from assistant.evaluation.indexing import build_index, eval_settings
from assistant.evaluation.retrieval import Retrievers
from assistant.retrieval import features, ranking, reranker
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.retriever import HybridRetriever, Search
from assistant.settings import Settings
from index.embedder import build_embedder

DATA = Path("bench/data/multihop-rag")
CACHE = Path("bench/work/ranker-candidates.pkl")
PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "metric": "ndcg",
    "eval_at": [4, 10],
    "lambdarank_truncation_level": 20,
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "seed": 7,
    "deterministic": True,
    "num_threads": 2,
    "verbose": -1,
}
ROUNDS = 300


@dataclass
class Example:
    """One question's candidates, their features, and which hold a gold fact."""

    question: benchmark.Question
    found: ranking.Candidates
    rows: np.ndarray
    texts: list[str]
    labels: np.ndarray
    seconds: float  # computing the features


def collect(settings: Settings, questions: list[benchmark.Question]) -> list[Example]:
    """Candidates and features for every question, as the retriever computes them."""
    corpus = Corpus(settings)
    retriever = HybridRetriever(corpus, build_embedder(settings), settings.retrieval)
    examples = []
    for n, question in enumerate(questions, 1):
        found = retriever.candidates(question.query)
        started = time.perf_counter()
        rows = features.table(found, corpus)
        seconds = time.perf_counter() - started
        texts = [corpus.chunks[cid].text for cid in found.ids]
        labels = np.asarray([bool(benchmark.hit_ranks([t], question.facts)) for t in texts])
        examples.append(Example(question, found, rows, texts, labels.astype(int), seconds))
        if n % 100 == 0:
            print(f"  {n:,} of {len(questions):,} questions", file=sys.stderr)
    return examples


def folds(examples: list[Example], k: int) -> list[int]:
    """A fold per question; questions sharing a gold fact share a fold."""
    parent = list(range(len(examples)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, example in enumerate(examples):
        for fact in example.question.facts:
            j = first.setdefault(benchmark.squash(fact), i)
            parent[root(i)] = root(j)
    groups = sorted({root(i) for i in range(len(examples))})
    order = np.random.default_rng(7).permutation(len(groups))
    fold_of = {groups[g]: int(rank) % k for rank, g in enumerate(order)}
    return [fold_of[root(i)] for i in range(len(examples))]


def train(examples: list[Example]) -> lightgbm.Booster:
    """A LambdaMART model over the examples' candidates."""
    data = lightgbm.Dataset(
        np.vstack([e.rows for e in examples]),
        label=np.concatenate([e.labels for e in examples]),
        group=[len(e.labels) for e in examples],
        feature_name=list(features.FEATURES),
    )
    return lightgbm.train(PARAMS, data, num_boost_round=ROUNDS)


def scored(example: Example, score: np.ndarray, learned: bool) -> benchmark.QueryScores:
    """The benchmark's scores for the top 10 the question gets when ranked by `score`."""
    chosen = ranking.order(example.found, score, benchmark.DEPTH, learned)
    return benchmark.score([example.texts[i] for i in chosen], example.question.facts)


def held_out(examples: list[Example], k: int) -> list[np.ndarray]:
    """Each question's candidates scored by a model that never saw its fold."""
    fold_of = folds(examples, k)
    scores: list[np.ndarray] = [np.zeros(0)] * len(examples)
    for fold in range(k):
        model = train([e for e, f in zip(examples, fold_of, strict=True) if f != fold])
        for i, example in enumerate(examples):
            if fold_of[i] == fold:
                scores[i] = model.predict(example.rows)
        print(f"  fold {fold + 1} of {k} done", file=sys.stderr)
    return scores


def cross_validate(
    examples: list[Example], learned: list[np.ndarray]
) -> dict[str, list[benchmark.QueryScores]]:
    """Each question scored by the fused ranking and by its held-out model's."""
    return {
        "fused": [scored(e, e.found.fused, learned=False) for e in examples],
        "learned": [scored(e, s, learned=True) for e, s in zip(examples, learned, strict=True)],
    }


def evidence(settings: Settings, examples: list[Example], learned: list[np.ndarray]) -> None:
    """Evidence recall of the held-out rankings: the gold facts among the exhibits a writer is
    handed from each question's top passages, as `assistant eval retrieval` counts them."""
    retrievers = Retrievers(settings)
    briefs = []
    for example, score in zip(examples, learned, strict=True):
        found = example.found
        chosen = ranking.order(found, score, settings.retrieval.top_k, learned=True)
        passages = [retrievers.ours.passage(found, i, float(score[i])) for i in chosen]
        briefs.append(
            retrievers.brief(example.question, Search(found.plan, found.vector, passages))
        )
    pairs = [(e.question.question_type, b) for e, b in zip(examples, briefs, strict=True)]
    print("Evidence recall, held-out rankings: questions whose exhibits hold all / any gold fact")
    for group, items in benchmark.by_type(pairs, lambda pair: pair[0]):
        every = sum(b.found == b.facts for _, b in items) / len(items)
        some = sum(b.found > 0 for _, b in items) / len(items)
        print(f"  {group:<18} {len(items):>5} {every:>8.4f} {some:>8.4f}")


def report(examples: list[Example], results: dict[str, list[benchmark.QueryScores]]) -> dict:
    """Metrics per question type and system, as a table and as data."""
    types = [e.question.question_type for e in examples]
    table: dict[str, dict[str, dict[str, float]]] = {}
    for system, scores in results.items():
        for group, items in benchmark.by_type(
            list(zip(types, scores, strict=True)), lambda x: x[0]
        ):
            table.setdefault(group, {})[system] = benchmark.mean([s for _, s in items])
    print(
        f"{'question type':<18} {'n':>5}  {'ranking':<8}"
        + "".join(f"{m:>9}" for m in benchmark.NAMES)
    )
    for group, systems in table.items():
        n = sum(1 for t in types if group in ("all", t))
        for j, (system, means) in enumerate(systems.items()):
            label = f"{group if j == 0 else '':<18} {n if j == 0 else '':>5}"
            print(f"{label}  {system:<8}" + "".join(f"{v:>9.4f}" for v in means.values()))
    return table


def importances(model: lightgbm.Booster) -> dict[str, float]:
    """Each feature's share of the model's total gain, largest first."""
    gain = model.feature_importance(importance_type="gain")
    shares = gain / (gain.sum() or 1.0)
    pairs = sorted(zip(features.FEATURES, shares.tolist(), strict=True), key=lambda p: -p[1])
    return {name: round(share, 4) for name, share in pairs}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir", type=Path, help="the evaluation index (default: as `assistant eval`)"
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help=f"reuse the candidates in {CACHE}")
    parser.add_argument("--dry-run", action="store_true", help="cross-validate; write no model")
    parser.add_argument(
        "--evidence", action="store_true", help="also count gold facts in the held-out briefs"
    )
    args = parser.parse_args()
    settings = eval_settings(Settings(), DATA / "corpus.json", args.data_dir)
    if args.reuse and CACHE.exists():
        examples = pickle.loads(CACHE.read_bytes())
    else:
        print(build_index(settings).summary(), file=sys.stderr)
        questions = [q for q in benchmark.load_questions(DATA / "queries-dev.json") if q.answerable]
        examples = collect(settings, questions)
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(examples))
    learned = held_out(examples, args.folds)
    table = report(examples, cross_validate(examples, learned))
    if args.evidence:
        evidence(settings, examples, learned)
    model = train(examples)
    shares = importances(model)
    feature_ms = benchmark.latency_ms([e.seconds for e in examples])
    print(
        "Feature importance (share of gain): "
        + ", ".join(f"{k} {v:.3f}" for k, v in shares.items())
    )
    print(f"Features per question: p50 {feature_ms['p50']:.1f} ms, p95 {feature_ms['p95']:.1f} ms")
    if args.dry_run:
        return
    model.save_model(str(reranker.MODEL))
    sample = np.vstack([e.rows for e in examples[:50]])
    if not np.allclose(reranker.LearnedRanker().scores(sample), model.predict(sample), atol=1e-5):
        raise SystemExit(f"{reranker.MODEL} does not score as LightGBM does: do not ship it")
    card = {
        "command": "python -m bench.train_ranker",
        "trained_on": f"MultiHop-RAG dev half: {len(examples):,} answerable questions, "
        f"{sum(len(e.labels) for e in examples):,} candidates",
        "features": list(features.FEATURES),
        "params": PARAMS | {"rounds": ROUNDS},
        "cross_validated": {"folds": args.folds, "by_type": table},
        "importance": shares,
    }
    reranker.CARD.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
    print(f"Wrote {reranker.MODEL} and {reranker.CARD}", file=sys.stderr)


if __name__ == "__main__":
    main()
