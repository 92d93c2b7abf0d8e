"""Hybrid retrieval: BM25 and dense candidates, fused on normalized scores."""

from dataclasses import dataclass

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode
from llama_index.core.vector_stores.types import VectorStoreQuery

from assistant.corpus import Corpus
from assistant.settings import RetrievalSettings


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its document's metadata and the scores that ranked it."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    title: str
    source: str | None
    published: str | None
    url: str | None
    names: tuple[str, ...]
    score: float
    lexical: float
    dense: float


class HybridRetriever(BaseRetriever):
    """Fuses BM25 and dense similarity for the union of both candidate lists.

    Plain reciprocal-rank fusion loses to BM25 alone on news (entity-heavy questions), so
    both scores are computed for every candidate and blended after normalization.
    """

    def __init__(
        self, corpus: Corpus, embedder: BaseEmbedding, settings: RetrievalSettings
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
        corpus, k = self.corpus, top_k or self.settings.top_k
        lexical_all = corpus.bm25.scores(query)
        query_vector = np.asarray(self.embedder.get_query_embedding(query), dtype=np.float32)
        dense = self._dense_candidates(query_vector)
        row = {cid: i for i, cid in enumerate(corpus.bm25.chunk_ids)}
        top_lexical = np.argsort(-lexical_all)[: self.settings.candidates]
        candidates = set(dense) | {
            corpus.bm25.chunk_ids[i] for i in top_lexical if lexical_all[i] > 0
        }
        candidates &= corpus.chunks.keys()  # vectors the manifest does not list are not served
        missing = [cid for cid in candidates if cid not in dense]
        dense.update(self._dense_scores(query_vector, missing))
        lexical = {cid: float(lexical_all[row[cid]]) for cid in candidates if cid in row}
        fused = self._fuse(lexical, dense, candidates)
        ranked = sorted(candidates, key=lambda cid: -fused[cid])[:k]
        return [self._passage(cid, fused[cid], lexical.get(cid, 0.0), dense[cid]) for cid in ranked]

    def _dense_candidates(self, query_vector: np.ndarray) -> dict[str, float]:
        if not self.corpus.chunks:
            return {}
        result = self.corpus.vectors.store.query(
            VectorStoreQuery(
                query_embedding=query_vector.tolist(),
                similarity_top_k=min(self.settings.candidates, len(self.corpus.chunks)),
            )
        )
        # ChromaVectorStore reports exp(-cosine distance); turn it back into cosine similarity.
        return {
            cid: 1.0 + float(np.log(max(sim, 1e-12)))
            for cid, sim in zip(result.ids or [], result.similarities or [], strict=True)
        }

    def _dense_scores(self, query_vector: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        if not chunk_ids:
            return {}
        got = self.corpus.vectors.collection.get(ids=chunk_ids, include=["embeddings"])
        return {
            cid: float(np.dot(np.asarray(emb, dtype=np.float32), query_vector))
            for cid, emb in zip(got["ids"], got["embeddings"], strict=True)
        }

    def _fuse(
        self, lexical: dict[str, float], dense: dict[str, float], candidates: set[str]
    ) -> dict[str, float]:
        top_lexical = max(lexical.values(), default=0.0) or 1.0
        weight = self.settings.bm25_weight
        return {
            cid: weight * lexical.get(cid, 0.0) / top_lexical
            + (1 - weight) * max(dense.get(cid, 0.0), 0.0)
            for cid in candidates
        }

    def _passage(self, chunk_id: str, score: float, lexical: float, dense: float) -> Passage:
        chunk = self.corpus.chunks[chunk_id]
        doc = self.corpus.documents[chunk.doc_id]
        return Passage(
            chunk_id=chunk_id,
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
            lexical=lexical,
            dense=dense,
        )
