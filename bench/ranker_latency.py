"""Retrieval latency with the learned ranker and without, question by question in turn.

Both settings share one process, one index and one embedder, and take turns going first on
every question, so whatever else runs on the machine weighs on both alike; the query
embedding is included:

    python -m bench.ranker_latency [--data-dir DIR] [--questions 200]
"""

import argparse
import time
from pathlib import Path

from assistant.evaluation import benchmark
from assistant.evaluation.indexing import build_index, eval_settings
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.retriever import HybridRetriever
from assistant.settings import Settings
from index.embedder import build_embedder

DATA = Path("bench/data/multihop-rag")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="the evaluation index")
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    settings = eval_settings(Settings(), DATA / "corpus.json", args.data_dir)
    build_index(settings)
    questions = [q for q in benchmark.load_questions(DATA / "queries-dev.json") if q.answerable]
    chosen = benchmark.sample(questions, args.questions, seed=1)
    corpus, embedder = Corpus(settings), build_embedder(settings)
    retrievers = {
        rerank: HybridRetriever(
            corpus, embedder, settings.retrieval.model_copy(update={"rerank": rerank})
        )
        for rerank in ("off", "learned")
    }
    seconds: dict[str, list[float]] = {rerank: [] for rerank in retrievers}
    for retriever in retrievers.values():
        retriever.search(chosen[0].query)  # warm up: the model, the first query's caches
    for n, question in enumerate(chosen):
        turns = list(retrievers.items())
        for rerank, retriever in turns if n % 2 else turns[::-1]:  # neither always goes first
            started = time.perf_counter()
            retriever.search(question.query, benchmark.DEPTH)
            seconds[rerank].append(time.perf_counter() - started)
    for rerank, values in seconds.items():
        ms = benchmark.latency_ms(values)
        print(f"rerank={rerank:<8} p50 {ms['p50']:.0f} ms  p95 {ms['p95']:.0f} ms")


if __name__ == "__main__":
    main()
