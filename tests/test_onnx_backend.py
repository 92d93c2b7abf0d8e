"""The onnx-int8 embed backend: exported here once, close to torch, and never mixed with it."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.service import Assistant
from index.embedder import build_embedder
from index.onnx_model import GRAPH, export_folder
from index.pipeline import update
from tests.conftest import SEED_ARTICLE, SEEDS, make_settings
from tests.servers import assistant_env

pytestmark = pytest.mark.slow

TEXTS = [
    "Russia offered the Taliban help against ISIS-K.",
    "Apple shares rose on Tuesday after analysts raised their targets. " * 12,
    "A storm hit the coast.",
]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("models")


def test_int8_vectors_stay_close_to_torch_and_export_once(models: Path, tmp_path: Path):
    torch = build_embedder(make_settings(SEEDS, tmp_path / "a", embed_backend="torch"))
    onnx_settings = make_settings(
        SEEDS, tmp_path / "b", embed_backend="onnx-int8", model_cache_dir=models
    )
    onnx = build_embedder(onnx_settings)
    exported = export_folder(onnx_settings.embed_model_path(), models) / GRAPH
    # fp32 would be 90 MB; int8 MatMuls leave the word-embedding table (47 MB) in fp32.
    assert exported.is_file() and exported.stat().st_size < 64 * 2**20
    stamp = exported.stat().st_mtime_ns

    a, b = np.asarray(torch.encode(TEXTS)), np.asarray(onnx.encode(TEXTS))
    assert a.shape == b.shape == (3, 384)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.98
    assert onnx.tokenize(TEXTS[0]) == torch.tokenize(TEXTS[0])  # chunks are cut alike

    build_embedder(onnx_settings)
    assert exported.stat().st_mtime_ns == stamp  # cached: not exported again


def test_backend_change_rebuilds_instead_of_mixing(models: Path, tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SEED_ARTICLE.name).write_text(SEED_ARTICLE.read_text(encoding="utf-8"))
    torch = make_settings(docs, tmp_path / "index", embed_backend="torch")
    assert update(torch).rebuilt_because == "no index yet"
    onnx = make_settings(
        docs, tmp_path / "index", embed_backend="onnx-int8", model_cache_dir=models
    )
    report = update(onnx)
    assert "embed_backend 'torch' -> 'onnx-int8'" in (report.rebuilt_because or "")
    assert report.embedded_chunks == update(torch).embedded_chunks > 0  # and back again
    assert update(torch).rebuilt_because is None

    update(onnx)
    assert "onnx-int8" in Assistant(onnx).status().model
    answer = Assistant(onnx).answer("Why is Russia engaging the Taliban?")
    assert not answer.refused and answer.citations
    text = SEED_ARTICLE.read_text(encoding="utf-8").strip()
    assert all(text[c.start : c.end] == c.passage for c in answer.citations)


ASK_AND_LIST_MODULES = """
import json, sys
from assistant.cli import main
code = main(["ask", "--json", "Why is Russia engaging the Taliban?"])
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def test_ask_over_the_default_index_loads_neither_torch_nor_transformers(
    models: Path, tmp_path: Path
):
    settings = make_settings(SEEDS, tmp_path / "index", model_cache_dir=models)
    assert settings.embed_backend == "onnx-int8"  # the default
    update(settings)
    env = assistant_env(SEEDS, tmp_path / "index", ASSISTANT_MODEL_CACHE_DIR=str(models))
    done = subprocess.run(
        [sys.executable, "-c", ASK_AND_LIST_MODULES],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stderr.strip().splitlines()[-1])
    answer = json.loads(done.stdout)
    assert report["code"] == 0 and not answer["refused"] and answer["citations"]
    assert report["heavy"] == []  # a question's start-up skips seconds of imports
