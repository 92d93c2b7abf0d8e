"""`make bench`: indexing throughput, latency at two sizes, start-up, and concurrent clients.

    python -m bench.run [--articles N] [--scales 1,2,4,8,15] [--skip growth,serve,...]

Everything is measured in this one run, so the ratios compare like with like on a machine
whose load may change. Writes bench/results/bench.json and bench/results/bench.md.
"""

import argparse
import json
import platform
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from bench import growth, probe, scaled_corpus, serving, throughput
from index.settings import IndexSettings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench/results"
BACKENDS = ("torch", "onnx-int8")
PARTS = ("throughput", "latency", "serve", "clients", "growth")


def measure_throughput(articles: list[dict[str, Any]], work: Path, rounds: int) -> dict[str, Any]:
    """Raw encoding, then full builds of the same chunks, the backends taking turns.

    Builds alternate between the backends for `rounds` rounds and the median counts, so a
    change of load during the run moves both backends' figures alike.
    """
    out: dict[str, Any] = {}
    docs = work / "docs"
    throughput.write_docs(articles, docs)
    for backend in BACKENDS:
        settings = IndexSettings(
            docs_dir=docs,
            data_dir=work / "raw",
            embed_backend=backend,
            model_cache_dir=work / "models",
        )
        texts = throughput.chunk_texts(settings)  # also exports the int8 model, untimed
        out[backend] = {"raw": throughput.raw_encode(settings, texts), "builds": []}
        print(backend, "raw", json.dumps(out[backend]["raw"]), flush=True)
    for _ in range(rounds):
        for backend in BACKENDS:
            data = work / f"index-{backend}"
            shutil.rmtree(data, ignore_errors=True)
            built = throughput.build(docs, data, backend, work / "models")
            out[backend]["builds"].append(built)
            print(backend, "build", json.dumps(built), flush=True)
    for backend in BACKENDS:
        raw, builds = out[backend]["raw"], out[backend]["builds"]
        seconds = statistics.median(b["seconds"] for b in builds)
        built = {**builds[-1], "seconds": seconds, "chunks_per_s": raw["chunks"] / seconds}
        built["ratio_to_raw"] = built["chunks_per_s"] / raw["chunks_per_s"]
        out[backend]["build"] = built
    out["onnx_int8_build_speedup"] = (
        out["onnx-int8"]["build"]["chunks_per_s"] / out["torch"]["build"]["chunks_per_s"]
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=None, help="first N articles only")
    parser.add_argument("--scales", default="1,2,4,8,15", help="growth steps, in corpus copies")
    parser.add_argument("--skip", default="", help=f"parts to skip: {','.join(PARTS)}")
    parser.add_argument("--backend", default="onnx-int8", help="backend for latency and serve")
    parser.add_argument("--rounds", type=int, default=1, help="builds per backend, alternating")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--work", type=Path, default=ROOT / "bench/work")
    args = parser.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    articles = scaled_corpus.load(growth.CORPUS)[: args.articles]
    work = args.work / "bench"
    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {_cores()} cores shared with other work",
        "articles": len(articles),
    }
    if "throughput" not in skip:
        results["throughput"] = measure_throughput(articles, work, args.rounds)
    index = work / f"index-{args.backend}"
    env = growth.index_env(work / "docs", index, args.backend, work / "models")
    if "latency" not in skip:
        results["latency_1x"] = growth.probe(env, 40) | {"disk_mb": growth.disk_mb(index)}
    if "serve" not in skip or "clients" not in skip:
        with serving.server(env) as (url, startup):
            results["serve_startup_s"] = round(startup, 2)
            if "clients" not in skip:
                results["clients"] = serving.concurrent_clients(
                    url, args.clients, args.seconds, probe.QUESTIONS
                )
    if "growth" not in skip:
        scales = sorted(int(s) for s in args.scales.split(","))
        points = growth.grow(
            scales, args.work / "growth", args.backend, 40, RESULTS / "growth.json"
        )
        growth.plot(points, ROOT / "docs/growth.png")
    elif (RESULTS / "growth.json").exists():
        points = json.loads((RESULTS / "growth.json").read_text(encoding="utf-8"))
        results["growth_from_earlier_run"] = True
    else:
        points = []
    results["growth"] = points
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    from bench.table import markdown

    (RESULTS / "bench.md").write_text(markdown(results), encoding="utf-8")
    print(markdown(results))


def _cores() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
