"""Embedding throughput: the raw encoder on the corpus's chunks, and our full build of them.

The raw figure is the limit: sentence-transformers (or the int8 ONNX encoder) encoding exactly
the texts the build embeds, in one call, with the model already loaded. The build figure is a
fresh `assistant index update` process, timed from start to exit: imports, model load, loading
and chunking the articles, embedding, Chroma writes, the manifest and BM25.
"""

import json
import sys
import time
from pathlib import Path
from typing import Any

from bench.growth import index_env, run_measured
from index.chunking import chunk_document, make_splitter
from index.embedder import build_embedder
from index.loaders import load_folder
from index.pipeline import embedded_text
from index.settings import IndexSettings


def write_docs(articles: list[dict[str, Any]], docs: Path) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    (docs / "corpus.json").write_text(json.dumps(articles), encoding="utf-8")


def chunk_texts(settings: IndexSettings) -> list[str]:
    """What the build embeds for this docs folder, in the same form."""
    embedder = build_embedder(settings)
    splitter = make_splitter(settings.chunking, embedder.tokenize)
    documents = {doc.doc_id: doc for doc in load_folder(Path(settings.docs_dir)).documents}
    return [
        embedded_text(chunk, doc.title)
        for doc in documents.values()
        for chunk in chunk_document(doc, splitter)
    ]


def raw_encode(settings: IndexSettings, texts: list[str]) -> dict[str, float]:
    """Chunks per second of the bare encoder, model load excluded."""
    embedder = build_embedder(settings)
    embedder.encode(texts[:8])  # first-call set-up is not throughput
    started = time.perf_counter()
    # sentence-transformers sorts by length itself; the ONNX encoder gets them pre-sorted.
    embedder._model.encode(sorted(texts, key=len), batch_size=settings.embed_batch_size)
    seconds = time.perf_counter() - started
    rate = len(texts) / seconds
    return {"chunks": len(texts), "seconds": round(seconds, 1), "chunks_per_s": rate}


def build(docs: Path, data: Path, backend: str, cache: Path) -> dict[str, Any]:
    """A fresh `assistant index update` of `docs` into an empty `data`, timed end to end."""
    env = index_env(docs, data, backend, cache)
    command = [sys.executable, "-m", "assistant.cli", "index", "update"]
    seconds, rss, out = run_measured(command, env)
    summary = out.strip().splitlines()[-1]
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(rss, 1), "summary": summary}
