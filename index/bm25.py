"""The lexical side of retrieval: a persisted bm25s index over the manifest's chunks."""

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from index.documents import Chunk

# bm25s sets its own logger to DEBUG: wherever another library has configured logging, every
# build would print "DEBUG:bm25s:Building index from tokens" to the user.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Question words carry no evidence about the answer; "why" stems to "whi" and would match noise.
QUESTION_WORDS = ["why", "what", "how", "who", "whom", "whose", "when", "where", "which", "did"]
STAMP = "stamp.json"


def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stopwords() -> list[str]:
    """Words no term is made of: English stop words and question words."""
    return list(bm25s.stopwords.STOPWORDS_EN) + QUESTION_WORDS


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-worded, Snowball-stemmed terms; the same for chunks and questions."""
    tokens = bm25s.tokenize(
        texts, stopwords=stopwords(), stemmer=_stemmer(), return_ids=False, show_progress=False
    )
    return [list(t) for t in tokens]


def indexed_text(chunk: Chunk, title: str, source: str | None) -> str:
    """The text BM25 sees: the passage, its article's title (the story) and outlet.

    Questions about news name outlets ("the TechCrunch report"); with the outlet indexed,
    MultiHop-RAG dev Hits@10 of BM25 alone rises from 0.859 to 0.886.
    """
    return f"{title}\n{source or ''}\n{chunk.text}"


@dataclass
class BM25Index:
    """A bm25s index whose rows are chunk ids, stamped with the manifest version it reflects."""

    model: bm25s.BM25 | None
    chunk_ids: list[str]
    version: int

    @classmethod
    def build(cls, chunk_ids: list[str], terms: list[list[str]], version: int) -> "BM25Index":
        """Index chunks by their terms (from `tokenize`), row i being `chunk_ids[i]`."""
        if not chunk_ids:
            return cls(model=None, chunk_ids=[], version=version)
        model = bm25s.BM25()
        model.index(terms, show_progress=False)
        return cls(model=model, chunk_ids=list(chunk_ids), version=version)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query`, aligned with `chunk_ids`."""
        terms = tokenize([query])[0]
        if self.model is None or not terms:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return np.asarray(self.model.get_scores(terms), dtype=np.float32)

    def idf(self, terms: list[str]) -> dict[str, float]:
        """How rare each term is in the index; a term no chunk contains weighs the most."""
        total = len(self.chunk_ids)
        vocab = self.model.vocab_dict if self.model is not None else {}
        indptr = self.model.scores["indptr"] if self.model is not None else None
        weights = {}
        for term in terms:
            tid = vocab.get(term)
            freq = 0 if tid is None or indptr is None else int(indptr[tid + 1] - indptr[tid])
            weights[term] = float(np.log(1.0 + (total - freq + 0.5) / (freq + 0.5)))
        return weights

    def term_rows(self, terms: list[str]) -> dict[str, np.ndarray]:
        """The rows of the chunks that hold each term; a term no chunk holds has none."""
        if self.model is None:
            return {term: np.zeros(0, dtype=np.int64) for term in terms}
        vocab, scores = self.model.vocab_dict, self.model.scores
        rows = {}
        for term in terms:
            tid = vocab.get(term)
            span = (
                slice(0, 0)
                if tid is None
                else slice(scores["indptr"][tid], scores["indptr"][tid + 1])
            )
            rows[term] = np.asarray(scores["indices"][span], dtype=np.int64)
        return rows

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        scores = self.scores(query)
        if not len(scores):
            return []
        top = np.argsort(-scores)[:k]
        return [(self.chunk_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        """Write to a sibling folder, then swap it in, so a reader never sees half an index."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if self.model is not None:
            self.model.save(str(tmp), show_progress=False)
        stamp = {"version": self.version, "chunk_ids": self.chunk_ids}
        (tmp / STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            os.replace(folder, old)
        os.replace(tmp, folder)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> "BM25Index | None":
        """The saved index, or None when it is missing or unreadable (then rebuild it)."""
        try:
            stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
            chunk_ids = list(stamp["chunk_ids"])
            model = bm25s.BM25.load(str(folder)) if chunk_ids else None
            return cls(model=model, chunk_ids=chunk_ids, version=int(stamp["version"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
