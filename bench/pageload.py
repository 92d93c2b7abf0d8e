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
from index.status import status

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


def build(settings, scale: int, full: bool) -> None:  # type: ignore[no-untyped-def]
    from index.pipeline import update

    write_replicas(load(CORPUS), settings.docs_dir, range(scale), leads=not full)
    started = time.perf_counter()
    report = update(settings, progress=True)
    print(f"x{scale}: {report.summary()} in {time.perf_counter() - started:.0f} s", flush=True)


def status_seconds(settings) -> float:  # type: ignore[no-untyped-def]
    env = {
        "ASSISTANT_DOCS_DIR": str(settings.docs_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_EMBED_BACKEND": settings.embed_backend,
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


def page_seconds(settings) -> float:  # type: ignore[no-untyped-def]
    from assistant.web import library

    started = time.perf_counter()
    library.status_line(settings)
    library.listing(settings)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", default="onnx-int8", choices=["torch", "onnx-int8"])
    parser.add_argument("--full", action="store_true", help="full-length replicas (slow)")
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    settings = {scale: settings_for(scale, args.backend, args.full) for scale in scales}
    for scale in scales:
        build(settings[scale], scale, args.full)
    timings: dict[int, dict[str, list[float]]] = {s: {"status": [], "page": []} for s in scales}
    for _ in range(args.rounds):
        for scale in scales:
            timings[scale]["status"].append(status_seconds(settings[scale]))
            timings[scale]["page"].append(page_seconds(settings[scale]))
    medians = {
        scale: {kind: round(statistics.median(v), 3) for kind, v in kinds.items()}
        for scale, kinds in timings.items()
    }
    low, high = min(scales), max(scales)
    held = {scale: status(settings[scale]) for scale in scales}
    sizes = {s: {"documents": h.documents, "chunks": h.chunks} for s, h in held.items()}
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
