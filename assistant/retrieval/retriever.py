"""Hybrid retrieval: BM25 and dense candidates, one search per named outlet, a learned order."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import (
    FilterOperator,
    MetadataFilter,
    MetadataFilters,
    VectorStoreQuery,
)

from assistant.retrieval import features, ranking, reranker, scope
from assistant.retrieval.corpus import Corpus, moved_vectors_named
from assistant.retrieval.outlets import Mention
from assistant.retrieval.passage import Passage
from assistant.settings import RetrievalSettings
from index.embedder import SentenceTransformerEmbedding

# Within one outlet: the clause about it (lexical and dense) and the whole question's fused
# score, blended. Tuned on the MultiHop-RAG dev questions, see docs/benchmarks.md.
CLAUSE_LEXICAL, CLAUSE_DENSE, WHOLE_QUESTION = 0.25, 0.25, 0.5


@dataclass(frozen=True)
class Search:
    """One question's search, handed on whole so nothing downstream computes it again."""

    plan: scope.Plan  # the scopes searched: dates, and one per outlet the question names
    vector: np.ndarray  # the question's embedding; evidence scores sentences against it
    passages: list[Passage]  # best first


class HybridRetriever(BaseRetriever):
    """Fuses BM25 and dense similarity, and searches each outlet the question names.

    Plain reciprocal-rank fusion loses to BM25 alone on news (entity-heavy questions), so both
    scores are computed for every candidate and blended after normalization. Questions that
    name outlets get one ranked list per outlet, interleaved, so every article they ask about
    is represented near the top. Dates and outlets in the question limit each search to the
    articles published then, by them (assistant/retrieval/scope.py). The fused score found
    the candidates and orders them, or the learned ranker (reranker.py) does with `rerank` learned.
    """

    def __init__(
        self, corpus: Corpus, embedder: SentenceTransformerEmbedding, settings: RetrievalSettings
    ) -> None:
        super().__init__()
        self.corpus = corpus
        self.embedder = embedder
        self.settings = settings

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [
            NodeWithScore(node=TextNode(id_=p.chunk_id, text=p.text), score=p.score)
            for p in self.passages(query_bundle.query_str)
        ]

    def passages(self, query: str, top_k: int | None = None) -> list[Passage]:
        """The best `top_k` passages for `query`, best first."""
        return self.search(query, top_k).passages

    def search(self, query: str, top_k: int | None = None) -> Search:
        """The best `top_k` passages for `query`, with the plan and vector that found them."""
        found = self.candidates(query)
        if not found.ids:
            return Search(found.plan, found.vector, [])
        learned = self.settings.rerank == "learned"
        score = (
            reranker.load().scores(features.table(found, self.corpus)) if learned else found.fused
        )
        chosen = ranking.order(found, score, top_k or self.settings.top_k, learned)
        return Search(
            found.plan, found.vector, [self.passage(found, i, float(score[i])) for i in chosen]
        )

    def candidates(self, query: str) -> ranking.Candidates:
        """Every chunk either retriever finds for `query` in its scopes, with their scores."""
        searches = scope.plan(query, self.corpus, self.settings)
        named = searches.outlets
        vectors = np.asarray(
            self.embedder.encode([query] + [m.clause for m, _ in named]), dtype=np.float32
        )
        if not self.corpus.chunks:
            empty = np.zeros(0, dtype=np.float32)
            return ranking.Candidates(query, searches, vectors[0], [], empty, empty, empty, [])
        lexical_all = self.corpus.bm25.scores(query)
        candidates = self._within(
            searches.overall,
            lambda rows, where: self._candidates(lexical_all, vectors[0], rows, where),
        )
        per_outlet = [
            self._outlet_candidates(m, s, v) for (m, s), v in zip(named, vectors[1:], strict=True)
        ]
        for outlet_ids, _ in per_outlet:
            candidates |= outlet_ids
        candidates &= self.corpus.chunks.keys()  # vectors the manifest does not list are not served
        embeddings = self._embeddings(sorted(candidates))
        ids = sorted(embeddings)
        matrix = np.stack([embeddings[cid] for cid in ids]) if ids else np.zeros((0, 1))
        rows = self.corpus.rows
        lexical = np.asarray(
            [lexical_all[rows[cid]] if cid in rows else 0.0 for cid in ids], dtype=np.float32
        )
        dense = (matrix @ vectors[0]).astype(np.float32) if ids else np.zeros(0, np.float32)
        weight = self.settings.bm25_weight
        top = float(lexical.max(initial=0.0)) or 1.0
        fused = weight * lexical / top + (1 - weight) * np.maximum(dense, 0.0)
        fused_of = dict(zip(ids, fused.tolist(), strict=True))
        outlets = self._outlet_scores(per_outlet, vectors[1:], embeddings, fused_of)
        return ranking.Candidates(
            query, searches, vectors[0], ids, lexical, dense, fused.astype(np.float32), outlets
        )

    def _within(
        self, where: scope.Scope, search: Callable[[np.ndarray | None, scope.Scope], set[str]]
    ) -> set[str]:
        """Search inside a scope; when it holds nothing, without its dates, then everywhere."""
        for attempt in (where, where.without_time(), scope.Scope()):
            rows = attempt.rows(self.corpus)
            if rows is None or len(rows):
                found = search(rows, attempt)
                if found:
                    return found
        return set()

    def _candidates(
        self, lexical: np.ndarray, vector: np.ndarray, rows: np.ndarray | None, where: scope.Scope
    ) -> set[str]:
        """Top chunks by BM25 and by dense similarity, over all chunks or the given rows."""
        n = self.settings.candidates
        ids = self.corpus.bm25.chunk_ids
        pool = np.arange(len(ids)) if rows is None else rows
        top = pool[np.argsort(-lexical[pool])[:n]]
        found = {ids[i] for i in top if lexical[i] > 0}
        if rows is None:
            return found | self._dense_top(vector, None)
        if where.timeframe is None and where.sources:
            # One outlet at a time by name: Chroma's filtered search finds more this way than
            # with a long list of document ids (MultiHop-RAG inference questions).
            for source in sorted(where.sources):
                found |= self._dense_top(vector, MetadataFilter(key="source", value=source))
            return found
        doc_ids = sorted({self.corpus.row_docs[i] for i in rows})
        by_id = MetadataFilter(key="doc_id", value=doc_ids, operator=FilterOperator.IN)
        return found | self._dense_top(vector, by_id)

    def _dense_top(self, vector: np.ndarray, only: MetadataFilter | None) -> set[str]:
        filters = MetadataFilters(filters=[only]) if only is not None else None
        with moved_vectors_named():
            result = self.corpus.vectors.store.query(
                VectorStoreQuery(
                    query_embedding=vector.tolist(),
                    similarity_top_k=min(self.settings.candidates, len(self.corpus.chunks)),
                    filters=filters,
                )
            )
        return set(result.ids or [])

    def _outlet_candidates(
        self, mention: Mention, where: scope.Scope, vector: np.ndarray
    ) -> tuple[set[str], np.ndarray]:
        """Candidates from the outlets a mention names, ranked by the clause about them."""
        lexical = self.corpus.bm25.scores(mention.clause)
        found = self._within(
            where, lambda rows, where: self._candidates(lexical, vector, rows, where)
        )
        return found, lexical

    def _embeddings(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        with moved_vectors_named():
            got = self.corpus.vectors.collection.get(ids=chunk_ids, include=["embeddings"])
        return {
            cid: np.asarray(emb, dtype=np.float32)
            for cid, emb in zip(got["ids"], got["embeddings"], strict=True)
        }

    def _outlet_scores(
        self,
        per_outlet: list[tuple[set[str], np.ndarray]],
        vectors: np.ndarray,
        embeddings: dict[str, np.ndarray],
        fused: dict[str, float],
    ) -> list[dict[str, float]]:
        """Per named outlet, its candidates scored by the clause about it and the question."""
        rows, scored = self.corpus.rows, []
        for (ids, lexical), vector in zip(per_outlet, vectors, strict=True):
            ids = ids & embeddings.keys()
            top = max((float(lexical[rows[c]]) for c in ids), default=0.0) or 1.0
            scored.append(
                {
                    c: CLAUSE_LEXICAL * float(lexical[rows[c]]) / top
                    + CLAUSE_DENSE * max(float(embeddings[c] @ vector), 0.0)
                    + WHOLE_QUESTION * fused[c]
                    for c in ids
                }
            )
        return scored

    def passage(self, found: ranking.Candidates, i: int, score: float) -> Passage:
        """Candidate `i` of `found`, with its article's metadata, as handed on."""
        chunk = self.corpus.chunks[found.ids[i]]
        doc = self.corpus.documents[chunk.doc_id]
        return Passage(
            chunk_id=chunk.chunk_id,
            doc_id=chunk.doc_id,
            start=chunk.start,
            end=chunk.end,
            text=chunk.text,
            title=doc.title,
            source=doc.source,
            published=doc.published,
            url=doc.url,
            names=doc.names,
            score=score,
            lexical=float(found.lexical[i]),
            dense=float(found.dense[i]),
        )
