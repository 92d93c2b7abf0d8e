"""The web UI: a chat with every [n] one click from its passage, and a Documents tab."""

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.answering.citations import Answer, Citation, Found, Sources
from assistant.errors import AssistantError
from assistant.evaluation import feedback
from assistant.generation.followups import text_of
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.web import library
from assistant.web.exposure import exposure
from assistant.web.rendering import (
    answer_markdown,
    evidence_html,
    literal,
    message_markdown,
    parts_markdown,
    searched_markdown,
    sources_html,
    trust_markdown,
)

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

Message = dict[str, Any]  # an openai-style chat message, the Chatbot's own format

EXAMPLES = [
    "Why is Russia engaging the Taliban?",
    "Who is Zamir Kabulov?",
    "What will be discussed at the Russia-Afghanistan business forum?",
]
# Answering is CPU-bound (query embedding, BM25): past a few at once, each answer only slows.
CONCURRENCY = 4
SHUTDOWN_SECONDS = 5  # how long a stopping server lets requests finish
ANSWERING = "answer"  # one concurrency group for the chat and the API: they share the CPU
# One upload or delete at a time: each ends in an index update, and those queue on one lock.
CHANGING = "documents"


def chat(
    assistant: Assistant,
    question: str,
    history: list[Message],
    answering: threading.BoundedSemaphore | None = None,
    shown: dict[int, dict[str, Any]] | None = None,
) -> Iterator[tuple[list[Message], str, str]]:
    """Yield (chat, sources HTML, emptied question box) as the reply grows.

    The evidence being read shows as soon as retrieval is done; the answer grows one verified
    sentence at a time; its cited sources replace the evidence at the end. `shown` receives the
    finished answer as feedback records it, by the reply's place in the chat.
    """
    turn = 1 + sum(message["role"] == "assistant" for message in history)
    asked = [*history]
    if question.strip():
        asked.append({"role": "user", "content": literal(question)})
    yield [*asked, {"role": "assistant", "content": ""}], "", ""
    said = [{"role": m["role"], "content": text_of(m["content"])} for m in history]
    slot = answering or contextlib.nullcontext()
    try:
        with slot:  # shared with the HTTP API: answering is CPU-bound
            yield from _reply(assistant, question, said, asked, turn, shown)
    except AssistantError as error:
        yield [*asked, {"role": "assistant", "content": message_markdown(str(error))}], "", ""


def _reply(
    assistant: Assistant,
    question: str,
    said: list[Message],
    asked: list[Message],
    turn: int,
    shown: dict[int, dict[str, Any]] | None,
) -> Iterator[tuple[list[Message], str, str]]:
    """The reply as it grows: the evidence, each verified sentence, then the cited sources."""
    text, sources = "", ""
    texts: dict[str, str] = {}
    for item in assistant.events(question, said):
        if isinstance(item, Sources):
            texts = item.texts
            continue
        if isinstance(item, Answer):
            if shown is not None:
                shown[len(asked)] = feedback.shown(item, said, assistant.settings)
            content = (
                answer_markdown(item.text, turn)
                + parts_markdown(item, turn)
                + trust_markdown(item)
                + searched_markdown(item)
            )
            reply = {"role": "assistant", "content": content}
            yield [*asked, reply], sources_html(item, turn, texts), ""
            continue
        if isinstance(item, Found):
            sources = evidence_html(item)
        else:
            text += item
        reply = {"role": "assistant", "content": answer_markdown(text, turn)}
        yield [*asked, reply], sources, ""


def ask(assistant: Assistant, question: str) -> tuple[str, list[dict[str, Any]]]:
    """The complete answer with [n] markers, and its numbered sources (none when it refuses)."""
    try:
        answer = assistant.answer(question)
    except AssistantError as error:
        raise gr.Error(str(error), print_exception=False) from error
    return answer.text, [source_record(c) for c in answer.citations]


def source_record(citation: Citation) -> dict[str, Any]:
    """A citation as JSON; its `path` is named `file`, since gradio_client downloads any `path`."""
    record = asdict(citation)
    record["file"] = record.pop("path")
    return {**record, "label": citation.label()}


def status_markdown(assistant: Assistant) -> str:
    """One line on what the index holds, or how to fill it; and why answers are extractive
    when the chosen model is missing."""
    line = library.status_line(assistant.settings)
    return f"{line}\n\n{literal(assistant.notice)}" if assistant.notice else line


def build_app(
    assistant: Assistant, answering: threading.BoundedSemaphore | None = None
) -> gr.Blocks:
    """The chat and Documents tabs, plus the `/ask` API endpoint for programs."""
    with gr.Blocks(title="News assistant", analytics_enabled=False) as app:
        gr.Markdown("# News assistant\nAnswers quote the indexed articles; every [n] is a source.")
        # Above the tabs: uploads and deletions change it, and it shows on both tabs.
        status = gr.Markdown(status_markdown(assistant))
        with gr.Tabs():
            with gr.Tab("Chat"):
                _chat_tab(assistant, answering)
            with gr.Tab("Documents"):
                table, names = _documents_tab(assistant, status)
        _add_api(app, assistant, [status, table, names], answering)
    return app


def _chat_tab(assistant: Assistant, answering: threading.BoundedSemaphore | None) -> None:
    """The question box, the streamed answer and its highlighted sources."""
    chatbot = gr.Chatbot(
        label="Answer",
        height=420,
        latex_delimiters=[],  # news is full of dollar amounts, not formulas
        placeholder="Ask a question about the indexed news articles.",
    )
    with gr.Row():
        question = gr.Textbox(
            show_label=False, placeholder="Your question", scale=5, autofocus=True
        )
        ask_button = gr.Button("Ask", variant="primary", scale=1)
    with gr.Row():
        comment = gr.Textbox(
            show_label=False,
            placeholder="A comment sent with your thumbs up or down (optional)",
            scale=5,
            max_length=2000,
        )
        rated = gr.Markdown("", elem_classes="rated")
    gr.Examples(EXAMPLES, inputs=question, label="Example questions")
    gr.Markdown("### Sources")
    sources = gr.HTML("")
    shown = gr.State({})  # this browser's answers, by their place in its chat

    def asking(
        text: str, history: list[Message], answers: dict[int, dict[str, Any]]
    ) -> Iterator[tuple[list[Message], str, str, dict[int, dict[str, Any]]]]:
        for reply in chat(assistant, text, history, answering=answering, shown=answers):
            yield *reply, answers

    gr.on(
        [ask_button.click, question.submit],
        asking,
        inputs=[question, chatbot, shown],
        outputs=[chatbot, sources, question, shown],
        api_name="chat",
        api_visibility="private",  # programs use /ask, which returns structured sources
        concurrency_id=ANSWERING,
        show_progress="minimal",
    )

    def rating(
        answers: dict[int, dict[str, Any]], comment: str, liked: gr.LikeData
    ) -> tuple[str, str]:
        return rate(assistant.settings, answers, comment, liked)  # gradio reads the type hints

    chatbot.like(
        rating,
        inputs=[shown, comment],
        outputs=[comment, rated],
        api_visibility="private",
        show_progress="hidden",
    )


def rate(
    settings: Settings, answers: dict[int, dict[str, Any]], comment: str, liked: gr.LikeData
) -> tuple[str, str]:
    """Keep a thumbs up or down (and the comment) with the answer it judges."""
    place = liked.index if isinstance(liked.index, int) else liked.index[0]
    answer = answers.get(place)
    if answer is None:  # an error message, or a chat restored from before this page
        return comment, "*Only answers written in this page can be rated.*"
    verdict = liked.liked if isinstance(liked.liked, bool) else None  # None: a thumb taken back
    try:
        feedback.save(settings, answer, verdict, comment)
    except OSError as exc:
        return comment, f"*Could not save your feedback ({literal(str(exc))}); try again.*"
    if verdict is None:
        return "", "*Your rating was taken back.*"
    return "", f"*Thanks: kept as a {'good' if verdict else 'bad'} answer.*"


def _documents_tab(assistant: Assistant, status: gr.Markdown) -> tuple[gr.Dataframe, gr.Dropdown]:
    """The indexed documents, an upload box and a delete list; returns the table and the list."""
    settings = assistant.settings
    rows, deletable = library.listing(settings)
    table = gr.Dataframe(
        rows,
        headers=library.HEADERS,
        datatype=["str", "str", "str", "number", "str", "str"],
        interactive=False,
        label="Indexed documents",
        wrap=True,
    )
    files = gr.File(file_count="multiple", file_types=library.FILE_TYPES, label="Add articles")
    upload_button = gr.Button("Upload", variant="primary")
    with gr.Row():
        names = gr.Dropdown(
            deletable,
            value=[],
            multiselect=True,
            allow_custom_value=True,
            label="Files to delete",
            info="The newest documents' files are listed; type any other file's name. "
            "A JSON file goes as a whole, with all of its news items.",
            scale=5,
        )
        delete_button = gr.Button("Delete", variant="stop", scale=1)
    message = gr.Markdown("")
    refreshed = [status, table, names]
    private: dict[str, Any] = {
        "api_visibility": "private",
        "concurrency_id": CHANGING,
        "concurrency_limit": 1,
    }
    upload_button.click(
        partial(_upload, assistant), [files], [message, files, *refreshed], **private
    )
    delete_button.click(partial(_delete, assistant), [names], [message, *refreshed], **private)
    return table, names


def _upload(assistant: Assistant, paths: list[str] | None) -> tuple[Any, ...]:
    """Add the uploaded files, then empty the upload box and refresh what the index holds."""
    # Gradio keeps each upload under its original (sanitized) file name.
    uploads = [(Path(path), Path(path).name) for path in paths or []]
    return library.upload(assistant.settings, uploads), None, *_refresh(assistant)


def _delete(assistant: Assistant, names: list[str] | None) -> tuple[Any, ...]:
    """Delete the chosen files, then refresh what the index holds."""
    return library.delete(assistant.settings, names or []), *_refresh(assistant)


def _refresh(assistant: Assistant) -> tuple[str, list[list[str | int]], gr.Dropdown]:
    """The status line, the documents table and the delete list, as the index is now."""
    rows, names = library.listing(assistant.settings)
    return status_markdown(assistant), rows, gr.Dropdown(choices=names, value=[])


def _add_api(
    app: gr.Blocks,
    assistant: Assistant,
    refreshed: list[Any],
    answering: threading.BoundedSemaphore | None,
) -> None:
    """The public `/ask` endpoint, and the refresh of index views each page load runs."""

    def ask_question(question: str) -> tuple[str, list[dict[str, Any]]]:
        """Answer a question: the text with [n] markers, then its sources (empty if refused)."""
        with answering or contextlib.nullcontext():
            return ask(assistant, question)

    # gr.api reads the endpoint's schema from these type hints, so it gets a plain function.
    gr.api(ask_question, api_name="ask", concurrency_id=ANSWERING)
    # The index may be updated while the server runs; a reload shows what it holds now.
    app.load(
        partial(_refresh, assistant),
        outputs=refreshed,
        api_name="index_status",
        api_visibility="private",
    )


@dataclass
class Running:
    """A served app: its URL, and how to stop it."""

    url: str
    server: "uvicorn.Server"
    thread: threading.Thread

    def wait(self) -> None:
        """Serve until interrupted (Ctrl+C)."""
        try:
            while self.thread.is_alive():
                self.thread.join(timeout=1)
        except KeyboardInterrupt:
            self.close()

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def launch(
    app: gr.Blocks,
    host: str,
    port: int,
    auth: tuple[str, str] | None = None,
    max_file_mb: float | None = None,
    api: "FastAPI | None" = None,
) -> Running:
    """Serve `app` (mounted at / on `api`, when given) in the background on host:port."""
    import uvicorn
    from fastapi import FastAPI

    app.queue(default_concurrency_limit=CONCURRENCY)
    served = gr.mount_gradio_app(
        api or FastAPI(),
        app,
        path="/",
        auth=auth,
        # Uploads past the indexing limit would be rejected anyway; refuse them before they
        # fill the temporary folder.
        max_file_size=int(max_file_mb * 2**20) if max_file_mb else None,  # bytes, as loaders count
        ssr_mode=False,  # server-side rendering needs Node and buys nothing on a local tool
    )
    config = uvicorn.Config(
        served,
        host=host,
        port=port,
        log_level="warning",
        # Open browser tabs and API clients keep streams open: without a limit, stopping waits
        # for them to go (30 s and more); in-flight requests get this long to finish.
        timeout_graceful_shutdown=SHUTDOWN_SECONDS,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="http", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"Could not serve on {host}:{port}; is the port taken?")
        time.sleep(0.05)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return Running(f"http://{shown}:{port}/", server, thread)


def serve(settings: Settings, insecure: bool = False) -> None:
    """Serve the chat UI and the HTTP API until interrupted; beyond loopback only with sign-in
    or `insecure`."""
    from assistant.web.api import build_api

    host, port = settings.server.host, settings.server.port
    access = exposure(host, port, settings.auth, insecure)
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no telemetry or version checks
    assistant = Assistant(settings)
    if settings.llm != "extractive":
        print(f"Loading the answer model ({settings.llm})…", flush=True)
    assistant.llm()  # before the first question, so it does not wait for the model
    if assistant.notice:
        print(f"notice: {assistant.notice}", flush=True)
    answering = threading.BoundedSemaphore(CONCURRENCY)
    app = build_app(assistant, answering)
    api = build_api(assistant, answering, access.auth, settings.server.cors_origins)
    running = launch(app, host, port, access.auth, settings.max_file_mb, api)
    print(f"Chat UI running at {running.url} (Ctrl+C to stop)", flush=True)
    print(f"OpenAI-compatible API at {running.url}v1, its documentation at {running.url}docs")
    print(access.notice, flush=True)
    running.wait()
