"""The writer of explanations: numbered evidence in; verified, cited sentences out as they pass.

For a why/how question, or "what did X report", the model writes JSON constrained to a schema
in which every sentence carries the numbers of the evidence it rests on, so a small model
cannot forget to cite. Each sentence is checked the moment it is complete (`verification.py`)
and only then handed on: nothing the reader sees is unverified, and nothing shown is taken
back. When no sentence holds up (or the model writes none) the evidence that answers the
question is quoted instead, and the answer says so: the model's silence is not a refusal.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from assistant.answering import quoting
from assistant.answering.citations import Answer, Asked, Citation, SentenceCheck
from assistant.answering.evidence import Evidence
from assistant.generation.briefing import Exhibit, chat, cited
from assistant.generation.drafts import Claim, DraftReader
from assistant.generation.llm import constrained
from assistant.generation.verification import Check, Verifier
from assistant.prompts import render
from assistant.settings import GenerationSettings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM, ChatMessage

NEAR_REPEAT = 0.9  # a sentence this close to one already kept says nothing new
QUOTES = 3  # evidence sentences quoted when no written sentence holds up


def messages(question: str, exhibits: list[Exhibit], sentences: int) -> "list[ChatMessage]":
    """The system prompt (fields and rules; evidence is data) and the user turn."""
    system = render(
        "system",
        fields=render("sentences", max_sentences=sentences),
        unknown_rule=render("no_sentences"),
    )
    return chat(system, exhibits, question)


def schema(exhibits: int, max_sentences: int) -> dict[str, Any]:
    """The JSON the model must write: sentences, each citing evidence that exists."""
    sentence = {
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 400},
            "cites": cited(exhibits, 4),
        },
        "required": ["text", "cites"],
    }
    sentences = {"type": "array", "items": sentence, "minItems": 0, "maxItems": max_sentences}
    return {"type": "object", "properties": {"sentences": sentences}, "required": ["sentences"]}


@dataclass
class _Writing:
    """The answer as it grows: kept sentences, their citations, and every check made."""

    citations: dict[int, Citation] = field(default_factory=dict)  # exhibit number -> citation
    parts: list[str] = field(default_factory=list)
    checks: list[SentenceCheck] = field(default_factory=list)
    kept: list[Check] = field(default_factory=list)
    timings: dict[str, Any] = field(default_factory=dict)

    def cite(self, check: Check) -> str:
        """The sentence with its markers, numbering exhibits in order of first citation."""
        for exhibit in check.backing:
            if exhibit.number not in self.citations:
                number = len(self.citations) + 1
                self.citations[exhibit.number] = Citation.of(
                    number, exhibit.sentence, exhibit.relevance
                )
        markers = "".join(f"[{self.citations[e.number].number}]" for e in check.backing)
        return f"{check.claim.text} {markers}"


def stream(
    llm: "LLM",
    asked: Asked,
    exhibits: list[Exhibit],
    verifier: Verifier,
    generation: GenerationSettings,
    evidence: Evidence,
) -> Iterator[str | Answer]:
    """Yield each verified sentence as it passes, then the `Answer`; the best of `evidence`
    quoted when no sentence passed."""
    reader = DraftReader()
    writing = _Writing()
    prompt = messages(asked.searched_for, exhibits, generation.sentences)
    options = constrained(llm, schema(len(exhibits), generation.sentences))
    replies = llm.stream_chat(prompt, **options)
    try:
        for reply in replies:
            writing.timings.update(reply.additional_kwargs.get("timings") or {})
            for claim in reader.feed(reply.delta or ""):
                yield from _take(claim, writing, verifier)
            if len(writing.kept) >= generation.sentences:
                break  # enough said: closing the stream cancels the rest of the request
        else:
            for claim in reader.finish():
                yield from _take(claim, writing, verifier)
    finally:
        close = getattr(replies, "close", None)
        if close is not None:
            close()
    if writing.parts:
        yield _answer(asked, writing, evidence.support)
        return
    pieces, quoted = quoting.instead(asked, evidence, QUOTES)
    yield from pieces
    yield replace(quoted, verification=writing.checks, timings=writing.timings)


def _take(claim: Claim, writing: _Writing, verifier: Verifier) -> Iterator[str]:
    """Check one sentence; yield it if it holds up and says something new."""
    check = verifier.check(claim)
    repeated = check.supported and any(
        float(check.vector @ k.vector) > NEAR_REPEAT for k in writing.kept
    )
    writing.checks.append(
        SentenceCheck(
            claim.text,
            tuple(e.number for e in check.backing) or claim.cited,
            round(check.support, 4),
            check.supported and not repeated,
            check.attributed,
        )
    )
    if not check.supported or repeated:
        return
    text = writing.cite(check)
    writing.kept.append(check)
    piece = text if not writing.parts else " " + text
    writing.parts.append(piece)
    yield piece


def _answer(asked: Asked, writing: _Writing, support: float) -> Answer:
    whole: dict[str, Any] = {
        "question": asked.question,
        "searched_for": asked.searched_for,
        "support": support,
        "verification": writing.checks,
        "snapshot": asked.snapshot,
    }
    return Answer(
        text="".join(writing.parts),
        citations=sorted(writing.citations.values(), key=lambda c: c.number),
        timings=writing.timings,
        **whole,
    )
