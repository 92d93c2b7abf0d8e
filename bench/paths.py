"""Where the benchmarks find the project and its data, wherever they are run from."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "multihop-rag"
RESULTS = ROOT / "bench" / "results"
