"""The generative answerer: numbered evidence in; verified, cited sentences out as they pass.

The model writes JSON constrained to a schema in which every sentence carries the numbers of
the evidence it rests on, so a small model cannot forget to cite. Each sentence is checked the
moment it is complete (`verification.py`) and only then handed on: nothing the reader sees is
unverified, and nothing shown is taken back. The direct answer ("Yes", a name) leads
the text once a sentence supporting it has passed.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

from assistant.answering.citations import UNDATED, Answer, Asked, Citation, SentenceCheck
from assistant.generation.asking import Kind
from assistant.generation.briefing import Exhibit
from assistant.generation.drafts import Claim, DraftReader
from assistant.generation.llm import constrained
from assistant.generation.verification import Check, Verifier
from assistant.prompts import render
from assistant.settings import GenerationSettings
from index.bm25 import tokenize
from index.dates import day

if TYPE_CHECKING:
    from llama_index.core.llms import LLM, ChatMessage

UNKNOWN = "unknown"
VERDICTS = ["Yes", "No", UNKNOWN]
PROBE_TOKENS = 12  # enough for `{"answer": "Yes"}` in the model's JSON
VERDICT_MASS = 0.5
NEAR_REPEAT = 0.9  # a sentence this close to one already kept says nothing new
_DEFANGED = "\u2039"  # a single angle quote: reads like "<" to a person, opens no tag


def fence(exhibits: list[Exhibit]) -> str:
    """The exhibits grouped by article, each article's text unable to leave its block."""
    groups: dict[str, list[Exhibit]] = {}
    for exhibit in exhibits:
        groups.setdefault(exhibit.doc_id, []).append(exhibit)
    blocks = []
    for group in groups.values():
        passage = group[0].sentence.passage
        when = day(passage.published)
        items = [
            render("exhibit", number=e.number, text=_defanged(" ".join(e.sentence.text.split())))
            for e in group
        ]
        blocks.append(
            render(
                "article",
                source=escape(passage.source or "unknown"),
                published=when.strftime("%-d %B %Y") if when else UNDATED,
                title=escape(passage.title),
                items="\n".join(items),
            )
        )
    return "\n".join(blocks)


def _defanged(text: str) -> str:
    """Text whose "<" cannot open or close a tag of the prompt."""
    return text.replace("<", _DEFANGED)


def messages(
    question: str, kind: Kind, exhibits: list[Exhibit], sentences: int
) -> "list[ChatMessage]":
    """The system prompt (fields and rules; evidence is data) and the user turn."""
    from llama_index.core.llms import ChatMessage, MessageRole

    fields = [render("sentences", max_sentences=sentences)]
    if kind != "explanation":
        fields.insert(0, render(kind))
    system = render(
        "system",
        fields="\n".join(fields),
        unknown_rule=render("no_sentences" if kind == "explanation" else "no_answer"),
    )
    user = render("answer", evidence=fence(exhibits), question=question)
    return [
        ChatMessage(role=MessageRole.SYSTEM, content=system),
        ChatMessage(role=MessageRole.USER, content=user),
    ]


def schema(
    kind: Kind, exhibits: int, max_sentences: int, verdict: str | None = None
) -> dict[str, Any]:
    """The JSON the model must write: its direct answer, then sentences citing evidence.

    A `verdict` already decided (see `verdict`) is the only answer the schema allows, so the
    sentences are written for it.
    """
    sentence = {
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 400},
            "cites": {
                "type": "array",
                "items": {"type": "integer", "enum": list(range(1, exhibits + 1))},
                "minItems": 1,
                "maxItems": 4,
            },
        },
        "required": ["text", "cites"],
    }
    properties: dict[str, Any] = {}
    if kind == "verdict":
        properties["answer"] = {"type": "string", "enum": [verdict] if verdict else VERDICTS}
    elif kind != "explanation":
        properties["answer"] = {"type": "string", "minLength": 1, "maxLength": 80}
    properties["sentences"] = {
        "type": "array",
        "items": sentence,
        "minItems": 0,
        "maxItems": max_sentences,
    }
    return {"type": "object", "properties": properties, "required": list(properties)}


@dataclass
class _Writing:
    """The answer as it grows: kept sentences, their citations, and every check made."""

    kind: Kind
    question_terms: frozenset[str]
    citations: dict[int, Citation] = field(default_factory=dict)  # exhibit number -> citation
    parts: list[str] = field(default_factory=list)
    checks: list[SentenceCheck] = field(default_factory=list)
    kept: list[Check] = field(default_factory=list)
    short: str | None = None
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


def yes_odds(llm: "LLM", prompt: "list[ChatMessage]") -> float | None:
    """How likely the model finds "Yes" over "No" where its answer to `prompt` begins.

    One short request reads the token probabilities; the prompt is the answer's own, so the
    answer's request finds it cached. None when the backend reports no probabilities.
    """
    probe = schema("verdict", 1, 1)["properties"]["answer"]
    options = constrained(
        llm, {"type": "object", "properties": {"answer": probe}, "required": ["answer"]}
    )
    reply = llm.chat(prompt, logprobs=True, top_logprobs=5, max_tokens=PROBE_TOKENS, **options)
    for position in reply.logprobs or []:
        odds = {"yes": 0.0, "no": 0.0}
        for option in position:
            word = option.token.strip().strip('"').lower()
            if word in odds:
                odds[word] += math.exp(option.logprob)
        # The verdict's own token: where Yes and No hold most of the probability (a "No"
        # among the alternatives to the opening brace is not a verdict).
        if odds["yes"] + odds["no"] >= VERDICT_MASS:
            return odds["yes"] / (odds["yes"] + odds["no"])
    return None


def verdict(llm: "LLM", prompt: "list[ChatMessage]", threshold: float) -> str | None:
    """Yes or No by the model's own odds, weighed against its lean towards Yes (`threshold`);
    None when the backend reports no probabilities, so the model picks as it writes."""
    odds = yes_odds(llm, prompt)
    if odds is None:
        return None
    return "Yes" if odds >= threshold else "No"


def stream(
    llm: "LLM",
    asked: Asked,
    kind: Kind,
    exhibits: list[Exhibit],
    verifier: Verifier,
    generation: GenerationSettings,
    support: float,
) -> Iterator[str | Answer]:
    """Yield each verified sentence as it passes, then the `Answer` (a refusal if none did);
    `support` is how well the evidence answers the question, as the answer reports it."""
    question = asked.searched_for
    reader = DraftReader()
    writing = _Writing(kind, frozenset(tokenize([question])[0]))
    prompt = messages(question, kind, exhibits, generation.sentences)
    decided = verdict(llm, prompt, generation.yes_threshold) if kind == "verdict" else None
    options = constrained(llm, schema(kind, len(exhibits), generation.sentences, decided))
    replies = llm.stream_chat(prompt, **options)
    try:
        for reply in replies:
            writing.timings.update(reply.additional_kwargs.get("timings") or {})
            for claim in reader.feed(reply.delta or ""):
                yield from _take(claim, reader, writing, verifier)
            if len(writing.kept) >= generation.sentences:
                break  # enough said: closing the stream cancels the rest of the request
        else:
            for claim in reader.finish():
                yield from _take(claim, reader, writing, verifier)
    finally:
        close = getattr(replies, "close", None)
        if close is not None:
            close()
    yield _answer(asked, writing, support)


def _take(
    claim: Claim, reader: DraftReader, writing: _Writing, verifier: Verifier
) -> Iterator[str]:
    """Check one sentence; yield it (led by the direct answer, for the first) if it holds up."""
    if reader.answer is not None and reader.answer.lower() == UNKNOWN:
        return
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
    if not writing.kept:
        lead = _lead(reader.answer, writing, check)
        writing.short = lead or None
        text = f"{lead}. {text}" if lead else text
    writing.kept.append(check)
    piece = text if not writing.parts else " " + text
    writing.parts.append(piece)
    yield piece


def _lead(answer: str | None, writing: _Writing, first: Check) -> str:
    """The direct answer to put first, when the question asks for one and it is grounded.

    A verdict rests on the sentence after it; a name or number must also appear in what that
    sentence cites, so the model cannot lead with a fact the evidence does not hold.
    """
    kind = writing.kind
    if kind == "explanation" or not answer or answer.lower() == UNKNOWN:
        return ""
    answer = answer.strip().rstrip(".")
    if kind == "verdict" or answer.lower() in {"yes", "no"}:
        return answer.capitalize() if answer.lower() in {"yes", "no"} else ""
    terms = set(tokenize([answer])[0])
    held = set(tokenize([first.claim.text])[0])
    for exhibit in first.backing:
        passage = exhibit.sentence.passage
        held |= set(tokenize([exhibit.sentence.text, passage.title, passage.source or ""])[0])
    if terms <= held or (kind == "choice" and terms <= writing.question_terms):
        return answer
    return ""


def _answer(asked: Asked, writing: _Writing, support: float) -> Answer:
    whole: dict[str, Any] = {
        "question": asked.question,
        "searched_for": asked.searched_for,
        "support": support,
        "verification": writing.checks,
        "snapshot": asked.snapshot,
    }
    if not writing.parts:
        return Answer(text=render("refusal"), refused=True, **whole)
    return Answer(
        text="".join(writing.parts),
        citations=sorted(writing.citations.values(), key=lambda c: c.number),
        short=writing.short,
        timings=writing.timings,
        **whole,
    )
