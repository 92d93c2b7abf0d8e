"""torch fp32 against onnx-int8 (1 and 2 threads), interleaved so shared load hits all alike.

    python -m bench.backends [--rounds 3] [--chunks 48]

Each round encodes the same chunks of the corpus with every encoder in turn; the figure is
each encoder's median rate over the rounds, and its ratio to torch.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench import growth, scaled_corpus, throughput
from index.embedder import build_embedder
from index.settings import IndexSettings

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunks", type=int, default=48)
    parser.add_argument("--models", type=Path, default=ROOT / "bench/work/bench/models")
    args = parser.parse_args()
    docs = Path(tempfile.mkdtemp(prefix="bench-backends-")) / "docs"
    throughput.write_docs(scaled_corpus.load(growth.CORPUS)[:20], docs)
    base = IndexSettings(docs_dir=docs, model_cache_dir=args.models)
    texts = sorted(throughput.chunk_texts(base)[: args.chunks], key=len)
    encoders = {"torch": build_embedder(base)}
    for threads in (1, 2):
        settings = base.model_copy(update={"embed_backend": "onnx-int8", "embed_threads": threads})
        encoders[f"onnx-int8, {threads} thread(s)"] = build_embedder(settings)
    rates: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(args.rounds):
        for name, encoder in encoders.items():
            started = time.perf_counter()
            encoder.encode(texts)
            rates[name].append(len(texts) / (time.perf_counter() - started))
    torch = statistics.median(rates["torch"])
    result = {
        name: {
            "chunks_per_s": round(statistics.median(r), 2),
            "x_torch": round(statistics.median(r) / torch, 2),
        }
        for name, r in rates.items()
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
