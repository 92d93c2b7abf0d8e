"""Fit the refusal rule on MultiHop-RAG dev questions: null ones refused, answerable ones not.

    python -m bench.calibrate_refusal --data-dir DIR [--exclude-sample 200 --exclude-seed 2026]

A question is refused before any evidence is read when it asks about outlets the index holds
no article of (`retrieval/parts.py`); the others are refused when their evidence is weak. For
every dev question this records both, as the service computes them, then tries every blend of
the best sentence's similarity and rare-word coverage and every threshold, and prints, for each
bound on answerable questions refused, the blend that refuses the most null questions. The
questions of the answer benchmark's sample can be left out, so the sample stays unseen.
"""

import argparse
import json
from pathlib import Path

import numpy as np

from assistant.answering.evidence import Assessor
from assistant.evaluation.benchmark import NULL, load_questions, sample
from assistant.generation import asking
from assistant.retrieval.parts import split
from assistant.retrieval.retriever import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings
from bench.paths import DATA

BOUNDS = (0.02, 0.03, 0.05, 0.08, 0.10)


def signals(settings: Settings, questions: list) -> list[dict]:
    """Per question: null or not, outlets missing, best sentence similarity and coverage."""
    rows = []
    with Assistant(settings).snapshot() as (corpus, embedder):
        retriever = HybridRetriever(corpus, embedder, settings.retrieval)
        assessor = Assessor(embedder, corpus.bm25)
        for q in questions:
            parts = split(q.query, corpus.outlet_names)
            kind = asking.kind(q.query)
            found = retriever.search(q.query)
            evidence = assessor.assess(q.query, found.passages, found.vector)
            rows.append(
                {
                    "null": q.question_type == NULL,
                    "type": q.question_type,
                    "missing": kind != "explanation" and bool(parts.missing),
                    "similarity": evidence.best_similarity,
                    "coverage": evidence.best_coverage,
                }
            )
    return rows


def fit(rows: list[dict], bound: float) -> dict:
    """The blend and threshold refusing the most null questions, answerable ones at most
    `bound` (outlet refusals included)."""
    null = [r for r in rows if r["null"]]
    answerable = [r for r in rows if not r["null"]]
    best: dict = {"null_refused": -1.0}
    for weight in np.linspace(0, 1, 21):
        for threshold in np.linspace(0.2, 0.6, 161):

            def refused(r: dict, w: float = weight, t: float = threshold) -> bool:
                return r["missing"] or w * r["similarity"] + (1 - w) * r["coverage"] < t

            by_null = float(np.mean([refused(r) for r in null]))
            by_answerable = float(np.mean([refused(r) for r in answerable]))
            if by_answerable <= bound and by_null > best["null_refused"]:
                best = {
                    "similarity_weight": round(float(weight), 3),
                    "threshold": round(float(threshold), 4),
                    "null_refused": round(by_null, 3),
                    "answerable_refused": round(by_answerable, 3),
                }
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True, help="an index of the corpus")
    parser.add_argument("--exclude-sample", type=int, default=0)
    parser.add_argument("--exclude-seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=Path("bench/results/refusal-signals.json"))
    args = parser.parse_args()
    questions = load_questions(DATA / "queries-dev.json")
    unseen = set()
    if args.exclude_sample:
        unseen = {q.query for q in sample(questions, args.exclude_sample, args.exclude_seed)}
    chosen = [q for q in questions if q.query not in unseen]
    settings = Settings(data_dir=args.data_dir, docs_dir=args.data_dir / "docs")
    rows = signals(settings, chosen)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows), encoding="utf-8")
    null = [r for r in rows if r["null"]]
    print(
        f"{len(null)} null and {len(rows) - len(null)} answerable questions; outlets missing: "
        f"{np.mean([r['missing'] for r in null]):.3f} of null, "
        f"{np.mean([r['missing'] for r in rows if not r['null']]):.3f} of answerable"
    )
    for bound in BOUNDS:
        print(f"answerable refused at most {bound:.2f}: {json.dumps(fit(rows, bound))}")


if __name__ == "__main__":
    main()
