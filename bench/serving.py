"""`assistant serve` as users meet it: time until its port answers, then many clients at once.

The server is a real `assistant serve` process on 127.0.0.1; the clients are `gradio_client`
clients calling its `/ask` endpoint, each in its own thread, for a bounded time.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.evaluation.benchmark import latency_ms, load_questions
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def server(env: dict[str, str], timeout: float = 120) -> Iterator[tuple[str, float]]:
    """A running `assistant serve`: its URL, and seconds from launch until HTTP answered."""
    port = free_port()
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {process.returncode}")
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"assistant serve did not answer within {timeout:.0f} s")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.05)
        yield url, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=30)


def concurrent_clients(url: str, clients: int, seconds: float, questions: Path) -> dict[str, Any]:
    """`clients` threads asking in turn for `seconds`; throughput, latency and errors."""
    from gradio_client import Client

    asked = [q.query for q in load_questions(questions)]
    durations: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        api = Client(url, verbose=False)
        i = n
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                text, _ = api.predict(asked[i % len(asked)], api_name="/ask")
                ok = bool(text)
            except Exception as exc:  # every failure counts, whatever its kind
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                ok = False
            with lock:
                if ok:
                    durations.append(time.perf_counter() - t0)
            i += clients

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    Client(url, verbose=False).predict(asked[0], api_name="/ask")  # loads model and index
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latency = latency_ms(durations)
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "answers": len(durations),
        "answers_per_s": round(len(durations) / elapsed, 2),
        "p50_ms": round(latency["p50"]),
        "p95_ms": round(latency["p95"]),
        "errors": len(errors),
        "first_errors": errors[:3],
    }
