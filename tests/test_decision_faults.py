"""A model that answers badly never makes a name up: the evidence is quoted instead.

Invalid JSON and evidence numbers that do not exist cannot be had from the real model (its
output is constrained), so these tests script the reply with a real LlamaIndex LLM subclass.
"""

from collections.abc import Sequence
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.llms.custom import CustomLLM

from assistant.answering.citations import Answer, Asked
from assistant.answering.evidence import Assessor
from assistant.answering.gathering import gather
from assistant.generation import briefing, naming
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.parts import split
from assistant.retrieval.retriever import HybridRetriever
from assistant.settings import Settings
from index.embedder import build_embedder

UNKNOWN_REPLY = '{"answer": "unknown", "evidence": [1]}'

pytestmark = pytest.mark.slow


class Scripted(CustomLLM):
    """Replies with the same text to every request, with no token probabilities."""

    reply: str

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(is_chat_model=True, model_name="scripted")

    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=self.reply))

    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.reply)

    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        yield CompletionResponse(text=self.reply, delta=self.reply)


def answered(settings: Settings, question: str, reply: str) -> Answer:
    corpus = Corpus(settings)
    embedder = build_embedder(settings)
    parts = split(question, corpus.outlet_names)
    retriever = HybridRetriever(corpus, embedder, settings.retrieval)
    gathered = gather(parts, retriever, Assessor(embedder, corpus.bm25), 8)
    exhibits = briefing.brief_parts(gathered, 8, 3)
    asked = Asked(question, question, corpus.label)
    items = list(naming.stream(Scripted(reply=reply), asked, exhibits, gathered.evidence))
    answer = items[-1]
    assert isinstance(answer, Answer)
    assert "".join(i for i in items if isinstance(i, str)) == answer.text
    for citation in answer.citations:
        text = corpus.document_text(citation.doc_id)
        assert text[citation.start : citation.end] == citation.passage
    return answer


@pytest.mark.parametrize(
    "reply",
    [
        "no json",  # invalid
        '{"answer": "", "evidence": [1]}',  # empty
        '{"answer": "unknown", "evidence": [1]}',
        '{"answer": "Elon Musk", "evidence": [1]}',  # a name the evidence does not hold
        '{"answer": "Dana Kell", "evidence": [99]}',  # an evidence number that does not exist
    ],
)
def test_a_name_the_evidence_does_not_show_is_never_shown(dated_settings: Settings, reply: str):
    answer = answered(dated_settings, "Who founded the Orion Exchange?", reply)
    assert not answer.refused and answer.citations  # the evidence is quoted instead...
    if "Dana Kell" in reply:  # ...or the name stands, on a sentence that holds it
        assert answer.short == "Dana Kell"
        assert all("Kell" in c.passage for c in answer.citations)
    else:
        assert answer.short is None and answer.note
        assert "Elon Musk" not in answer.text


def test_an_unknown_over_evidence_that_only_touches_the_question_is_a_refusal(
    dated_settings: Settings,
):
    answer = answered(
        dated_settings, "What did the Orion Exchange pay its auditors?", UNKNOWN_REPLY
    )
    assert answer.support < naming.UNKNOWN_QUOTED
    assert answer.refused and not answer.citations


def test_an_unknown_over_evidence_that_addresses_the_question_quotes_it(
    dated_settings: Settings,
):
    answer = answered(dated_settings, "Who founded the Orion Exchange?", UNKNOWN_REPLY)
    assert answer.support >= naming.UNKNOWN_QUOTED
    assert not answer.refused and answer.citations and answer.note
