"""Real servers for tests: `assistant serve` and `chroma run` as subprocesses on 127.0.0.1."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Exported and joined models (the int8 embedder, the 1.1 GB local LLM) are made once for the
# whole run, outside every test's index.
MODEL_CACHE = Path(__file__).resolve().parent.parent / ".index-test-models"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} before listening")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {seconds:.0f} s")


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the developer's own `ASSISTANT_*` settings, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {
        **env,
        "ASSISTANT_LLM": "extractive",  # a test that wants the local model says so
        "ASSISTANT_MODEL_CACHE_DIR": str(MODEL_CACHE),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "GRADIO_ANALYTICS_ENABLED": "False",
        **extra,
    }


def assistant_env(docs: Path, data: Path, **extra: str) -> dict[str, str]:
    """The environment of an `assistant` subprocess that uses only these folders."""
    return clean_env(ASSISTANT_DOCS_DIR=str(docs), ASSISTANT_DATA_DIR=str(data), **extra)


def assistant_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant.cli", *args]


@dataclass
class Served:
    """A running `assistant serve`: its URL, process and what it printed so far."""

    url: str
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    def printed(self) -> str:
        return "".join(self.output)


@contextmanager
def serve(
    docs: Path, data: Path, *args: str, host: str = "127.0.0.1", **env: str
) -> Iterator[Served]:
    """`assistant serve` on a free port, stopped on exit; waits until it accepts connections."""
    port = free_port()
    process = subprocess.Popen(
        assistant_command("serve", "--host", host, "--port", str(port), *args),
        cwd=data.parent,  # away from the project: no .env of ours applies
        env=assistant_env(docs, data, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}/", process)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            served.output.append(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        wait_for_port(port, process)
        deadline = time.monotonic() + 60
        while "Chat UI running" not in served.printed() and time.monotonic() < deadline:
            time.sleep(0.1)
        yield served
    finally:
        if os.environ.get("SHOW_SERVE_OUTPUT"):
            print(served.printed())
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def chroma_server(path: Path, port: int | None = None) -> Iterator[int]:
    """`chroma run` storing in `path` on 127.0.0.1; yields its port."""
    executable = Path(sys.executable).with_name("chroma")
    if not executable.exists():
        executable = Path(shutil.which("chroma") or "chroma")
    port = port or free_port()
    server = subprocess.Popen(
        [str(executable), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server, seconds=60)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)
