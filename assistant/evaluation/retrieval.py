"""Measure retrieval on a MultiHop-RAG-style benchmark: articles plus gold evidence.

Scored with the benchmark's own metric (`benchmark.py`) for our hybrid retriever and, on the
same chunks and embedder, plain LlamaIndex dense retrieval and BM25 alone. Then, for ours, the
gold facts among the evidence sentences a writer would be handed (`Assistant._generated`): a
fact can be retrieved and still be lost when the best sentences are picked.
"""

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.answering.evidence import Assessor
from assistant.answering.gathering import gather
from assistant.answering.sentences import Sentence
from assistant.evaluation import benchmark
from assistant.evaluation.benchmark import Question, sample
from assistant.generation import briefing
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.parts import split
from assistant.retrieval.passage import Passage
from assistant.retrieval.retriever import HybridRetriever, Search
from assistant.settings import Settings
from index.embedder import build_embedder
from index.progress import Progress

SYSTEMS = ("ours", "dense", "bm25")
Ranking = list[tuple[str, str]]  # (chunk_id, chunk text), best first


@dataclass(frozen=True)
class Brief:
    """The evidence sentences a writer would be handed for one question, and the facts in them."""

    exhibits: list[Sentence]  # exact spans of articles, in prompt order
    support: float  # below `answer.min_support` the service refuses and hands over nothing
    found: int  # gold facts that one run of adjacent exhibits holds (`benchmark.runs`)
    facts: int


@dataclass
class RetrievalRun:
    """One question's top 10 from each system, their scores, our retrieval time, and what our
    top passages would hand the writer."""

    question: Question
    passages: list[Passage]
    rankings: dict[str, Ranking]
    seconds: float
    brief: Brief
    scores: dict[str, benchmark.QueryScores] = field(default_factory=dict)


class Retrievers:
    """The systems compared, all over the same chunks with the same embedder."""

    def __init__(self, settings: Settings) -> None:
        from llama_index.core import VectorStoreIndex

        self.settings = settings
        self.corpus = Corpus(settings)
        embedder = build_embedder(settings)
        self.ours = HybridRetriever(self.corpus, embedder, settings.retrieval)
        self.assessor = Assessor(embedder, self.corpus.bm25)
        self.dense = VectorStoreIndex.from_vector_store(
            self.corpus.vectors.store, embed_model=embedder
        ).as_retriever(similarity_top_k=benchmark.DEPTH)

    def run(self, question: Question) -> RetrievalRun:
        started = time.perf_counter()
        search = self.ours.search(question.query, benchmark.DEPTH)
        seconds = time.perf_counter() - started
        passages = search.passages
        dense = [
            (n.node.node_id, n.node.get_content()) for n in self.dense.retrieve(question.query)
        ]
        bm25 = self.corpus.bm25.search(question.query, benchmark.DEPTH)
        rankings = {
            "ours": [(p.chunk_id, p.text) for p in passages],
            "dense": [(cid, self._text(cid, text)) for cid, text in dense],
            "bm25": [(cid, self.corpus.chunks[cid].text) for cid, _ in bm25],
        }
        run = RetrievalRun(question, passages, rankings, seconds, self.brief(question, search))
        for system, ranking in rankings.items():
            run.scores[system] = benchmark.score([text for _, text in ranking], question.facts)
        return run

    def brief(self, question: Question, search: Search) -> Brief:
        """The exhibits `Assistant._generated` would hand the writer: the same gathering (a
        search per part of the question) and the same brief, from the passages the service
        retrieves (ranking is prefix-consistent: the top `top_k` of the top 10)."""
        top_k = self.settings.retrieval.top_k
        parts = split(question.query, self.corpus.outlet_names)
        whole = Search(search.plan, search.vector, search.passages[:top_k])
        gathered = gather(parts, self.ours, self.assessor, top_k, searched=whole)
        generation = self.settings.generation
        chosen = briefing.brief_parts(gathered, generation.exhibits, generation.per_article)
        exhibits = [e.sentence for e in chosen]
        articles = {s.passage.doc_id: self.corpus.document_text(s.passage.doc_id) for s in exhibits}
        spans = [(s.passage.doc_id, s.start, s.end) for s in exhibits]
        found = benchmark.facts_found(spans, question.facts, articles)
        return Brief(exhibits, gathered.evidence.support, found, len(question.facts))

    def _text(self, chunk_id: str, stored: str) -> str:
        chunk = self.corpus.chunks.get(chunk_id)
        return chunk.text if chunk else stored


@dataclass
class RetrievalReport:
    """Every question's rankings and brief, summarized by system and question type."""

    runs: list[RetrievalRun]
    top_k: int  # passages the service hands on to find evidence in

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
            "evidence_recall": {group: _recall(runs) for group, runs in groups},
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
        return lines + self._evidence_lines(summary)

    def _evidence_lines(self, summary: dict[str, Any]) -> list[str]:
        """Per question type: the share of questions whose exhibits hold all, or any, gold fact."""
        lines = [
            "",
            f"Evidence handed to the writer (best sentences of the top {self.top_k} passages): "
            "questions whose gold facts it holds",
            f"{'question type':<18} {'n':>5} {'all facts':>10} {'any fact':>9} {'exhibits':>9}",
        ]
        for group, n in summary["questions"].items():
            recall = summary["evidence_recall"][group]
            lines.append(
                f"{group:<18} {n:>5} {recall['all']:>10.4f} {recall['any']:>9.4f} "
                f"{recall['exhibits']:>9.1f}"
            )
        return lines

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "questions": [_retrieval_record(r) for r in self.runs]}


def evaluate_retrieval(
    settings: Settings,
    questions: list[Question],
    limit: int | None = None,
    seed: int | None = None,
) -> RetrievalReport:
    """Rank the top 10 chunks for each answerable question with every system, and brief ours."""
    chosen = sample([q for q in questions if q.answerable], limit, seed)
    retrievers = Retrievers(settings)
    if chosen:
        retrievers.ours.passages(chosen[0].query)  # warm up so the first timing is not an outlier
    runs = []
    with Progress(len(chosen), "Retrieving") as bar:
        for question in chosen:
            runs.append(retrievers.run(question))
            hits = sum(r.scores["ours"].hits_at_10 for r in runs) / len(runs)
            facts = sum(r.brief.found == r.brief.facts for r in runs) / len(runs)
            bar.advance(1, f"Hits@10 {hits:.3f}, all facts briefed {facts:.3f}")
    return RetrievalReport(runs, settings.retrieval.top_k)


def _recall(runs: list[RetrievalRun]) -> dict[str, float]:
    """Shares of questions whose exhibits hold all their gold facts, or at least one, and the
    mean number of exhibits (all zero when there are no questions)."""
    n = len(runs) or 1
    return {
        "all": sum(r.brief.found == r.brief.facts for r in runs) / n,
        "any": sum(r.brief.found > 0 for r in runs) / n,
        "exhibits": sum(len(r.brief.exhibits) for r in runs) / n,
    }


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
        "evidence": {
            "exhibits": [
                {"doc_id": s.passage.doc_id, "start": s.start, "end": s.end, "text": s.text}
                for s in run.brief.exhibits
            ],
            "facts_found": run.brief.found,
            "facts_total": run.brief.facts,
            "support": run.brief.support,
        },
    }
