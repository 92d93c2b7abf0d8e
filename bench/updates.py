"""Benchmark incremental updates on the MultiHop-RAG corpus, as a user runs them (the CLI).

    .venv/bin/python bench/updates.py [--corpus PATH] [--out bench/results/updates.json]

One article per file: the full build, then adding, changing and removing one article and a
no-op update, each a fresh `assistant index update` process timed from start to exit.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
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
    changed = dict(articles[5], body=articles[5]["body"] + "\nThis story has been updated.")
    (docs / "article-005.json").write_text(json.dumps(changed), encoding="utf-8")
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
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print("| step | seconds | share of full build |\n| --- | --- | --- |")
    for row in rows:
        print(f"| {row['step']} | {row['seconds']:.2f} | {row['share_of_full_build']:.2%} |")
    for row in rows:
        print(f"{row['step']}: {row['summary']}")


if __name__ == "__main__":
    main()
