"""An int8 ONNX copy of the embedding model, exported here once from the local weights.

The sentence-transformers model (transformer, pooling, normalization) is traced to one ONNX
graph with torch, ONNX Runtime's transformer optimizer fuses each layer's attention, layer
norms and GELU into single operators, and dynamic quantization turns the weights of its
MatMuls and fused attentions into int8 per channel (no calibration data). Nothing is
downloaded: the source is the folder the settings name. The export is cached by source model
and graph version, so it happens once.
"""

import hashlib
import json
import logging
import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np

from index.settings import ONNX_GRAPH_VERSION

EXTRA_HINT = (
    "The onnx-int8 embedder needs onnx, onnxruntime and tokenizers, which the project installs: "
    "run `make install` again, or set ASSISTANT_EMBED_BACKEND=torch"
)
GRAPH = "model_qint8.onnx"
META = "encoder.json"
TOKENIZER = "tokenizer.json"  # written by the fast tokenizer's save_pretrained
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_folder(source: str, cache_dir: Path) -> Path:
    """The cached export of `source`: one folder per source weights."""
    name = Path(source).name or "model"
    return cache_dir / f"{name}-{_fingerprint(source)}-onnx-int8-v{ONNX_GRAPH_VERSION}"


def quantized_model(source: str, cache_dir: Path) -> Path:
    """The folder of the int8 model, exporting it first when it is not cached."""
    folder = export_folder(source, cache_dir)
    if not (folder / META).exists():
        print(
            f"Exporting the embedding model to int8 ONNX in {folder} (first build only, "
            "about half a minute)…",
            file=sys.stderr,
            flush=True,
        )
        _export(source, folder)
    return folder


class OnnxEncoder:
    """Encodes text with the exported graph; the same calls the embedder makes on a model.

    Only ONNX Runtime and the `tokenizers` library load here, not torch or transformers: a
    question's embedding then costs a fraction of a second of imports, not several seconds.
    """

    def __init__(self, folder: Path, threads: int = 0) -> None:
        try:
            import onnxruntime
        except ImportError as exc:
            raise RuntimeError(EXTRA_HINT) from exc

        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        self.max_seq_length = int(meta["max_seq_length"])
        self.dimension = int(meta["dimension"])
        self.tokenizer = WordPieces(folder / TOKENIZER, self.max_seq_length)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(folder / GRAPH), options, providers=["CPUExecutionProvider"]
        )

    def get_embedding_dimension(self) -> int:
        return self.dimension

    def encode(self, texts: list[str], batch_size: int = 32, **_: Any) -> np.ndarray:
        """Unit-length vectors, one row per text (the graph pools and normalizes)."""
        rows = [np.zeros((0, self.dimension), dtype=np.float32)]
        for start in range(0, len(texts), batch_size):
            feeds = self.tokenizer.batch(texts[start : start + batch_size])
            rows.append(self.session.run(None, feeds)[0])
        vectors = np.concatenate(rows)
        # Re-normalize after int8 arithmetic so cosine stays a plain dot product.
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


class WordPieces:
    """The model's fast tokenizer read from its `tokenizer.json`: padded, truncated batches
    for the graph, and untruncated tokens for sizing chunks."""

    def __init__(self, path: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        self._batches = Tokenizer.from_file(str(path))
        self._batches.enable_truncation(max_length)
        self._batches.enable_padding()  # to the longest text of each batch, as the model's own
        self._counts = Tokenizer.from_file(str(path))
        self._counts.no_truncation()
        self._counts.no_padding()

    def tokenize(self, text: str) -> list[str]:
        """The text's tokens, special tokens left out, however long the text."""
        return list(self._counts.encode(text, add_special_tokens=False).tokens)

    def batch(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The graph's inputs for `texts`, one row each."""
        encodings = self._batches.encode_batch(texts)
        fields = ("ids", "attention_mask", "type_ids")  # INPUTS, as `tokenizers` names them
        return {
            name: np.array([getattr(e, field) for e in encodings], dtype=np.int64)
            for name, field in zip(INPUTS, fields, strict=True)
        }


def _export(source: str, folder: Path) -> None:
    """Export to a sibling folder, then rename it in, so a crash never leaves half a model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import onnx  # noqa: F401  (torch's exporter needs it)
    except ImportError as exc:
        raise RuntimeError(EXTRA_HINT) from exc
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the export's one line says what is happening
    # Eager attention traces to the pattern the optimizer fuses; SDPA's graph is left unfused.
    model = SentenceTransformer(source, device="cpu", model_kwargs={"attn_implementation": "eager"})
    tmp = folder.with_name(folder.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    with _quiet():
        _trace(model, tmp / "traced.onnx")
        transformer: Any = model[0].auto_model
        _fuse(tmp / "traced.onnx", tmp / "fused.onnx", transformer.config)
        _quantize(tmp / "fused.onnx", tmp / GRAPH)
    for stage in ("traced.onnx", "fused.onnx"):
        (tmp / stage).unlink()
    model.tokenizer.save_pretrained(str(tmp))
    meta = {"source": source, "max_seq_length": model.max_seq_length}
    meta |= {"dimension": model.get_embedding_dimension(), "graph": ONNX_GRAPH_VERSION}
    (tmp / META).write_text(json.dumps(meta), encoding="utf-8")
    if not (folder / META).exists():
        shutil.rmtree(folder, ignore_errors=True)  # a crashed export's leftovers
        with suppress(OSError):  # another process may have renamed its own export in first
            os.replace(tmp, folder)
    shutil.rmtree(tmp, ignore_errors=True)
    if not (folder / META).exists():
        raise RuntimeError(f"Could not write the exported model to {folder}")


def _fuse(traced: Path, fused: Path, config: Any) -> None:
    """One operator per attention, layer norm and GELU: 1.6x the unfused int8 graph's speed."""
    from onnxruntime.transformers import optimizer

    graph = optimizer.optimize_model(
        str(traced),
        model_type="bert",
        num_heads=config.num_attention_heads,
        hidden_size=config.hidden_size,
        opt_level=1,  # fusions only; the session applies its own hardware-specific passes
    )
    graph.save_model_to_file(str(fused))


def _quantize(fused: Path, out: Path) -> None:
    """Per-channel int8 on MatMul and fused attention weights only: per-tensor weights or
    quantized embedding lookups move the vectors too far (cosine to fp32 of 0.95, not 0.99)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        fused,
        out,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul", "Attention"],
        # Fused operators come from ONNX Runtime's own domain, which shape inference skips.
        extra_options={"DefaultTensorType": 1},  # onnx.TensorProto.FLOAT
    )


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence the export's warnings: tracing reports Python branches frozen into the graph
    (checked: its vectors match torch's for every batch size and length) and quantization
    suggests an optional pre-processing pass."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        root.setLevel(level)


def _trace(model: Any, path: Path) -> None:
    """One graph from token ids to the model's own pooled, normalized sentence vector."""
    import torch

    class Whole(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = model[0].auto_model
            self.rest = torch.nn.ModuleList(list(model)[1:])

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            features = {"token_embeddings": hidden, "attention_mask": attention_mask}
            for module in self.rest:
                features = module(features)
            return features["sentence_embedding"]

    sample = model.tokenizer(["a short one", "and a somewhat longer sentence"], padding=True)
    args = tuple(torch.tensor(sample[name]) for name in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with torch.no_grad():
        torch.onnx.export(
            Whole().eval(),
            args,
            str(path),
            input_names=list(INPUTS),
            output_names=["sentence_embedding"],
            dynamic_axes={**axes, "sentence_embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,  # the TorchScript exporter needs no onnxscript and handles BERT
        )


def _fingerprint(source: str) -> str:
    """Names the source weights by path and by their files' names and sizes."""
    digest = hashlib.sha256(str(Path(source).resolve()).encode())
    root = Path(source)
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest.update(f"{path.relative_to(root)}:{path.stat().st_size}".encode())
    return digest.hexdigest()[:12]
