"""Measure retrieval on a MultiHop-RAG-style benchmark: articles plus gold evidence.

Scored with the benchmark's own metric (`benchmark.py`) for our hybrid retriever and, on the
same chunks and embedder, plain LlamaIndex dense retrieval and BM25 alone.
"""

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.evaluation import benchmark
from assistant.evaluation.benchmark import Question, sample
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.passage import Passage
from assistant.retrieval.retriever import HybridRetriever
from assistant.settings import Settings
from index.embedder import build_embedder
from index.progress import Progress

SYSTEMS = ("ours", "dense", "bm25")
Ranking = list[tuple[str, str]]  # (chunk_id, chunk text), best first


@dataclass
class RetrievalRun:
    """One question's top 10 from each system, their scores, and our retrieval time."""

    question: Question
    passages: list[Passage]
    rankings: dict[str, Ranking]
    seconds: float
    scores: dict[str, benchmark.QueryScores] = field(default_factory=dict)


class Retrievers:
    """The systems compared, all over the same chunks with the same embedder."""

    def __init__(self, settings: Settings) -> None:
        from llama_index.core import VectorStoreIndex

        self.corpus = Corpus(settings)
        embedder = build_embedder(settings)
        self.ours = HybridRetriever(self.corpus, embedder, settings.retrieval)
        self.dense = VectorStoreIndex.from_vector_store(
            self.corpus.vectors.store, embed_model=embedder
        ).as_retriever(similarity_top_k=benchmark.DEPTH)

    def run(self, question: Question) -> RetrievalRun:
        started = time.perf_counter()
        passages = self.ours.passages(question.query, benchmark.DEPTH)
        seconds = time.perf_counter() - started
        dense = [
            (n.node.node_id, n.node.get_content()) for n in self.dense.retrieve(question.query)
        ]
        bm25 = self.corpus.bm25.search(question.query, benchmark.DEPTH)
        rankings = {
            "ours": [(p.chunk_id, p.text) for p in passages],
            "dense": [(cid, self._text(cid, text)) for cid, text in dense],
            "bm25": [(cid, self.corpus.chunks[cid].text) for cid, _ in bm25],
        }
        run = RetrievalRun(question, passages, rankings, seconds)
        for system, ranking in rankings.items():
            run.scores[system] = benchmark.score([text for _, text in ranking], question.facts)
        return run

    def _text(self, chunk_id: str, stored: str) -> str:
        chunk = self.corpus.chunks.get(chunk_id)
        return chunk.text if chunk else stored


@dataclass
class RetrievalReport:
    """Every question's rankings, summarized by system and question type."""

    runs: list[RetrievalRun]

    def summary(self) -> dict[str, Any]:
        groups = benchmark.by_type(self.runs, lambda r: r.question.question_type)
        return {
            "questions": {group: len(runs) for group, runs in groups},
            "metrics": {
                system: {
                    group: benchmark.mean([r.scores[system] for r in runs])
                    for group, runs in groups
                }
                for system in SYSTEMS
            },
            "latency_ms": benchmark.latency_ms([r.seconds for r in self.runs]),
        }

    def lines(self) -> list[str]:
        summary = self.summary()
        head = f"{'question type':<18} {'n':>5}  {'system':<6}" + "".join(
            f"{name:>9}" for name in benchmark.NAMES
        )
        lines = [
            f"Retrieval: {len(self.runs):,} questions with gold evidence, top "
            f"{benchmark.DEPTH} chunks, MultiHop-RAG metric",
            head,
        ]
        for group, n in summary["questions"].items():
            for i, system in enumerate(SYSTEMS):
                label = f"{group if i == 0 else '':<18} {n if i == 0 else '':>5}"
                values = summary["metrics"][system][group].values()
                lines.append(f"{label}  {system:<6}" + "".join(f"{v:>9.4f}" for v in values))
        latency = summary["latency_ms"]
        lines.append(f"ours latency: p50 {latency['p50']:.0f} ms, p95 {latency['p95']:.0f} ms")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "questions": [_retrieval_record(r) for r in self.runs]}


def evaluate_retrieval(
    settings: Settings,
    questions: list[Question],
    limit: int | None = None,
    seed: int | None = None,
) -> RetrievalReport:
    """Rank the top 10 chunks for each answerable question with every system."""
    chosen = sample([q for q in questions if q.answerable], limit, seed)
    retrievers = Retrievers(settings)
    if chosen:
        retrievers.ours.passages(chosen[0].query)  # warm up so the first timing is not an outlier
    runs = []
    with Progress(len(chosen), "Retrieving") as bar:
        for question in chosen:
            runs.append(retrievers.run(question))
            bar.advance(1)
    return RetrievalReport(runs)


def _retrieval_record(run: RetrievalRun) -> dict[str, Any]:
    """A question in the upstream evaluator's format (`retrieval_list`, `gold_list`), plus more."""
    question = run.question
    return {
        "query": question.query,
        "question_type": question.question_type,
        "answer": question.answer,
        "gold_list": list(question.evidence),
        "retrieval_list": [asdict(p) for p in run.passages],  # text exactly as indexed
        "chunk_ids": {system: [cid for cid, _ in r] for system, r in run.rankings.items()},
        "seconds": run.seconds,
        "scores": {
            system: dict(zip(benchmark.NAMES, s.values(), strict=True))
            for system, s in run.scores.items()
        },
    }
