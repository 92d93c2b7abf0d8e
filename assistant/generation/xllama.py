"""A GGUF model run in this process by llama.cpp (xllamacpp), as a LlamaIndex LLM.

xllamacpp's server batches concurrent requests (continuous batching), so every chat shares
one loaded model instead of queueing behind a lock. It also opens llama.cpp's own HTTP
listener on 127.0.0.1 at a random port; that listener gets a random API key and a CORS origin
no page can have, so no other local program or web page can drive the model through it.
"""

import ctypes
import queue
import secrets
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    LogProb,
    MessageRole,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM
from pydantic import PrivateAttr

from assistant.errors import AssistantError

# Browsers send an Origin; none can be this one, so no page may read the listener's replies.
NO_ORIGIN = "http://localhost.invalid"
# Request fields passed through to llama.cpp as they are (constrained decoding among them).
OPTIONS = (
    "response_format",
    "json_schema",
    "grammar",
    "stop",
    "max_tokens",
    "temperature",
    "logprobs",
    "top_logprobs",
)
_DONE = object()
CANCEL_SECONDS = 30.0  # a cancelled request ends at its next token; this is a safety bound


class GenerationFailed(AssistantError):
    """llama.cpp refused or failed a request; the message is its own."""


class LocalChat(CustomLLM):
    """Chats through llama.cpp's chat-completions handler with the GGUF's own template."""

    model_path: str
    context_window: int
    max_tokens: int
    temperature: float
    _server: Any = PrivateAttr()
    _api_key: str = PrivateAttr()

    @classmethod
    def load(
        cls,
        path: Path,
        context_window: int,
        threads: int,
        parallel: int,
        max_tokens: int,
        temperature: float,
    ) -> "LocalChat":
        """Load the model once; `parallel` requests decode together, each with its context."""
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_parallel = parallel
        params.n_ctx = context_window * parallel  # split evenly between the parallel slots
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.cache_ram_mib = 256  # prompt prefixes kept for reuse (the system prompt)
        params.warmup = False
        params.verbosity = -1
        params.n_threads_http = 1
        params.endpoint_props = False
        params.endpoint_metrics = False
        params.endpoint_slots = False
        key = secrets.token_urlsafe(32)
        params.api_keys = [key]
        params.cors_origins = NO_ORIGIN
        with _signals_kept():
            server = xllamacpp.Server(params)
        model = cls(
            model_path=str(path),
            context_window=context_window,
            max_tokens=max_tokens,
            temperature=temperature,
        )
        model._server, model._api_key = server, key
        return model

    @property
    def base_url(self) -> str:
        """llama.cpp's own OpenAI-compatible endpoint for this model (needs `api_key`)."""
        return f"{self._server.listening_address}/v1"

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(
            context_window=self.context_window,
            num_output=self.max_tokens,
            is_chat_model=True,
            model_name=Path(self.model_path).name,
        )

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        pieces = list(self._pieces(messages, kwargs))
        text = "".join(p.text for p in pieces)
        timings = next((p.timings for p in reversed(pieces) if p.timings), None)
        return ChatResponse(
            message=ChatMessage(role=MessageRole.ASSISTANT, content=text),
            logprobs=[position for p in pieces for position in p.logprobs] or None,
            additional_kwargs={"timings": timings} if timings else {},
        )

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        def gen() -> ChatResponseGen:
            text = ""
            for piece in self._pieces(messages, kwargs):
                text += piece.text
                message = ChatMessage(role=MessageRole.ASSISTANT, content=text)
                extra = {"timings": piece.timings} if piece.timings else {}
                yield ChatResponse(message=message, delta=piece.text, additional_kwargs=extra)

        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(
            text="".join(p.text for p in self._pieces([_user(prompt)], kwargs))
        )

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            for piece in self._pieces([_user(prompt)], kwargs):
                text += piece.text
                yield CompletionResponse(text=text, delta=piece.text)

        return gen()

    def _pieces(
        self, messages: Sequence[ChatMessage], options: dict[str, Any]
    ) -> Iterator["_Piece"]:
        """What the model writes, piece by piece; the last piece carries llama.cpp's timings.

        The handler blocks until the reply is done, so it runs in a thread that hands chunks
        over; a consumer that stops early makes the next chunk's callback cancel the request,
        which frees its slot for other chats.
        """
        request: dict[str, Any] = {
            "messages": [{"role": m.role.value, "content": m.content or ""} for m in messages],
            "stream": True,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }
        request.update({k: v for k, v in options.items() if k in OPTIONS and v is not None})
        chunks: queue.Queue[Any] = queue.Queue()
        cancelled = threading.Event()

        def receive(chunk: Any) -> bool:
            chunks.put(chunk)
            return cancelled.is_set()

        def run() -> None:
            try:
                self._server.handle_chat_completions(request, receive)
            except Exception as exc:  # handed to the consumer, raised in its thread
                chunks.put(exc)
            finally:
                chunks.put(_DONE)

        worker = threading.Thread(target=run, name="llama-request", daemon=True)
        worker.start()
        try:
            while (chunk := chunks.get()) is not _DONE:
                if piece := _piece(chunk):
                    yield piece
        finally:
            cancelled.set()
            # The next chunk's callback ends the request; a thread left inside llama.cpp when
            # the interpreter exits would abort the process.
            worker.join(timeout=CANCEL_SECONDS)


@dataclass(frozen=True)
class _Piece:
    """One streamed chunk: its text, the alternatives considered per token, the timings."""

    text: str
    logprobs: list[list[LogProb]]
    timings: dict[str, Any] | None


def _piece(chunk: Any) -> _Piece | None:
    """What one streamed chunk carries; errors raised as they come."""
    if isinstance(chunk, Exception):
        raise GenerationFailed(f"The local model failed: {chunk}") from chunk
    if not isinstance(chunk, dict):
        return None
    if "error" in chunk or ("code" in chunk and "message" in chunk):
        error = chunk.get("error", chunk)
        message = error.get("message", error) if isinstance(error, dict) else error
        raise GenerationFailed(f"The local model refused the request: {message}")
    text, logprobs = "", []
    for choice in chunk.get("choices") or []:
        text += (choice.get("delta") or {}).get("content") or ""
        for token in (choice.get("logprobs") or {}).get("content") or []:
            top = token.get("top_logprobs") or [token]
            logprobs.append([LogProb(token=t["token"], logprob=t["logprob"]) for t in top])
    if not text and not logprobs and not chunk.get("timings"):
        return None
    return _Piece(text, logprobs, chunk.get("timings"))


def _user(prompt: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=prompt)


@contextmanager
def _signals_kept() -> Iterator[None]:
    """Keep this process's SIGINT and SIGTERM handlers across llama.cpp's start.

    llama.cpp's server installs its own handlers, which would leave Ctrl+C stopping the model
    but not the program. sigaction is process-wide, so this works from any thread; the saved
    structs are opaque buffers, larger than any libc's `struct sigaction`.
    """
    libc = ctypes.CDLL(None)
    saved = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        buffer = ctypes.create_string_buffer(512)
        if libc.sigaction(int(number), None, buffer) == 0:
            saved[number] = buffer
    try:
        yield
    finally:
        for number, buffer in saved.items():
            libc.sigaction(int(number), buffer, None)
