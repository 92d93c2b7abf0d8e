"""Session fixtures for the answer backends: the real local model, loaded once, reached three ways.

- `local_settings(base)`: settings answering with the packaged Qwen2.5-Coder-1.5B-Instruct
  in-process (xllamacpp); every test shares one loaded copy and one joined model file;
- `openai_url`: llama.cpp's own OpenAI-compatible listener of that same copy on 127.0.0.1,
  guarded by its API key;
- `ollama_url`: a peer speaking Ollama's `/api/chat` (streaming NDJSON) on 127.0.0.1, backed by
  the same model, since Ollama itself cannot be installed here.
"""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.llm import LLMChatStartEvent, LLMCompletionStartEvent
from pydantic import SecretStr

from assistant.generation.llm import build_llm
from assistant.generation.xllama import LocalChat
from assistant.settings import Settings
from tests.servers import MODEL_CACHE

MODEL_NAME = "qwen"


def local_settings(base: Settings, **overrides: Any) -> Settings:
    """`base` answering with the packaged local model, from the shared model cache."""
    return base.model_copy(update={"llm": "local", "model_cache_dir": MODEL_CACHE, **overrides})


def backend_settings(base: Settings, llm: str, url: str = "", api_key: str = "") -> Settings:
    """`base` answering through a server backend (`openai`, `ollama`) at `url`."""
    return base.model_copy(
        update={
            "llm": llm,
            "llm_base_url": url,
            "llm_model": MODEL_NAME,
            "llm_api_key": SecretStr(api_key),
        }
    )


class LLMCalls(BaseEventHandler):
    """Counts LLM calls as LlamaIndex reports them."""

    calls: int = 0

    def handle(self, event: BaseEvent, **kwargs: object) -> None:
        if isinstance(event, LLMChatStartEvent | LLMCompletionStartEvent):
            self.calls += 1


@pytest.fixture
def llm_calls() -> Iterator[LLMCalls]:
    handler = LLMCalls()
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(handler)
    yield handler
    dispatcher.event_handlers.remove(handler)


@pytest.fixture(scope="session")
def local_llm() -> LocalChat:
    """The packaged model, loaded once; `build_llm` hands every assistant this same copy."""
    MODEL_CACHE.mkdir(exist_ok=True)
    (MODEL_CACHE / ".gitignore").write_text("*\n")
    llm = build_llm(local_settings(Settings()))
    assert isinstance(llm, LocalChat)
    return llm


@pytest.fixture(scope="session")
def openai_url(local_llm: LocalChat) -> str:
    """llama.cpp's OpenAI-compatible listener of the loaded model (its key: `local_llm.api_key`)."""
    return local_llm.base_url


@pytest.fixture(scope="session")
def ollama_url(local_llm: LocalChat) -> Iterator[str]:
    """A local server implementing Ollama's `/api/chat`, answering with the local model."""
    handler = type("Handler", (_OllamaChat,), {"llm": local_llm})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _OllamaChat(BaseHTTPRequestHandler):
    """POST /api/chat as Ollama answers it: NDJSON chunks when streaming, one object if not.

    A `format` holding a JSON schema constrains the reply, as Ollama's structured outputs do.
    """

    llm: LocalChat
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        from llama_index.core.llms import ChatMessage

        if self.path != "/api/chat":
            self.send_error(404)
            return
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        messages = [ChatMessage(role=m["role"], content=m["content"]) for m in request["messages"]]
        options: dict[str, Any] = {}
        if isinstance(request.get("format"), dict):
            schema = {"name": "reply", "schema": request["format"]}
            options["response_format"] = {"type": "json_schema", "json_schema": schema}
        if request.get("stream", True):
            self._send_stream(request["model"], messages, options)
        else:
            reply = self.llm.chat(messages, **options).message.content or ""
            self._send(json.dumps(_chunk(request["model"], reply, done=True)).encode())

    def _send_stream(self, model: str, messages: list[Any], options: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for response in self.llm.stream_chat(messages, **options):
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
