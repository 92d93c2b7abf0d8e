"""Sentence-transformers embeddings as a LlamaIndex `BaseEmbedding`, loaded offline."""

import os
import threading
from pathlib import Path
from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

from index.settings import IndexSettings


class SentenceTransformerEmbedding(BaseEmbedding):
    """Normalized sentence-transformers vectors; cosine similarity is then a dot product."""

    _model: Any = PrivateAttr()
    # One model serves the chat's request threads and the index updates: a fast tokenizer
    # used from two threads at once fails with "Already borrowed", so calls take turns.
    _busy: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __init__(
        self,
        model_name_or_path: str,
        batch_size: int = 32,
        encoder: Any | None = None,
        **kwargs: Any,
    ) -> None:
        """Load the model from disk, or use `encoder`, any object with the model's
        `encode`, `tokenizer` and `get_embedding_dimension` (the ONNX runtime's)."""
        super().__init__(model_name=model_name_or_path, embed_batch_size=batch_size, **kwargs)
        # Weights come from disk only: a missing model must fail here, not try the network.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if encoder is not None:
            self._model = encoder
            return
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        # Chunking tokenizes whole articles on purpose; the length warning and bars are noise.
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()

        try:
            self._model = SentenceTransformer(model_name_or_path, device="cpu")
        except OSError as exc:
            raise RuntimeError(
                f"Cannot load the embedding model {model_name_or_path!r} from disk ({exc}). "
                "Set ASSISTANT_EMBED_MODEL to a local sentence-transformers folder, "
                "or unset it to use the packaged all-MiniLM-L6-v2."
            ) from exc

    @classmethod
    def class_name(cls) -> str:
        return "SentenceTransformerEmbedding"

    @property
    def dimension(self) -> int:
        return int(self._model.get_embedding_dimension())

    def tokenize(self, text: str) -> list[str]:
        """The model's own tokens, used to size chunks."""
        with self._busy:
            return list(self._model.tokenizer.tokenize(text))

    def encode(self, texts: list[str], show_progress: bool = False) -> list[list[float]]:
        with self._busy:
            vectors = self._model.encode(
                texts,
                batch_size=self.embed_batch_size,
                normalize_embeddings=True,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
            )
        return [list(map(float, row)) for row in vectors]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self.encode([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self.encode([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


_loaded: dict[tuple[str, str, int, str], SentenceTransformerEmbedding] = {}
_loading = threading.Lock()


def build_embedder(settings: IndexSettings) -> SentenceTransformerEmbedding:
    """The embedder the settings name, loaded once per process and then shared.

    The watcher and the chat UI update the index many times in one process, and the UI also
    answers with the same model: reloading it for each update cost more than embedding an
    article, and a second copy cost memory.
    """
    # An int8 encoder is loaded from its cache folder: another folder holds its own export.
    exported_in = str(settings.model_cache()) if settings.embed_backend == "onnx-int8" else ""
    key = (
        settings.embed_backend,
        settings.embed_model_path(),
        settings.embed_batch_size,
        exported_in,
    )
    with _loading:
        if key not in _loaded:
            _loaded[key] = _load(settings)
        return _loaded[key]


def _load(settings: IndexSettings) -> SentenceTransformerEmbedding:
    """A new embedder for the settings' model, chosen by `embed_backend`."""
    match settings.embed_backend:
        case "torch":
            return SentenceTransformerEmbedding(
                settings.embed_model_path(), settings.embed_batch_size
            )
        case "onnx-int8":
            from index.onnx_model import OnnxEncoder, quantized_model

            folder = quantized_model(settings.embed_model_path(), Path(settings.model_cache()))
            encoder = OnnxEncoder(folder, settings.embed_threads)
            return SentenceTransformerEmbedding(str(folder), settings.embed_batch_size, encoder)
