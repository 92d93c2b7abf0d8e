"""How well retrieved passages answer a question, sentence by sentence.

Two signals, both needed: how close in meaning the best sentence is to the question, and how
much of the question's rare vocabulary one sentence holds (a question about Kabul's population
is not answered by a passage about Kabul). Their blend and the refusal threshold were fitted on
the MultiHop-RAG dev questions (157 null, 200 answerable; see docs/benchmarks.md).
"""

from dataclasses import dataclass

import numpy as np

from assistant.answering.sentences import Sentence, split
from assistant.retrieval.passage import Passage
from index.bm25 import BM25Index, tokenize
from index.embedder import SentenceTransformerEmbedding

SIMILARITY = 0.6  # the blend's weight on meaning; the rest is on the question's rare words


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate answer sentence and why it scored as it did."""

    sentence: Sentence
    relevance: float
    similarity: float
    coverage: float


@dataclass(frozen=True)
class Evidence:
    """Candidate sentences (best first), their vectors, and the overall support score."""

    sentences: list[ScoredSentence]
    vectors: np.ndarray
    best_similarity: float  # highest cosine similarity of one sentence to the question
    best_coverage: float  # highest IDF-weighted share of question terms in one sentence

    @property
    def support(self) -> float:
        # Sentences, not whole passages: a 256-token chunk dilutes a specific fact's signal.
        return _blend(max(self.best_similarity, 0.0), self.best_coverage)


class Assessor:
    """Scores sentences of passages against a question with the index's embedder and IDF."""

    def __init__(self, embedder: SentenceTransformerEmbedding, bm25: BM25Index) -> None:
        self.embedder = embedder
        self.bm25 = bm25

    def assess(
        self, question: str, passages: list[Passage], vector: np.ndarray | None = None
    ) -> Evidence:
        """Score the passages' sentences against `question`; `vector` is its embedding when
        retrieval already made it (`Search.vector`)."""
        sentences = [s for p in passages for s in split(p)]
        weights = self.bm25.idf(sorted(set(tokenize([question])[0])))
        if not sentences or not weights:
            return Evidence([], np.zeros((0, 1), dtype=np.float32), 0.0, 0.0)
        vectors = np.asarray(self.embedder.encode([s.text for s in sentences]), dtype=np.float32)
        if vector is None:
            vector = np.asarray(self.embedder.get_query_embedding(question), dtype=np.float32)
        similarity = vectors @ vector
        titles = {p.doc_id: set(tokenize([p.title])[0]) for p in passages}
        tokens = tokenize([s.text for s in sentences])
        terms = [set(t) | titles[s.passage.doc_id] for s, t in zip(sentences, tokens, strict=True)]
        total = sum(weights.values())
        coverage = [sum(w for t, w in weights.items() if t in ts) / total for ts in terms]
        scored = [
            ScoredSentence(s, _blend(float(sim), cov), float(sim), cov)
            for s, sim, cov in zip(sentences, similarity, coverage, strict=True)
        ]
        order = sorted(range(len(scored)), key=lambda i: -scored[i].relevance)
        return Evidence(
            sentences=[scored[i] for i in order],
            vectors=vectors[order],
            best_similarity=float(similarity.max()),
            best_coverage=max(coverage),
        )


def _blend(similarity: float, coverage: float) -> float:
    """How well a sentence answers the question: closeness in meaning, then rare words held."""
    return SIMILARITY * similarity + (1 - SIMILARITY) * coverage
