"""What a status call and a chat page load cost at 1x and 10x the corpus (609 and 6,090 articles).

    .venv/bin/python -m bench.pageload [--scales 1,10] [--rounds 5] [--backend onnx-int8]

Builds (or reuses, under bench/work/) one index per scale from `bench/scaled_corpus.py`
replicas, then, interleaving the scales round by round: `assistant index status` in a fresh
process (wall time), and in this process what the chat's page load runs (the status line, the
newest documents for the Documents tab, the files it can delete). Medians per scale, and the
ratio of the largest scale to the smallest. Neither may grow with the archive: no per-document
hashing or page check happens on the read path while the manifest is sealed.

Scale s holds s times the 609 articles: the corpus itself, and s - 1 replicas of it that keep
only each article's lead (about 120 words, one chunk). Status and page loads read documents,
not vectors, so the documents are what must grow; full-length replicas would cost ten times the
embedding (65,000 chunks, hours on two shared cores) for the same figure. `--full` builds them.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.scaled_corpus import load, write_replicas

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "data" / "multihop-rag" / "corpus.json"
WORK = ROOT / "bench" / "work" / "pageload"


def settings_for(scale: int, backend: str, full: bool):  # type: ignore[no-untyped-def]
    from assistant.settings import Settings

    folder = WORK / (f"x{scale}-full" if full and scale > 1 else f"x{scale}")
    return Settings(  # type: ignore[call-arg]
        docs_dir=folder / "docs",
        data_dir=folder / "index",
        embed_backend=backend,  # type: ignore[arg-type]
        model_cache_dir=WORK / "models",
        llm="extractive",
    )


def build(scale: int, backend: str, full: bool) -> None:
    from index.pipeline import update

    settings = settings_for(scale, backend, full)
    write_replicas(load(CORPUS), settings.docs_dir, range(scale), leads=not full)
    started = time.perf_counter()
    report = update(settings, progress=True)
    print(f"x{scale}: {report.summary()} in {time.perf_counter() - started:.0f} s", flush=True)


def status_seconds(scale: int, backend: str, full: bool) -> float:
    settings = settings_for(scale, backend, full)
    env = {
        "ASSISTANT_DOCS_DIR": str(settings.docs_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_EMBED_BACKEND": backend,
        "PATH": "/usr/bin:/bin",
        "HF_HUB_OFFLINE": "1",
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "index", "status"],
        env=env,
        cwd=settings.data_dir.parent,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def page_seconds(scale: int, backend: str, full: bool) -> float:
    from assistant import library

    settings = settings_for(scale, backend, full)
    started = time.perf_counter()
    library.status_line(settings)
    library.document_rows(settings)
    library.deletable_names(settings)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", default="onnx-int8", choices=["torch", "onnx-int8"])
    parser.add_argument("--full", action="store_true", help="full-length replicas (slow)")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    for scale in scales:
        build(scale, args.backend, args.full)
    timings: dict[int, dict[str, list[float]]] = {s: {"status": [], "page": []} for s in scales}
    for _ in range(args.rounds):
        for scale in scales:
            timings[scale]["status"].append(status_seconds(scale, args.backend, args.full))
            timings[scale]["page"].append(page_seconds(scale, args.backend, args.full))
    medians = {
        scale: {kind: round(statistics.median(v), 3) for kind, v in kinds.items()}
        for scale, kinds in timings.items()
    }
    low, high = min(scales), max(scales)
    from index.status import status

    sizes = {}
    for scale in scales:
        held = status(settings_for(scale, args.backend, args.full))
        sizes[scale] = {"documents": held.documents, "chunks": held.chunks}
    report = {
        "sizes": sizes,
        "medians_s": medians,
        "ratio": {
            kind: round(medians[high][kind] / medians[low][kind], 2) for kind in ("status", "page")
        },
        "rounds": args.rounds,
        "replicas": "full" if args.full else "leads",
    }
    print(json.dumps(report, indent=1))
    out = ROOT / "bench" / "results" / "pageload.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
