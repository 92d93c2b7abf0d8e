"""The assistant: validate a question, retrieve, then answer with citations or refuse."""

import threading
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from assistant.answering import composer, multipart
from assistant.answering.citations import Answer, Asked, Citation, Found, PartFinding, Sources
from assistant.answering.evidence import Assessor
from assistant.answering.gathering import Gathered, gather
from assistant.errors import IndexChanged, InvalidQuestion, NotIndexed
from assistant.faults import explained
from assistant.generation import asking, briefing, followups, naming, writer
from assistant.generation.followups import Message
from assistant.generation.llm import build_llm
from assistant.generation.local_model import ModelUnavailable
from assistant.generation.verification import Verifier
from assistant.memory import give_back_free_memory
from assistant.prompts import render
from assistant.retrieval.corpus import Corpus, VectorsMoved, index_embedding, not_indexed_message
from assistant.retrieval.parts import Part, Parts, split
from assistant.retrieval.retriever import HybridRetriever
from assistant.settings import Settings
from index.embedder import SentenceTransformerEmbedding, build_embedder
from index.status import IndexStatus, status

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

_CONTROL = {c: " " for c in range(32) if chr(c) not in "\n\t"} | {127: " "}
# Lone surrogates (JSON can carry them) cannot be encoded for the tokenizer.
_CONTROL |= dict.fromkeys(range(0xD800, 0xE000), " ")


class ModelMissing(UserWarning):
    """Answers are extractive because the chosen answerer's model is not installed."""


class Assistant:
    """Answers questions over one index; loads lazily and follows index updates."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._lock = threading.Lock()
        self._corpus: Corpus | None = None
        # Versions that questions still read, by label: a cited text comes from the version
        # its answer was written from, even after an update.
        self._live: dict[str, Corpus] = {}
        self._llm: LLM | None = None
        self._llm_built = False
        # Why answers are extractive though another answerer was chosen (its model is missing).
        self.notice: str | None = None

    def __enter__(self) -> "Assistant":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Let the index go: its files close once no question reads them. Asking again reopens."""
        with self._lock:
            if self._corpus is not None:
                self._retire(self._corpus)
                self._corpus = None

    def answer(self, question: str, history: Sequence[Message] = ()) -> Answer:
        """The complete answer to `question`, asked after the chat `history` (oldest first)."""
        result = None
        for item in self.stream(question, history):
            if isinstance(item, Answer):
                result = item
        assert result is not None
        return result

    def stream(self, question: str, history: Sequence[Message] = ()) -> Iterator[str | Answer]:
        """Yield pieces of verified answer text as they are ready, then the final `Answer`.

        `history` is the chat so far as `{"role": "user"|"assistant", "content": str}` dicts;
        a follow-up is searched for as a standalone query, reported in `Answer.searched_for`.
        """
        for item in self.events(question, history):
            if isinstance(item, str | Answer):
                yield item

    def events(
        self, question: str, history: Sequence[Message] = ()
    ) -> Iterator[Found | str | Sources | Answer]:
        """As `stream`, led by the evidence found (`Found`) as soon as retrieval is done, and
        with the cited documents' texts (`Sources`) just before the final `Answer`."""
        with explained(self.settings):
            yield from self._events(question, history)

    def _events(
        self, question: str, history: Sequence[Message]
    ) -> Iterator[Found | str | Sources | Answer]:
        query = self.clean_question(question)
        for attempt in (1, 2):
            said = False
            try:
                with self.snapshot(renew=attempt > 1) as (corpus, embedder):
                    for item in self._answer(question, query, history, corpus, embedder):
                        said = True
                        yield item
                return
            except VectorsMoved as moved:
                # Retrieval runs before anything is said: asking again from a fresh view of
                # the index is invisible to the reader.
                if said or attempt > 1:
                    raise IndexChanged(
                        "The index's vectors changed or went missing while this question was "
                        "being answered. If an update or rebuild is running, ask again in a "
                        "moment; otherwise run `assistant index rebuild`."
                    ) from moved

    def _answer(
        self,
        question: str,
        query: str,
        history: Sequence[Message],
        corpus: Corpus,
        embedder: SentenceTransformerEmbedding,
    ) -> Iterator[Found | str | Sources | Answer]:
        llm = self.llm()
        asked = Asked(question, followups.standalone(query, history, llm), corpus.label)
        parts = split(asked.searched_for, corpus.outlet_names)
        kind = asking.kind(asked.searched_for)
        if kind != "explanation" and any(p.unavailable for p in parts.parts):
            yield from _refusal(asked, 0.0, parts)  # it asks about reports the index lacks
            return
        verdict = multipart.asks_verdict(parts, kind)
        gathered = gather(
            parts,
            HybridRetriever(corpus, embedder, self.settings.retrieval),
            Assessor(embedder, corpus.bm25),
            self.settings.retrieval.top_k,
            each=verdict or llm is not None,  # parts are searched apart where they are read
        )
        evidence = gathered.evidence
        if evidence.support < self.settings.answer.min_support or not evidence.sentences:
            yield from _refusal(asked, evidence.support, parts)
            return
        answers: Iterator[Found | str | Answer]
        if verdict:  # by rule, for both answerers
            answers = multipart.stream(asked, gathered)
        elif llm is None:
            dated = bool(gathered.search.plan.frames)
            answers = composer.stream(asked, evidence, self.settings.answer, corpus, dated)
        else:
            answers = self._generated(llm, asked, kind, gathered, embedder)
        said = False
        for item in answers:
            if isinstance(item, Answer):
                if not said:  # however an answer ends, its text is streamed
                    yield item.text
                yield Sources({c.doc_id: corpus.document_text(c.doc_id) for c in item.citations})
            said = said or isinstance(item, str)
            yield item

    def _generated(
        self,
        llm: "LLM",
        asked: Asked,
        kind: asking.Kind,
        gathered: Gathered,
        embedder: SentenceTransformerEmbedding,
    ) -> Iterator[Found | str | Answer]:
        """The evidence briefed to the model (`Found`), then the answer it makes: a name shown
        with the sentences that hold it, or an explanation written sentence by sentence, each
        verified."""
        settings = self.settings.generation
        exhibits = briefing.brief_parts(gathered, settings.exhibits, settings.per_article)
        yield Found([Citation.of(e.number, e.sentence, e.relevance) for e in exhibits])
        if kind in ("fact", "choice"):
            yield from naming.stream(llm, asked, exhibits, gathered.evidence, kind == "choice")
        else:
            threshold = self.settings.answer.min_sentence_support
            verifier = Verifier(embedder, exhibits, threshold)
            yield from writer.stream(llm, asked, exhibits, verifier, settings, gathered.evidence)

    def clean_question(self, question: str) -> str:
        """The question without control characters; empty or overlong ones are refused."""
        text = " ".join(question.translate(_CONTROL).split())
        if not text:
            raise InvalidQuestion("The question is empty: type a question about the articles.")
        limit = self.settings.answer.max_question_chars
        if len(text) > limit:
            raise InvalidQuestion(
                f"The question is {len(text):,} characters long; the limit is {limit:,}. "
                "Ask the question itself, without pasting whole articles."
            )
        return text

    def llm(self) -> "LLM | None":
        """The LLM that writes answers, built on first use; None for the extractive answerer.

        When the local model is not installed (or fails its hash check), answers are
        extractive and `notice` says why and how to install it.
        """
        with self._lock:
            if not self._llm_built:
                try:
                    self._llm = build_llm(self.settings)
                except ModelUnavailable as exc:
                    self.notice = f"{exc} Meanwhile answers quote the articles."
                    warnings.warn(self.notice, ModelMissing, stacklevel=2)
                self._llm_built = True
            return self._llm

    def status(self) -> IndexStatus:
        return status(self.settings)

    def document_text(self, citation: Citation, snapshot: str = "") -> str:
        """The cited document's text, from the index version `snapshot` (an answer's) while a
        question still reads it, else from the current one."""
        with explained(self.settings):
            with self._lock:
                kept = self._live.get(snapshot)
            if kept is not None:
                return kept.document_text(citation.doc_id)
            with self.snapshot() as (corpus, _):
                return corpus.document_text(citation.doc_id)

    @contextmanager
    def snapshot(
        self, renew: bool = False
    ) -> Iterator[tuple[Corpus, SentenceTransformerEmbedding]]:
        """The current version of the index, held while the caller is inside, and its embedder;
        `renew` opens it afresh even if the manifest did not change (its vectors did)."""
        with self._lock:
            if renew or self._corpus is None or not self._corpus.is_current():
                give_back_free_memory()  # what the versions before this one let go
                fresh = Corpus(self.settings)
                if self._corpus is not None:
                    self._retire(self._corpus)
                self._corpus = fresh
            corpus = self._corpus
            if not corpus.chunks:
                raise NotIndexed(not_indexed_message(self.settings))
            corpus.acquire()
            self._live[corpus.label] = corpus
        try:
            yield corpus, self._embedder_for(corpus)
        finally:
            corpus.release()
            with self._lock:
                self._forget(corpus)

    def _retire(self, corpus: Corpus) -> None:
        """A newer version replaces `corpus`: it closes once no question reads it."""
        corpus.retire()
        self._forget(corpus)

    def _forget(self, corpus: Corpus) -> None:
        if corpus.closed and self._live.get(corpus.label) is corpus:
            del self._live[corpus.label]

    def _embedder_for(self, corpus: Corpus) -> SentenceTransformerEmbedding:
        """The embedder the index's vectors were made with (index_embedding)."""
        return build_embedder(index_embedding(self.settings, corpus.vector_record))


def _refusal(asked: Asked, support: float, parts: Parts) -> Iterator[str | Sources | Answer]:
    """Say that the articles do not hold the answer, and which reports asked about are not
    indexed at all: there is nothing to cite."""
    missing = render("outlet_missing", outlets=", ".join(parts.missing)) if parts.missing else ""
    refusal = f"{missing} {render('refusal')}".strip()
    yield refusal
    yield Sources({})
    yield Answer(
        asked.question,
        refusal,
        refused=True,
        searched_for=asked.searched_for,
        support=support,
        snapshot=asked.snapshot,
        parts=[PartFinding(p.text, False, note=_missing_note(p)) for p in parts.parts]
        if parts.split or parts.missing
        else [],
    )


def _missing_note(part: Part) -> str:
    return render("outlet_missing", outlets=", ".join(part.missing)) if part.missing else ""
