"""The HTTP API beside the chat: OpenAI-compatible chat completions with citations, and JSON.

Any OpenAI client can point at `http://127.0.0.1:7860/v1` and get cited, verified answers; the
citations come as data (a top-level `citations` array, and in the last streamed chunk), not as
text to parse. `/api/answer` and `/api/status` give the `Answer` and the index status in the
shape `assistant ask --json` prints. Access follows the UI's rules (`exposure.py`).
"""

import asyncio
import base64
import json
import queue
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse

from assistant.answering.citations import Answer, Citation
from assistant.errors import AssistantError, InvalidQuestion
from assistant.generation.followups import Message
from assistant.service import Assistant

MODEL = "news-assistant"
_DONE = object()
_POLL_SECONDS = 0.25  # how often a waiting stream looks for a client that left


class ApiError(Exception):
    """A request the API turns down: an HTTP status and an OpenAI-style error body."""

    def __init__(self, status: int, message: str, kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.kind = status, message, kind

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error": {"message": self.message, "type": self.kind}}, status_code=self.status
        )


def build_api(
    assistant: Assistant,
    answering: threading.BoundedSemaphore,
    auth: tuple[str, str] | None = None,
    cors_origins: list[str] | None = None,
) -> FastAPI:
    """The API routes; `answering` is the concurrency the chat UI shares."""
    app = FastAPI(
        title="News assistant",
        description="Cited, verified answers about the indexed news articles.",
        version="1",
    )
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Any:
        path = request.url.path
        if _is_api(path) and auth and not _signed_in(request, auth):
            return JSONResponse(
                {
                    "error": {
                        "message": "Sign in: HTTP Basic, or a Bearer token (the password).",
                        "type": "authentication_error",
                    }
                },
                status_code=401,
                headers={"WWW-Authenticate": 'Basic realm="news-assistant"'},
            )
        return await call_next(request)

    @app.exception_handler(ApiError)
    async def refuse(request: Request, error: ApiError) -> JSONResponse:
        return error.response()

    @app.get("/v1/models", summary="The one model: news-assistant")
    def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "news-assistant"}],
        }

    @app.post("/v1/chat/completions", summary="Answer the last user message, with citations")
    async def chat_completions(request: Request) -> Any:
        body = await _json_body(request)
        question, history, stream = _chat_request(body)
        _usable(assistant, question)
        if stream:
            return StreamingResponse(
                _sse(assistant, answering, request, question, history),
                media_type="text/event-stream",
            )
        answer = await asyncio.to_thread(_answer, assistant, answering, question, history)
        return _completion(answer)

    @app.post("/api/answer", summary="The answer as `assistant ask --json` prints it")
    async def answer_json(request: Request) -> Any:
        body = await _json_body(request)
        question = body.get("question")
        if not isinstance(question, str):
            raise ApiError(400, 'Send {"question": "..."} (and optionally "history").')
        history = _history(body.get("history") or [])
        _usable(assistant, question)
        answer = await asyncio.to_thread(_answer, assistant, answering, question, history)
        return asdict(answer)

    @app.get("/api/status", summary="What the index holds")
    def status() -> dict[str, Any]:
        return asdict(assistant.status())

    return app


def _usable(assistant: Assistant, question: str) -> None:
    """Turn down an empty or overlong question before anything is streamed."""
    try:
        assistant.clean_question(question)
    except InvalidQuestion as error:
        raise ApiError(400, str(error)) from error


def _is_api(path: str) -> bool:
    return path.startswith(("/v1/", "/api/"))


def _signed_in(request: Request, auth: tuple[str, str]) -> bool:
    """HTTP Basic with the UI's user and password, or a Bearer token that is the password."""
    kind, _, value = request.headers.get("authorization", "").partition(" ")
    user, password = auth
    if kind.lower() == "bearer":
        return secrets.compare_digest(value.strip().encode(), password.encode())
    if kind.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode()
        except ValueError:
            return False
        return secrets.compare_digest(given.encode(), f"{user}:{password}".encode())
    return False


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        raise ApiError(400, f"The request body is not valid JSON ({exc}).") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def _chat_request(body: dict[str, Any]) -> tuple[str, list[Message], bool]:
    """(question, history, stream) from an OpenAI chat-completions request."""
    model = body.get("model", MODEL)
    if model != MODEL:
        raise ApiError(
            404, f"Unknown model {model!r}: this server has one, {MODEL!r}.", "model_not_found"
        )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "`messages` must be a non-empty list of {role, content} objects.")
    said = [_message(m, i) for i, m in enumerate(messages)]
    if said[-1]["role"] != "user":
        raise ApiError(400, 'The last message must be the user\'s question (role "user").')
    history = [m for m in said[:-1] if m["role"] in ("user", "assistant")]
    return said[-1]["content"], history, bool(body.get("stream", False))


def _message(message: Any, index: int) -> Message:
    if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant"):
        raise ApiError(400, f"messages[{index}] needs a role of system, user or assistant.")
    content = message.get("content")
    if isinstance(content, list):
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text":
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ApiError(400, f"messages[{index}] has a {kind!r} part: only text is read.")
            parts.append(str(part.get("text", "")))
        content = " ".join(parts)
    if not isinstance(content, str):
        raise ApiError(400, f"messages[{index}].content must be text.")
    return {"role": message["role"], "content": content}


def _history(history: Any) -> list[Message]:
    if not isinstance(history, list):
        raise ApiError(400, "`history` must be a list of {role, content} objects.")
    said = [_message(m, i) for i, m in enumerate(history)]
    return [m for m in said if m["role"] in ("user", "assistant")]


def _answer(
    assistant: Assistant, answering: threading.BoundedSemaphore, question: str, history: list
) -> Answer:
    with answering:
        try:
            return assistant.answer(question, history)
        except InvalidQuestion as error:
            raise ApiError(400, str(error)) from error
        except AssistantError as error:
            raise ApiError(503, str(error), "server_error") from error


def _citation(citation: Citation) -> dict[str, Any]:
    fields = ("number", "doc_id", "title", "source", "published", "url", "path", "passage")
    return {
        **{f: getattr(citation, f) for f in fields},
        "start": citation.start,
        "end": citation.end,
    }


def _extras(answer: Answer) -> dict[str, Any]:
    return {
        "citations": [_citation(c) for c in answer.citations],
        "refused": answer.refused,
        "searched_for": answer.searched_for,
        "short": answer.short,
        "parts": [asdict(p) for p in answer.parts],
        "note": answer.note,
    }


def _completion(answer: Answer) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
            }
        ],
        **_extras(answer),
    }


def _chunk(ident: str, delta: dict[str, Any], finish: str | None = None) -> str:
    chunk = {
        "id": ident,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"


async def _sse(
    assistant: Assistant,
    answering: threading.BoundedSemaphore,
    request: Request,
    question: str,
    history: list[Message],
) -> AsyncIterator[str]:
    """Server-sent chunks: only verified text, then the citations, then [DONE]; an error that
    stops the answer is an `error` event. A client that leaves stops the answer (its model
    request included) and frees its slot."""
    pieces: queue.Queue[Any] = queue.Queue()
    left = threading.Event()
    worker = threading.Thread(
        target=_produce, args=(assistant, answering, question, history, pieces, left), daemon=True
    )
    worker.start()
    ident = f"chatcmpl-{uuid.uuid4().hex}"
    yield _chunk(ident, {"role": "assistant", "content": ""})
    try:
        while True:
            try:
                item = await asyncio.to_thread(pieces.get, True, _POLL_SECONDS)
            except queue.Empty:
                if await request.is_disconnected():
                    return
                continue
            if item is _DONE:
                break
            if isinstance(item, Exception):
                # An error event, as OpenAI's API sends one: clients raise it, none shows it
                # as the answer's text.
                error = {"message": str(item), "type": "server_error"}
                yield f"data: {json.dumps({'error': error}, ensure_ascii=False)}\n\n"
                break
            if isinstance(item, Answer):
                last = json.loads(_chunk(ident, {}, "stop")[len("data: ") :])
                yield f"data: {json.dumps({**last, **_extras(item)}, ensure_ascii=False)}\n\n"
            else:
                yield _chunk(ident, {"content": item})
        yield "data: [DONE]\n\n"
    finally:
        left.set()


def _produce(
    assistant: Assistant,
    answering: threading.BoundedSemaphore,
    question: str,
    history: list[Message],
    pieces: "queue.Queue[Any]",
    left: threading.Event,
) -> None:
    with answering:
        stream: Iterator[str | Answer] = assistant.stream(question, history)
        try:
            for item in stream:
                if left.is_set():
                    break
                pieces.put(item)
        except AssistantError as error:
            pieces.put(error)
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
            pieces.put(_DONE)
