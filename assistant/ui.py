"""The chat UI: answers stream in sentence by sentence, each [n] one click from its passage."""

import os
import re
from collections.abc import Iterator
from dataclasses import asdict
from functools import partial
from html import escape
from typing import Any

import gradio as gr

from assistant.citations import Answer, Citation
from assistant.corpus import not_indexed_message
from assistant.errors import AssistantError
from assistant.service import Assistant
from assistant.settings import Settings

Message = dict[str, Any]  # an openai-style chat message, the Chatbot's own format

EXAMPLES = [
    "Why is Russia engaging the Taliban?",
    "Who is Zamir Kabulov?",
    "What will be discussed at the Russia-Afghanistan business forum?",
]
CONTEXT_CHARS = 300  # article text shown on each side of a cited passage
# Answering is CPU-bound (query embedding, BM25): past a few at once, each answer only slows.
CONCURRENCY = 4
ANSWERING = "answer"  # one concurrency group for the chat and the API: they share the CPU

_MARKER = re.compile(r"\[(\d+)\]")
# Characters that would make an article's sentence render as Markdown or HTML instead of text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|~])")
_LAST_GAP = re.compile(r"\s\S*\Z")


def passage_in_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """HTML of `text[start:end]` marked, inside about `width` characters of text on each side."""
    low = _context_start(text, start, width)
    high = _context_end(text, end, width)
    before = ("…" if low > 0 else "") + text[low:start].lstrip()
    after = text[end:high].rstrip() + ("…" if high < len(text) else "")
    return f"{escape(before)}<mark>{escape(text[start:end])}</mark>{escape(after)}"


def _context_start(text: str, start: int, width: int) -> int:
    """Where the context before a passage begins: at most `width` back, never mid-word."""
    low = max(0, start - width)
    if low == 0 or text[low - 1].isspace():
        return low
    gap = re.search(r"\s", text[low:start])
    return low + gap.end() if gap else start


def _context_end(text: str, end: int, width: int) -> int:
    """Where the context after a passage ends: at most `width` on, never mid-word."""
    high = min(len(text), end + width)
    if high == len(text) or text[high].isspace():
        return high
    gap = _LAST_GAP.search(text, end, high)
    return gap.start() if gap else end


def anchor(turn: int, number: int) -> str:
    """The HTML id of source `number` of the chat's `turn`-th answer."""
    # Per turn: an older answer's [1] must not scroll to the newest answer's source 1.
    return f"source-{turn}-{number}"


def answer_markdown(text: str, turn: int) -> str:
    """Answer text for the chat, shown literally, with each [n] linking to its source entry."""
    parts = _MARKER.split(text)  # text, number, text, number, ..., text
    for i in range(1, len(parts), 2):
        parts[i] = f"[\\[{parts[i]}\\]](#{anchor(turn, int(parts[i]))})"
    for i in range(0, len(parts), 2):
        parts[i] = _literal(parts[i])
    return "".join(parts)


def _literal(text: str) -> str:
    """`text` escaped so Markdown shows it as typed (articles and users may write `*`, `<`, `#`)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def sources_html(assistant: Assistant, answer: Answer, turn: int) -> str:
    """The sources panel: every citation with its passage highlighted in the article's text."""
    return "".join(_source_entry(c, _document(assistant, c), turn) for c in answer.citations)


def _document(assistant: Assistant, citation: Citation) -> str | None:
    """The cited document's text, or None if an index update replaced it since the answer."""
    try:
        text = assistant.document_text(citation)
    except (AssistantError, KeyError):
        return None
    return text if text[citation.start : citation.end] == citation.passage else None


def _source_entry(citation: Citation, document: str | None, turn: int) -> str:
    """One source: number, title, outlet, date, file or link, and the passage in context."""
    details = [
        escape(part)
        for part in (citation.source, (citation.published or "")[:10] or "undated")
        if part
    ]
    if citation.path:
        details.append(f"<code>{escape(citation.path)}</code>")
    if citation.url and citation.url.startswith(("https://", "http://")):
        url = escape(citation.url)
        details.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>')
    quoted = (
        passage_in_context(document, citation.start, citation.end)
        if document is not None
        else f"<mark>{escape(citation.passage)}</mark>"
    )
    return (
        f'<div class="source" id="{anchor(turn, citation.number)}">'
        f"<p><strong>[{citation.number}] {escape(citation.title)}</strong><br>"
        f"{' · '.join(details)}</p>"
        f'<blockquote style="white-space: pre-wrap">{quoted}</blockquote></div>'
    )


def chat(
    assistant: Assistant, question: str, history: list[Message]
) -> Iterator[tuple[list[Message], str, str]]:
    """Yield (chat, sources HTML, emptied question box) as the reply grows; sources come last."""
    turn = 1 + sum(message["role"] == "assistant" for message in history)
    asked = [*history]
    if question.strip():
        asked.append({"role": "user", "content": _literal(question)})
    yield [*asked, {"role": "assistant", "content": ""}], "", ""
    text = ""
    try:
        for item in assistant.stream(question):
            if isinstance(item, Answer):
                reply = {"role": "assistant", "content": answer_markdown(item.text, turn)}
                yield [*asked, reply], sources_html(assistant, item, turn), ""
            else:
                text += item
                reply = {"role": "assistant", "content": answer_markdown(text, turn)}
                yield [*asked, reply], "", ""
    except AssistantError as error:
        yield [*asked, {"role": "assistant", "content": str(error)}], "", ""


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
    """One line on what the index holds, or how to fill it when it is empty."""
    status = assistant.status()
    if status.documents == 0:
        return f"**Index:** {not_indexed_message(assistant.settings)}"
    return (
        f"**Index:** {_count(status.documents, 'document')} · {_count(status.chunks, 'chunk')} · "
        f"embedding model `{status.model}`"
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def build_app(assistant: Assistant) -> gr.Blocks:
    """The chat page, plus the `/ask` API endpoint for programs."""
    with gr.Blocks(title="News assistant", analytics_enabled=False) as app:
        gr.Markdown("# News assistant\nAnswers quote the indexed articles; every [n] is a source.")
        status = gr.Markdown(status_markdown(assistant))
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
        gr.Examples(EXAMPLES, inputs=question, label="Example questions")
        gr.Markdown("### Sources")
        sources = gr.HTML("")
        gr.on(
            [ask_button.click, question.submit],
            partial(chat, assistant),
            inputs=[question, chatbot],
            outputs=[chatbot, sources, question],
            api_name="chat",
            api_visibility="private",  # programs use /ask, which returns structured sources
            concurrency_id=ANSWERING,
            show_progress="minimal",
        )
        _add_api(app, assistant, status)
    return app


def _add_api(app: gr.Blocks, assistant: Assistant, status: gr.Markdown) -> None:
    """The public `/ask` endpoint, and the status refresh each page load runs."""

    def ask_question(question: str) -> tuple[str, list[dict[str, Any]]]:
        """Answer a question: the text with [n] markers, then its sources (empty if refused)."""
        return ask(assistant, question)

    # gr.api reads the endpoint's schema from these type hints, so it gets a plain function.
    gr.api(ask_question, api_name="ask", concurrency_id=ANSWERING)
    # The index may be updated while the server runs; a reload shows the current counts.
    app.load(
        partial(status_markdown, assistant),
        outputs=status,
        api_name="index_status",
        api_visibility="private",
    )


def launch(app: gr.Blocks, host: str, port: int) -> str:
    """Start `app` in the background on host:port with a shared queue; returns its URL."""
    app.queue(default_concurrency_limit=CONCURRENCY)
    _, url, _ = app.launch(
        server_name=host,
        server_port=port,
        share=False,
        inbrowser=False,
        prevent_thread_lock=True,
        quiet=True,
        ssr_mode=False,  # server-side rendering needs Node and buys nothing on a local tool
    )
    return str(url)


def serve(settings: Settings) -> None:
    """Serve the chat UI until interrupted."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no telemetry or version checks
    app = build_app(Assistant(settings))
    url = launch(app, settings.server.host, settings.server.port)
    print(f"Chat UI running at {url} (Ctrl+C to stop)", flush=True)
    app.block_thread()
