"""Compare how dates and outlets named in questions steer retrieval, on MultiHop-RAG dev.

Runs only our retriever (no baselines), once per setting variant, over the same index that
`assistant eval retrieval` builds, and prints Hits@10 and MRR@10 per question type:

    python bench/retrieval_modes.py [--types temporal_query] [--limit N]
"""

import argparse
from pathlib import Path

from assistant.evaluation import benchmark
from assistant.evaluation.indexing import build_index, eval_settings
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.retriever import HybridRetriever
from assistant.settings import Settings
from index.embedder import build_embedder

DATA = Path("bench/data/multihop-rag")
VARIANTS = {
    "before (dates ignored, outlets preferred)": {"dates": "ignore", "outlets": "prefer"},
    "dates filter, outlets preferred": {"dates": "filter", "outlets": "prefer"},
    "dates ignored, outlets restricted": {"dates": "ignore", "outlets": "restrict"},
    "dates filter, outlets restricted": {"dates": "filter", "outlets": "restrict"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--types", nargs="*", help="question types to keep (default: all)")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    settings = eval_settings(Settings(), DATA / "corpus.json")
    build_index(settings)
    questions = [
        q
        for q in benchmark.load_questions(DATA / "queries-dev.json")
        if q.answerable and (not args.types or q.question_type in args.types)
    ][: args.limit]
    corpus = Corpus(settings)
    embedder = build_embedder(settings)
    for label, overrides in VARIANTS.items():
        retrieval = settings.retrieval.model_copy(update=overrides)
        retriever = HybridRetriever(corpus, embedder, retrieval)
        scored = [
            (
                q.question_type,
                benchmark.score(
                    [p.text for p in retriever.passages(q.query, benchmark.DEPTH)], q.facts
                ),
            )
            for q in questions
        ]
        print(label)
        groups = benchmark.by_type(scored, lambda item: item[0])
        for group, items in groups:
            means = benchmark.mean([s for _, s in items])
            print(
                f"  {group:<18} n={len(items):>5}  Hits@10 {means['Hits@10']:.4f}  "
                f"MRR@10 {means['MRR@10']:.4f}"
            )


if __name__ == "__main__":
    main()
