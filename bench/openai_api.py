"""The OpenAI-compatible endpoint of a real `assistant serve`, timed through the official client.

    .venv/bin/python -m bench.openai_api [--questions 10] [--clients 8] [--seconds 60]
                                         [--llm local] [--out bench/results/openai_api.json]

Serves the 609-article MultiHop-RAG index (the one `assistant eval` builds) on 127.0.0.1 with
the default answerer, then: `--questions` dev questions one at a time, streaming, timing the
first chunk that carries text and the whole answer; then `--clients` clients asking
continuously for `--seconds`, counting answers, errors and latency.
"""

import argparse
import json
import os
import statistics
import subprocess
import threading
import time
from pathlib import Path

from bench.load import _cli, _env, _wait_for
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "multihop-rag"


def streamed(client, question: str) -> tuple[float | None, float, bool]:  # type: ignore[no-untyped-def]
    """(seconds to the first text, seconds in all, refused) for one streamed answer."""
    started = time.perf_counter()
    first, refused = None, False
    for chunk in client.chat.completions.create(
        model="news-assistant", messages=[{"role": "user", "content": question}], stream=True
    ):
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter() - started
        refused = bool((chunk.model_extra or {}).get("refused", refused))
    return first, time.perf_counter() - started, refused


def main() -> None:
    from openai import OpenAI

    from assistant.evaluation.indexing import build_index, eval_settings
    from assistant.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--llm", default="local")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/openai_api.json")
    args = parser.parse_args()
    settings = eval_settings(Settings(), DATA / "corpus.json")
    build_index(settings)
    docs, data = Path(settings.docs_dir).resolve(), Path(settings.data_dir).resolve()
    env = {**_env(docs, data), "ASSISTANT_LLM": args.llm}  # the server runs in `data`
    if cache := os.environ.get("ASSISTANT_MODEL_CACHE_DIR"):  # an already joined model
        env["ASSISTANT_MODEL_CACHE_DIR"] = str(Path(cache).resolve())
    queries = json.loads((DATA / "queries-dev.json").read_text(encoding="utf-8"))
    questions = [q["query"] for q in queries if q["question_type"] != "null_query"]
    port = free_port()
    server = subprocess.Popen(_cli("serve", "--port", str(port)), env=env, cwd=settings.data_dir)
    try:
        _wait_for(port, server)
        client = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused", timeout=600)
        streamed(client, questions[0])  # warm-up
        one = [streamed(client, q) for q in questions[1 : 1 + args.questions]]
        results: list[tuple[float, str]] = []
        lock = threading.Lock()
        until = time.monotonic() + args.seconds

        def ask(number: int) -> None:
            asked = 0
            while time.monotonic() < until:
                question = questions[(100 + number + asked * args.clients) % len(questions)]
                started = time.perf_counter()
                try:
                    client.chat.completions.create(
                        model="news-assistant", messages=[{"role": "user", "content": question}]
                    )
                    error = ""
                except Exception as exc:  # counted, never fatal
                    error = repr(exc)
                with lock:
                    results.append((time.perf_counter() - started, error))
                asked += 1

        threads = [threading.Thread(target=ask, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait()
    firsts = [f for f, _, _ in one if f is not None]
    latencies = sorted(seconds for seconds, _ in results)
    report = {
        "one_at_a_time": {
            "questions": len(one),
            "refused": sum(r for _, _, r in one),
            "first_text_p50_s": round(statistics.median(firsts), 2) if firsts else None,
            "whole_p50_s": round(statistics.median(t for _, t, _ in one), 2),
        },
        "concurrent": {
            "clients": args.clients,
            "seconds": args.seconds,
            "answers": len(results),
            "errors": sum(bool(e) for _, e in results),
            "p50_s": round(statistics.median(latencies), 2) if latencies else None,
            "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 2) if latencies else None,
            "first_errors": [e for _, e in results if e][:5],
        },
        "llm": args.llm,
    }
    print(json.dumps(report, indent=1))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
