"""Benchmark incremental updates on the MultiHop-RAG corpus, as a user runs them (the CLI).

    .venv/bin/python bench/updates.py [--corpus PATH] [--out bench/results/updates.json]

One article per file: the full build, then adding, changing and removing one article and a
no-op update, each a fresh `assistant index update` process timed from start to exit. A fresh
process pays about five seconds to import torch, Chroma and LlamaIndex and load the model
before any work, so the same steps are then timed again inside one process that has already
done an update, as the watcher, the Documents tab and `index.update()` callers run them.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_update(docs: Path, data: Path) -> tuple[float, str]:
    env = {**os.environ, "ASSISTANT_DOCS_DIR": str(docs), "ASSISTANT_DATA_DIR": str(data)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index", "update"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - started, result.stdout.strip().splitlines()[-1]


def in_process_steps(docs: Path, data: Path, articles: list[dict]) -> dict[str, float]:
    """Add, change and remove one article with `index.update` in a process already warmed up."""
    os.environ.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    sys.path.insert(0, str(ROOT))
    from index import update
    from index.settings import IndexSettings

    settings = IndexSettings(docs_dir=docs, data_dir=data)

    def step(change: Callable[[], object]) -> float:
        change()
        started = time.perf_counter()
        report = update(settings)
        assert report.ok, report.summary()
        return time.perf_counter() - started

    def write(name: str, article: dict) -> Callable[[], object]:
        return lambda: (docs / name).write_text(json.dumps(article), encoding="utf-8")

    # New text, so that the warm-up embeds and loads the model: a copy would only be a duplicate.
    step(write("warm-up.json", _changed(articles[20])))
    return {
        "add 1 article": step(write("article-009.json", articles[9])),
        "change 1 article": step(write("article-006.json", _changed(articles[6]))),
        "remove 1 article": step(lambda: (docs / "article-007.json").unlink()),
        "no-op": step(lambda: None),
    }


def _changed(article: dict) -> dict:
    return dict(article, body=article["body"] + "\nThis story has been updated.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default=ROOT / "bench/data/multihop-rag/corpus.json")
    parser.add_argument("--out", default=ROOT / "bench/results/updates.json")
    args = parser.parse_args()
    articles = json.loads(Path(args.corpus).read_text(encoding="utf-8"))
    work = Path(tempfile.mkdtemp(prefix="bench-updates-"))
    docs, data = work / "docs", work / "index"
    docs.mkdir()
    for i, article in enumerate(articles[1:], start=1):
        (docs / f"article-{i:03}.json").write_text(json.dumps(article), encoding="utf-8")

    steps: dict[str, tuple[float, str]] = {"full build": timed_update(docs, data)}
    steps["no-op"] = timed_update(docs, data)
    (docs / "article-000.json").write_text(json.dumps(articles[0]), encoding="utf-8")
    steps["add 1 article"] = timed_update(docs, data)
    (docs / "article-005.json").write_text(json.dumps(_changed(articles[5])), encoding="utf-8")
    steps["change 1 article"] = timed_update(docs, data)
    (docs / "article-009.json").unlink()
    steps["remove 1 article"] = timed_update(docs, data)
    steps["no-op again"] = timed_update(docs, data)

    full = steps["full build"][0]
    rows = [
        {
            "step": name,
            "seconds": round(sec, 2),
            "share_of_full_build": round(sec / full, 4),
            "summary": summary,
        }
        for name, (sec, summary) in steps.items()
    ]
    warm = in_process_steps(docs, data, articles)
    rows += [
        {
            "step": f"{name} (in a warm process)",
            "seconds": round(sec, 2),
            "share_of_full_build": round(sec / full, 4),
            "summary": "index.update() after an earlier update in the same process",
        }
        for name, sec in warm.items()
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print("| step | seconds | share of full build |\n| --- | --- | --- |")
    for row in rows:
        print(f"| {row['step']} | {row['seconds']:.2f} | {row['share_of_full_build']:.2%} |")
    for row in rows:
        print(f"{row['step']}: {row['summary']}")


if __name__ == "__main__":
    main()
