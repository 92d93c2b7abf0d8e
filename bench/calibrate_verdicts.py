"""Calibrate `generation.yes_threshold`: how likely the model must find Yes to answer Yes.

    python -m bench.calibrate_verdicts [--questions 120] [--seed 7]

Small models lean towards Yes. For MultiHop-RAG dev questions with a Yes or No gold answer
that the evidence gate lets through, this reads the model's odds of Yes over No at the start
of its answer (the same prompt the answer uses) and reports accuracy and balanced accuracy
per threshold, and the threshold that maximises balanced accuracy. Tune on dev only.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

from assistant.answering.evidence import Assessor
from assistant.evaluation.answers import gold_kind
from assistant.evaluation.benchmark import load_questions, sample
from assistant.evaluation.indexing import build_index, eval_settings
from assistant.generation import asking, briefing, writer
from assistant.retrieval.retriever import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "multihop-rag"


def odds_of(assistant: Assistant, question: str) -> float | None:
    """The model's odds of Yes for `question`, or None when the gate refuses it."""
    settings = assistant.settings
    with assistant.snapshot() as (corpus, embedder):
        found = HybridRetriever(corpus, embedder, settings.retrieval).search(question)
        evidence = Assessor(embedder, corpus.bm25).assess(question, found.passages, found.vector)
    if evidence.support < settings.generation.min_support or not evidence.sentences:
        return None
    exhibits = briefing.brief(
        evidence,
        [m for m, _ in found.plan.outlets],
        settings.generation.exhibits,
        settings.generation.per_article,
    )
    prompt = writer.messages(
        question, asking.kind(question), exhibits, settings.generation.sentences
    )
    llm = assistant.llm()
    assert llm is not None, "calibration needs a generative backend (ASSISTANT_LLM)"
    return writer.yes_odds(llm, prompt)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/verdicts.json")
    args = parser.parse_args()
    settings = eval_settings(Settings(), DATA / "corpus.json")
    build_index(settings)
    questions = [
        q
        for q in load_questions(DATA / "queries-dev.json")
        if gold_kind(q) in ("yes", "no") and asking.kind(q.query) == "verdict"
    ]
    assistant = Assistant(settings)
    rows = []
    started = time.perf_counter()
    for question in sample(questions, args.questions, args.seed):
        odds = odds_of(assistant, question.query)
        if odds is not None:
            rows.append({"gold": gold_kind(question), "odds": odds, "query": question.query})
    print(f"{len(rows)} questions reached the model in {time.perf_counter() - started:.0f} s")
    gold = np.asarray([r["gold"] == "yes" for r in rows])
    odds = np.asarray([r["odds"] for r in rows])
    best, best_accuracy = (0.0, 0.5), (0.0, 0.5)
    for threshold in np.arange(0.3, 1.0, 0.025):
        said = odds >= threshold
        accuracy = float(np.mean(said == gold))
        recall_yes = float(np.mean(said[gold])) if gold.any() else 0.0
        recall_no = float(np.mean(~said[~gold])) if (~gold).any() else 0.0
        balanced = (recall_yes + recall_no) / 2
        print(
            f"threshold {threshold:.3f}: accuracy {accuracy:.3f}, balanced {balanced:.3f} "
            f"(yes {recall_yes:.2f}, no {recall_no:.2f})"
        )
        best = max(best, (balanced, float(threshold)))
        best_accuracy = max(best_accuracy, (accuracy, float(threshold)))
    print(f"best balanced accuracy {best[0]:.3f} at threshold {best[1]:.3f}")
    print(f"best accuracy {best_accuracy[0]:.3f} at threshold {best_accuracy[1]:.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
