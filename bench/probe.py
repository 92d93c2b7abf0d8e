"""Latency of retrieval and of full extractive answers over one built index, in a fresh process.

    python -m bench.probe --docs DIR --data DIR [--questions 40] [--backend onnx-int8]

Prints one JSON object: load time, retrieval and answer p50/p95 in ms, and the process's peak
resident memory (what a user's `assistant serve` holding this index would need).
"""

import argparse
import json
import time
from pathlib import Path

from assistant.evaluation.benchmark import latency_ms, load_questions, sample
from assistant.retrieval.retriever import HybridRetriever
from assistant.service import Assistant
from assistant.settings import Settings
from bench.peak import peak_mb

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "bench/data/multihop-rag/queries-dev.json"


def probe(settings: Settings, count: int) -> dict[str, float]:
    questions = [q.query for q in sample(load_questions(QUESTIONS), count)]
    started = time.perf_counter()
    assistant = Assistant(settings)
    assistant.answer(questions[0])  # loads the corpus, BM25 and the model; timed apart
    loaded = time.perf_counter() - started
    retrieval, answers = [], []
    with assistant.snapshot() as (corpus, embedder):
        retriever = HybridRetriever(corpus, embedder, settings.retrieval)
        for question in questions:
            t0 = time.perf_counter()
            retriever.passages(question)
            t1 = time.perf_counter()
            assistant.answer(question)
            answers.append(time.perf_counter() - t1)
            retrieval.append(t1 - t0)
        chunks = len(corpus.chunks)
    retrieval_ms, answer_ms = latency_ms(retrieval), latency_ms(answers)
    return {
        "load_s": round(loaded, 2),
        "questions": len(questions),
        "retrieval_p50_ms": round(retrieval_ms["p50"], 1),
        "retrieval_p95_ms": round(retrieval_ms["p95"], 1),
        "answer_p50_ms": round(answer_ms["p50"], 1),
        "answer_p95_ms": round(answer_ms["p95"], 1),
        "chunks": chunks,
        "peak_rss_mb": round(peak_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--backend", default="onnx-int8")
    parser.add_argument("--model-cache", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings(
        docs_dir=args.docs,
        data_dir=args.data,
        embed_backend=args.backend,
        model_cache_dir=args.model_cache,
    )
    print(json.dumps(probe(settings, args.questions)))


if __name__ == "__main__":
    main()
