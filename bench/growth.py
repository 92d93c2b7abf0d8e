"""How build time, latency, memory and disk grow with the corpus, from 1x to about 15x.

    python -m bench.growth [--scales 1,2,4,8,15] [--work bench/work/growth]

One index grows step by step, as an archive does: each step adds perturbed replicas of the
corpus (`bench.scaled_corpus`) and runs `assistant index update` in a fresh process; then
`bench.probe` measures retrieval and answer latency and memory over the index of that size.
Results are written after every step, so an interrupted run keeps what it measured.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import scaled_corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench/data/multihop-rag/corpus.json"


def index_env(docs: Path, data: Path, backend: str, cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "ASSISTANT_DOCS_DIR": str(docs),
        "ASSISTANT_DATA_DIR": str(data),
        "ASSISTANT_EMBED_BACKEND": backend,
        "ASSISTANT_MODEL_CACHE_DIR": str(cache),
    }


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run `command`; its wall seconds, its own peak memory in MB, and its stdout."""
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        assert command[1] == "-m", "run_measured runs a module: [python, -m, module, ...]"
        wrapped = [command[0], "-m", "bench.peak", str(peak), *command[2:]]
        started = time.perf_counter()
        result = subprocess.run(wrapped, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        seconds = time.perf_counter() - started
        if result.returncode:
            raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}")
        return seconds, float(peak.read_text(encoding="utf-8")), result.stdout


def disk_mb(folder: Path) -> float:
    """Bytes on disk under `folder`, models cache excluded."""
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    models = folder / "models"
    if models.exists():
        total -= sum(p.stat().st_size for p in models.rglob("*") if p.is_file())
    return round(total / 2**20, 1)


def probe(env: dict[str, str], questions: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.probe", "--docs", env["ASSISTANT_DOCS_DIR"]]
    command += ["--data", env["ASSISTANT_DATA_DIR"], "--questions", str(questions)]
    command += ["--backend", env["ASSISTANT_EMBED_BACKEND"]]
    command += ["--model-cache", env["ASSISTANT_MODEL_CACHE_DIR"]]
    _, _, out = run_measured(command, env)
    return dict(json.loads(out.strip().splitlines()[-1]))


def grow(
    scales: list[int], work: Path, backend: str, questions: int, out: Path
) -> list[dict[str, Any]]:
    """Build the index up to each scale in turn, measuring after each step."""
    articles = scaled_corpus.load(CORPUS)
    docs, data = work / "docs", work / "index"
    env = index_env(docs, data, backend, work / "models")
    if backend == "onnx-int8":
        # The export happens once per machine, not per build: keep it out of the build time.
        from index.onnx_model import quantized_model
        from index.settings import IndexSettings

        quantized_model(IndexSettings().embed_model_path(), work / "models")
    points: list[dict[str, Any]] = []
    built = 0.0
    for scale in scales:
        scaled_corpus.write_replicas(articles, docs, range(scale))
        command = [sys.executable, "-m", "assistant.cli", "index", "update"]
        seconds, build_rss, summary = run_measured(command, env)
        built += seconds
        point = {"scale": scale, "articles": scale * len(articles), "step_s": round(seconds, 1)}
        point |= {"build_s": round(built, 1), "build_peak_rss_mb": round(build_rss, 1)}
        point |= {"disk_mb": disk_mb(data), "update": summary.strip().splitlines()[-1]}
        point |= probe(env, questions)
        points.append(point)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(points, indent=2), encoding="utf-8")
        print(json.dumps(point), flush=True)
    return points


def plot(points: list[dict[str, Any]], path: Path) -> None:
    """Four panels against the chunk count: build time, latency, memory, disk."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chunks = [p["chunks"] / 1000 for p in points]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.5))
    panels = [
        (axes[0][0], "Build time (s, cumulative)", [("build", "build_s")]),
        (
            axes[0][1],
            "Latency (ms)",
            [
                ("retrieval p50", "retrieval_p50_ms"),
                ("retrieval p95", "retrieval_p95_ms"),
                ("answer p50", "answer_p50_ms"),
                ("answer p95", "answer_p95_ms"),
            ],
        ),
        (
            axes[1][0],
            "Peak memory (MB)",
            [("index update", "build_peak_rss_mb"), ("answering", "peak_rss_mb")],
        ),
        (axes[1][1], "Index on disk (MB)", [("disk", "disk_mb")]),
    ]
    for ax, title, series in panels:
        for label, key in series:
            ax.plot(chunks, [p[key] for p in points], marker="o", label=label)
        ax.set_title(title)
        ax.set_xlabel("chunks (thousands)")
        ax.grid(alpha=0.3)
        if len(series) > 1:
            ax.legend(fontsize=8)
    top = points[-1]
    fig.suptitle(
        f"Growth from {points[0]['articles']:,} to {top['articles']:,} articles "
        f"({top['chunks']:,} chunks); 2 shared CPU cores"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="1,2,4,8,15")
    parser.add_argument("--work", type=Path, default=ROOT / "bench/work/growth")
    parser.add_argument("--backend", default="onnx-int8")
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/growth.json")
    parser.add_argument("--plot", type=Path, default=ROOT / "docs/growth.png")
    parser.add_argument("--plot-only", action="store_true", help="replot --out, build nothing")
    args = parser.parse_args()
    if args.plot_only:
        plot(json.loads(args.out.read_text(encoding="utf-8")), args.plot)
        return
    scales = sorted(int(s) for s in args.scales.split(","))
    points = grow(scales, args.work, args.backend, args.questions, args.out)
    plot(points, args.plot)


if __name__ == "__main__":
    main()
