"""The generative answerer: fenced, numbered passages in; streamed, verified, cited text out."""

import re
from collections.abc import Iterator
from html import escape
from typing import TYPE_CHECKING

from assistant.citations import Answer
from assistant.prompts import render
from assistant.retrieval import Passage
from assistant.settings import AnswerSettings
from assistant.verification import Verifier

if TYPE_CHECKING:
    from llama_index.core.llms import LLM, ChatMessage

# A passage that closes its fence early could pass its text off as the user's; its tags are
# neutralized, so every passage ends where the prompt says it does.
_FENCE_TAG = re.compile(r"<\s*(/?\s*passages?\b)", re.IGNORECASE)
_DEFANGED = "\u2039"  # a single angle quote: reads like "<" to a person, opens no tag


def fence(passages: list[Passage]) -> str:
    """The passages as numbered `<passage>` blocks, their text unable to leave its block."""
    blocks = [
        render(
            "passage",
            number=number,
            title=escape(passage.title),
            source=escape(passage.source or "unknown"),
            published=escape((passage.published or "")[:10] or "undated"),
            text=_FENCE_TAG.sub(_DEFANGED + r"\1", passage.text),
        )
        for number, passage in enumerate(passages, start=1)
    ]
    return "\n".join(blocks)


def messages(
    question: str, passages: list[Passage], settings: AnswerSettings
) -> "list[ChatMessage]":
    """The system prompt (rules; passages are data) and the user turn (passages, question)."""
    from llama_index.core.llms import ChatMessage, MessageRole

    system = render("system", max_sentences=settings.max_sentences, refusal=render("refusal"))
    user = render("answer", passages=fence(passages), question=question)
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


def stream(
    llm: "LLM",
    question: str,
    passages: list[Passage],
    verifier: Verifier,
    settings: AnswerSettings,
) -> Iterator[str | Answer]:
    """Yield the model's tokens as they come, then the verified `Answer`.

    The streamed draft is what the model wrote; the final `Answer.text` keeps only the
    sentences their cited passages support (or marks the others), with renumbered markers.
    """
    draft = ""
    for response in llm.stream_chat(messages(question, passages, settings)):
        if response.delta:
            draft += response.delta
            yield response.delta
    yield finish(question, draft, passages, verifier, settings)


def finish(
    question: str,
    draft: str,
    passages: list[Passage],
    verifier: Verifier,
    settings: AnswerSettings,
) -> Answer:
    """The `Answer` for a finished draft: verified, or a refusal when nothing holds up."""
    refusal = render("refusal")
    if _refuses(draft, refusal):
        return Answer(question, refusal, refused=True)
    verified = verifier.verify(draft, passages, settings.unsupported == "mark")
    if not verified.supported:
        return Answer(question, refusal, refused=True, verification=verified.checks)
    return Answer(question, verified.text, verified.citations, verification=verified.checks)


def _refuses(draft: str, refusal: str) -> bool:
    """The model gave the refusal it was told to give (perhaps with words around it)."""
    head = " ".join(refusal.split()[:8]).lower()
    return head in " ".join(draft.split()).lower()
