"""Fit how the verdict weighs a question's parts, and report what each signal adds.

    python -m bench.calibrate_verdicts --data-dir DIR [--exclude-sample 200 --exclude-seed 2026]
        [--questions N] [--reuse] [--dry-run]

For MultiHop-RAG dev questions with a Yes or No gold answer that ask for a verdict, this runs
the answer's own path up to the decision (parts, a search per part, the evidence each finds)
and records the signals `answering/verdicts.py` weighs. Questions the rules decide (a part not
found, before/after by dates) are counted apart; on the rest it fits a logistic regression,
cross-validated (5 folds, 5 shuffles), for growing sets of signals, and prints accuracy on
Yes-gold and No-gold questions apart and their mean (balanced accuracy), since always
answering Yes scores 0.5 there. Finally it fits on all and writes the weights and the
threshold that maximises balanced accuracy to `assistant/answering/verdicts.json`. Tune on dev
only; the questions of the answer benchmark's sample can be left out.
"""

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from assistant.answering import multipart, verdicts
from assistant.answering.evidence import Assessor
from assistant.answering.gathering import gather
from assistant.answering.verdicts import FEATURES, WEIGHTS, Signals
from assistant.evaluation.answers import gold_kind
from assistant.evaluation.benchmark import Question, load_questions, sample
from assistant.generation import asking
from assistant.retrieval.outlets import aliases
from assistant.retrieval.parts import split
from assistant.retrieval.retriever import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings
from bench.paths import DATA, RESULTS
from index.progress import Progress

FOLDS = 5
REPEATS = 5
PENALTY = 1.0  # L2 on every weight but the bias: few questions, correlated signals
# Growing sets of signals, to report what each adds.
STEPS = {
    "relation": (
        "bias", "relation_all", "relation_order", "relation_same", "relation_differ",
        "relation_changed", "relation_single",
    ),
    "+ polarity": ("negated_same", "negated_differ"),
    "+ a part says a report did not": ("claim_negated",),
    "+ a difference claimed, not asked": ("differ_asserted",),
    "+ dates (before/after)": ("order",),
    "+ evidence words": ("coverage_min",),
}  # fmt: skip
# Signals measured but not kept: on dev, cross-validated, they lower the balanced accuracy.
DROPPED = ("coverage_min",)


def record(assistant: Assistant, question: Question) -> dict[str, Any] | None:
    """The signals of one question, as the answer computes them; None when it is refused."""
    settings = assistant.settings
    with assistant.snapshot() as (corpus, embedder):
        parts = split(question.query, corpus.outlet_names)
        if parts.missing:
            return None
        retriever = HybridRetriever(corpus, embedder, settings.retrieval)
        gathered = gather(
            parts, retriever, Assessor(embedder, corpus.bm25), settings.retrieval.top_k
        )
    if gathered.evidence.support < settings.answer.min_support:
        return None
    signals = multipart.signals(gathered)
    return {
        "query": question.query,
        "gold": gold_kind(question),
        "support": signals.support,
        "coverage": signals.coverage,
        "order": signals.order,
    }


def signals_of(rows: list[dict[str, Any]]) -> list[Signals]:
    """Each row's signals as the answer reads them, its parts read again from its query."""
    names = aliases({str(a["source"]) for a in json.loads((DATA / "corpus.json").read_text())})
    return [
        Signals(split(r["query"], names), r["support"], r["coverage"], r["order"]) for r in rows
    ]


def logistic(x: np.ndarray, y: np.ndarray, penalty: float = PENALTY) -> np.ndarray:
    """Weights of an L2-penalised logistic regression (Newton's method; column 0 is the bias)."""
    w = np.zeros(x.shape[1])
    ridge = np.full(x.shape[1], penalty)
    ridge[0] = 1e-6
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + ridge * w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def threshold_for(p: np.ndarray, y: np.ndarray) -> float:
    """The probability cut that maximises balanced accuracy on these questions."""
    candidates = np.unique(np.concatenate([p, [0.5]]))
    scores = [balanced(p >= t, y) for t in candidates]
    return float(candidates[int(np.argmax(scores))])


def balanced(said: np.ndarray, y: np.ndarray) -> float:
    yes = float(np.mean(said[y == 1])) if (y == 1).any() else 0.0
    no = float(np.mean(~said[y == 0])) if (y == 0).any() else 0.0
    return (yes + no) / 2


def cross_validated(
    x: np.ndarray, y: np.ndarray, by_rule: list[bool | None], seed: int
) -> dict[str, float]:
    """Held-out Yes-gold and No-gold accuracy, their mean, and plain accuracy of the whole
    decision (rules where they apply, the weights elsewhere, fitted where no rule applies),
    averaged over REPEATS shuffles of the folds (few questions: one split is noisy)."""
    free = np.asarray([r is None for r in by_rule])
    fixed = np.asarray([bool(r) for r in by_rule])
    scores = []
    for repeat in range(REPEATS):
        folds = np.random.default_rng(seed + repeat).permutation(len(y)) % FOLDS
        said = fixed.copy()
        for k in range(FOLDS):
            train, test = free & (folds != k), free & (folds == k)
            w = logistic(x[train], y[train])
            cut = threshold_for(1 / (1 + np.exp(-(x[train] @ w))), y[train])
            said[test] = 1 / (1 + np.exp(-(x[test] @ w))) >= cut
        scores.append(
            {
                "yes": float(np.mean(said[y == 1])),
                "no": float(np.mean(~said[y == 0])),
                "balanced": balanced(said, y),
                "accuracy": float(np.mean(said == (y == 1))),
            }
        )
    return {key: float(np.mean([s[key] for s in scores])) for key in scores[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="an index of the corpus")
    parser.add_argument("--questions", type=int, default=10_000, help="at most this many")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exclude-sample", type=int, default=0)
    parser.add_argument("--exclude-seed", type=int, default=2026)
    parser.add_argument("--rows", type=Path, default=RESULTS / "verdict-signals.json")
    parser.add_argument("--reuse", action="store_true", help="fit on the rows of an earlier run")
    parser.add_argument(
        "--more", action="store_true", help="judge questions the rows lack, and add them"
    )
    parser.add_argument("--dry-run", action="store_true", help="report, write no weights")
    args = parser.parse_args()
    earlier = json.loads(args.rows.read_text(encoding="utf-8")) if args.reuse or args.more else []
    rows = earlier
    if not args.reuse:
        rows = earlier + collect(args, {r["query"] for r in earlier})
        args.rows.parent.mkdir(parents=True, exist_ok=True)
        args.rows.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    fit_and_report(rows, args.seed, write=not args.dry_run)


def collect(args: argparse.Namespace, done: set[str]) -> list[dict[str, Any]]:
    """The rows of `args.questions` dev verdict questions, none of them in `done`."""
    questions = load_questions(DATA / "queries-dev.json")
    unseen = set(done)
    if args.exclude_sample:
        unseen |= {q.query for q in sample(questions, args.exclude_sample, args.exclude_seed)}
    verdicts = [
        q
        for q in questions
        if q.query not in unseen
        and gold_kind(q) in ("yes", "no")
        and asking.kind(q.query) in ("verdict", "choice")
    ]
    chosen = sample(verdicts, args.questions, args.seed)
    settings = Settings(data_dir=args.data_dir, docs_dir=args.data_dir / "docs", llm="extractive")
    assistant = Assistant(settings)
    started = time.perf_counter()
    rows = []
    with Progress(len(chosen), "Reading") as bar, ThreadPoolExecutor(2) as pool:
        for row in pool.map(lambda q: record(assistant, q), chosen):
            if row is not None:
                rows.append(row)
            bar.advance(1, f"{len(rows)} not refused")
    print(f"{len(rows)} of {len(chosen)} questions read in {time.perf_counter() - started:.0f} s")
    return rows


def fit_and_report(rows: list[dict[str, Any]], seed: int, write: bool) -> None:
    read = signals_of(rows)
    x_all = np.asarray([s.features() for s in read], dtype=np.float64)
    y = np.asarray([r["gold"] == "yes" for r in rows], dtype=np.float64)
    by_rule = [verdicts.ruled(s) for s in read]
    decided = [i for i, r in enumerate(by_rule) if r is not None]
    right = sum(by_rule[i] == bool(y[i]) for i in decided)
    print(f"{len(rows)} questions: {int(y.sum())} Yes, {int(len(y) - y.sum())} No")
    print(f"decided by rule (a part not found, dates): {len(decided)}, {right} right")
    print(f"{'signals':<38} {'Yes':>6} {'No':>6} {'mean':>6} {'accuracy':>9}")
    print(f"{'always Yes':<38} {1.0:>6.3f} {0.0:>6.3f} {0.5:>6.3f} {y.mean():>9.3f}")
    used: list[str] = []
    for step, names in STEPS.items():
        used += names
        columns = [FEATURES.index(n) for n in used]
        r = cross_validated(x_all[:, columns], y, by_rule, seed)
        print(
            f"{step:<38} {r['yes']:>6.3f} {r['no']:>6.3f} {r['balanced']:>6.3f} "
            f"{r['accuracy']:>9.3f}"
        )
    free = np.asarray([r is None for r in by_rule])
    kept = [i for i, n in enumerate(FEATURES) if n not in DROPPED]
    w = np.zeros(len(FEATURES))
    w[kept] = logistic(x_all[free][:, kept], y[free])
    cut = threshold_for(1 / (1 + np.exp(-(x_all[free] @ w))), y[free])
    print(f"dropped (lower on dev): {', '.join(DROPPED)}")
    print("weights: " + ", ".join(f"{n} {v:+.2f}" for n, v in zip(FEATURES, w, strict=True)))
    print(f"threshold {cut:.3f}")
    if write:
        card = {
            "features": list(FEATURES),
            "weights": [round(float(v), 5) for v in w],
            "threshold": round(cut, 5),
            "fitted": f"python -m bench.calibrate_verdicts on {int(free.sum())} MultiHop-RAG dev "
            f"verdict questions no rule decides ({int(y[free].sum())} Yes), L2 {PENALTY}",
        }
        WEIGHTS.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")
        print(f"Wrote {WEIGHTS}")


if __name__ == "__main__":
    main()
