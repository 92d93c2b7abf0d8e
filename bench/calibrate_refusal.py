"""Fit the refusal rule on MultiHop-RAG dev questions: null ones refused, answerable ones not.

    .venv/bin/python bench/calibrate_refusal.py --data-dir .index-eval/<corpus index>

For each question, the evidence signals of the real retrieval path are recorded; then every
blend of the best sentence similarity and the best sentence coverage is tried, and the blend
and threshold refusing the most null questions while refusing at most 10% of answerable ones
are printed. The answerable sample is fixed (seed 0) so runs are comparable.
"""

import argparse
import json
import random
from pathlib import Path

import numpy as np

from assistant.answering.evidence import Assessor
from assistant.retrieval.retriever import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def signals(settings: Settings, questions: list[dict]) -> list[tuple[bool, float, float]]:
    """(is null, best sentence similarity, best sentence coverage) per question."""
    rows = []
    with Assistant(settings).snapshot() as (corpus, embedder):
        retriever = HybridRetriever(corpus, embedder, settings.retrieval)
        assessor = Assessor(embedder, corpus.bm25)
        for q in questions:
            evidence = assessor.assess(q["query"], retriever.passages(q["query"]))
            null = q["question_type"] == "null_query"
            rows.append((null, evidence.best_similarity, evidence.best_coverage))
    return rows


def fit(rows: list[tuple[bool, float, float]], max_answerable_refused: float) -> dict:
    null = np.array([(s, c) for is_null, s, c in rows if is_null])
    answerable = np.array([(s, c) for is_null, s, c in rows if not is_null])
    best: dict = {"null_refused": -1.0}
    for weight in np.linspace(0, 1, 11):
        null_support = weight * null[:, 0] + (1 - weight) * null[:, 1]
        ans_support = weight * answerable[:, 0] + (1 - weight) * answerable[:, 1]
        for threshold in np.linspace(0, 1, 201):
            refused_ans = float((ans_support < threshold).mean())
            refused_null = float((null_support < threshold).mean())
            if refused_ans <= max_answerable_refused and refused_null > best["null_refused"]:
                best = {
                    "similarity_weight": round(float(weight), 2),
                    "threshold": round(float(threshold), 3),
                    "null_refused": round(refused_null, 3),
                    "answerable_refused": round(refused_ans, 3),
                }
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True, help="an index of the MultiHop-RAG corpus")
    parser.add_argument("--queries", default=ROOT / "bench/data/multihop-rag/queries-dev.json")
    parser.add_argument("--answerable", type=int, default=200)
    args = parser.parse_args()
    questions = json.loads(Path(args.queries).read_text(encoding="utf-8"))
    null = [q for q in questions if q["question_type"] == "null_query"]
    answerable = [q for q in questions if q["question_type"] != "null_query"]
    sample = random.Random(0).sample(answerable, args.answerable)
    settings = Settings(data_dir=Path(args.data_dir))
    print(json.dumps(fit(signals(settings, null + sample), 0.10), indent=2))


if __name__ == "__main__":
    main()
