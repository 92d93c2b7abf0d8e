"""The assistant: validate a question, retrieve, then answer with citations or refuse."""

import threading
from collections.abc import Iterator

from assistant import composer
from assistant.citations import Answer, Citation
from assistant.corpus import Corpus, not_indexed_message
from assistant.errors import InvalidQuestion, NotIndexed
from assistant.evidence import Assessor
from assistant.faults import explained
from assistant.prompts import render
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from index.embedder import SentenceTransformerEmbedding, build_embedder
from index.status import IndexStatus, status

_CONTROL = {c: " " for c in range(32) if chr(c) not in "\n\t"} | {127: " "}
# Lone surrogates (JSON can carry them) cannot be encoded for the tokenizer.
_CONTROL |= dict.fromkeys(range(0xD800, 0xE000), " ")


class Assistant:
    """Answers questions over one index; loads lazily and follows index updates."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._lock = threading.Lock()
        self._embedder: SentenceTransformerEmbedding | None = None
        self._corpus: Corpus | None = None

    def answer(self, question: str) -> Answer:
        """The complete answer to `question`."""
        result = None
        for item in self.stream(question):
            if isinstance(item, Answer):
                result = item
        assert result is not None
        return result

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Yield pieces of answer text as they are ready, then the final `Answer`."""
        with explained(self.settings):
            yield from self._stream(question)

    def _stream(self, question: str) -> Iterator[str | Answer]:
        query = self.clean_question(question)
        corpus, embedder = self._ready()
        retriever = HybridRetriever(corpus, embedder, self.settings.retrieval)
        passages = retriever.passages(query)
        dated = bool(retriever.plan(query).frames)
        evidence = Assessor(embedder, corpus.bm25).assess(query, passages)
        if evidence.support < self.settings.answer.min_support or not evidence.sentences:
            refusal = render("refusal")
            yield refusal
            yield Answer(
                question, refusal, refused=True, searched_for=query, support=evidence.support
            )
            return
        for item in composer.stream(query, evidence, self.settings.answer, corpus, dated):
            if isinstance(item, Answer):
                item.question, item.searched_for = question, query
            yield item

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

    def status(self) -> IndexStatus:
        return status(self.settings)

    def document_text(self, citation: Citation) -> str:
        with explained(self.settings):
            corpus, _ = self._ready()
            return corpus.document_text(citation.doc_id)

    def _ready(self) -> tuple[Corpus, SentenceTransformerEmbedding]:
        with self._lock:
            if self._corpus is None or not self._corpus.is_current():
                # The old corpus is not closed: a request in another thread may still read it.
                self._corpus = Corpus(self.settings)
            if not self._corpus.chunks:
                raise NotIndexed(not_indexed_message(self.settings))
            if self._embedder is None:
                self._embedder = build_embedder(self.settings)
            return self._corpus, self._embedder
