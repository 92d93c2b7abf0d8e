"""The index a benchmark is measured on: the benchmark's corpus alone, one folder per corpus."""

import hashlib
from pathlib import Path

from assistant.settings import Settings
from index import layout
from index.pipeline import UpdateReport, update

EVAL_ROOT = Path(".index-eval")


def eval_settings(settings: Settings, corpus: Path, data_dir: Path | None = None) -> Settings:
    """Settings for an index of `corpus` alone; by default one folder per corpus content."""
    if not corpus.is_file():
        raise FileNotFoundError(
            f"Corpus file {corpus} does not exist: pass a JSON list of articles, "
            "e.g. bench/data/multihop-rag/corpus.json"
        )
    content = corpus.read_bytes()
    if data_dir is None:
        _keep_out_of_git(EVAL_ROOT)
    data = data_dir or EVAL_ROOT / hashlib.sha256(content).hexdigest()[:12]
    docs = data / "docs"
    # Indexing a corpus into someone's real index would drop every article it holds.
    if (data / layout.POINTER).exists() and not docs.is_dir():
        raise FileExistsError(
            f"{data} holds an index `assistant eval` did not build: pass a fresh --data-dir"
        )
    docs.mkdir(parents=True, exist_ok=True)
    target = docs / corpus.name
    others = sorted(p.name for p in docs.iterdir() if p != target)
    if others:
        raise FileExistsError(
            f"{docs} holds other files ({', '.join(others[:3])}); the evaluation index must "
            "hold the corpus alone: pass a fresh --data-dir"
        )
    # A copy, not a link: the index must keep describing the file it was built from.
    if not target.exists() or target.read_bytes() != content:
        target.write_bytes(content)
    return settings.model_copy(update={"docs_dir": docs, "data_dir": data})


def _keep_out_of_git(folder: Path) -> None:
    """Mark a cache folder as ignored, as pytest and ruff do, so no index is ever committed."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by `assistant eval`; indexes are rebuilt on demand.\n*\n")


def build_index(settings: Settings) -> UpdateReport:
    """Index the corpus, or reuse the index when nothing changed."""
    report = update(settings, progress=True)
    if report.failed:
        problem = report.failed[0]
        raise RuntimeError(f"The corpus could not be indexed: {problem.name}: {problem.reason}")
    return report
