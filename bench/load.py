"""Many clients at once against a real `assistant serve`, with and without a concurrent rebuild.

    .venv/bin/python bench/load.py [--articles 60] [--clients 16] [--per-client 6]
                                   [--out bench/results/load.json]

Indexes the first N MultiHop-RAG articles into a temporary folder, serves them on 127.0.0.1,
then has every client ask MultiHop-RAG questions through the `/ask` API, one after another:
first with the index at rest, then while `assistant index rebuild` runs in another process.
Reports questions per second, median and p95 latency, and errors (which must be 0).
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "multihop-rag"


@dataclass
class Asked:
    """One question as a client saw it: when it went out and came back, and what came."""

    client: int
    question: str
    submitted: float
    finished: float
    text: str = ""
    files: tuple[str, ...] = ()
    error: str = ""

    @property
    def seconds(self) -> float:
        return self.finished - self.submitted


def ask_concurrently(
    url: str,
    questions: list[str],
    clients: int,
    per_client: int,
    keep_going: Callable[[], bool] = lambda: False,
) -> list[Asked]:
    """Each client asks `per_client` questions in turn, and more while `keep_going()` holds."""
    from gradio_client import Client

    results: list[Asked] = []
    lock = threading.Lock()

    def run(number: int) -> None:
        client = Client(url, verbose=False)
        asked = 0
        while asked < per_client or keep_going():
            question = questions[(number + asked * clients) % len(questions)]
            started = time.monotonic()
            try:
                text, sources = client.predict(question, api_name="/ask")
                record = Asked(
                    number,
                    question,
                    started,
                    time.monotonic(),
                    text,
                    tuple(s["file"] for s in sources),
                )
            except Exception as exc:  # every failure is counted, none may stop the run
                record = Asked(number, question, started, time.monotonic(), error=repr(exc))
            with lock:
                results.append(record)
            asked += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def summary(results: list[Asked]) -> dict[str, float | int]:
    """Questions per second over the whole run, latency percentiles, and errors."""
    latencies = sorted(r.seconds for r in results)
    span = max(r.finished for r in results) - min(r.submitted for r in results)

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))]

    return {
        "questions": len(results),
        "errors": sum(bool(r.error) for r in results),
        "questions_per_second": round(len(results) / span, 2),
        "p50_seconds": round(percentile(0.50), 2),
        "p95_seconds": round(percentile(0.95), 2),
        "max_seconds": round(latencies[-1], 2),
    }


def _env(docs: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {
        **env,
        "ASSISTANT_DOCS_DIR": str(docs),
        "ASSISTANT_DATA_DIR": str(data),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


def _wait_for(port: int, process: subprocess.Popen) -> None:
    while process.poll() is None:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("assistant serve exited before it listened")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=6)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/load.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    docs, data = work / "docs", work / "index"
    docs.mkdir()
    articles = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))[: args.articles]
    for i, article in enumerate(articles):
        (docs / f"article-{i:03}.json").write_text(json.dumps(article), encoding="utf-8")
    queries = json.loads((DATA / "queries-dev.json").read_text(encoding="utf-8"))
    questions = [q["query"] for q in queries[: args.clients * 4]]
    subprocess.run(_cli("index", "update"), env=_env(docs, data), cwd=ROOT, check=True)

    port = free_port()
    server = subprocess.Popen(
        _cli("serve", "--port", str(port)),
        env=_env(docs, data),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, server)
        url = f"http://127.0.0.1:{port}/"
        ask_concurrently(url, questions[:2], 2, 1)  # load the model and index once
        at_rest = ask_concurrently(url, questions, args.clients, args.per_client)
        rebuild = subprocess.Popen(
            _cli("index", "rebuild"),
            env=_env(docs, data),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        during = ask_concurrently(
            url, questions, args.clients, 1, keep_going=lambda: rebuild.poll() is None
        )
        rebuild_seconds = time.monotonic() - started
    finally:
        server.terminate()
        server.wait()
    report = {
        "conditions": {
            "articles": len(articles),
            "clients": args.clients,
            "cpus": os.cpu_count(),
            "rebuild_exit_code": rebuild.returncode,
            "rebuild_seconds": round(rebuild_seconds, 1),
        },
        "at_rest": summary(at_rest),
        "during_rebuild": summary(during),
        "errors": [asdict(r) for r in at_rest + during if r.error][:20],
    }
    print(json.dumps(report, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
