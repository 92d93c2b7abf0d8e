"""Query-side settings, extending the build-side ones into the single `Settings` object."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from index.settings import IndexSettings


class RetrievalSettings(BaseModel):
    """How passages are found: dense and BM25 candidates fused by normalized score."""

    model_config = {"extra": "forbid"}

    top_k: int = Field(8, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(40, ge=1, le=500, description="Candidates taken from each retriever.")
    bm25_weight: float = Field(
        0.7, ge=0.0, le=1.0, description="Share of BM25 in the fused score; the rest is dense."
    )
    dates: Literal["filter", "ignore"] = Field(
        "filter",
        description="Dates in a question limit retrieval to articles published then "
        "(widening when none were), or are ignored.",
    )
    outlets: Literal["restrict", "prefer"] = Field(
        "restrict",
        description="Outlets named in a question: only their articles are retrieved, or "
        "theirs come first and others fill the remaining places.",
    )
    reference_date: date | None = Field(
        None,
        description="The day 'yesterday' or 'last month' counts back from; by default the "
        "newest article's publication date.",
    )


class AnswerSettings(BaseModel):
    """How answers are composed and when the assistant refuses."""

    model_config = {"extra": "forbid"}

    max_sentences: int = Field(4, ge=1, le=12, description="Most sentences in an answer.")
    min_support: float = Field(
        0.40,
        ge=0.0,
        le=1.0,
        description="Evidence score below which the assistant refuses rather than guess.",
    )
    max_question_chars: int = Field(
        2000, ge=10, description="Longer questions are rejected with a clear message."
    )


class ServerSettings(BaseModel):
    """Where the chat UI listens."""

    model_config = {"extra": "forbid"}

    host: str = Field("127.0.0.1", description="Address the chat UI binds.")
    port: int = Field(7860, ge=1, le=65535, description="Port the chat UI binds.")


class Settings(IndexSettings):
    """All settings, read from `ASSISTANT_*` variables and `.env`; built once per entry point."""

    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings, description="Retrieval parameters."
    )
    answer: AnswerSettings = Field(
        default_factory=AnswerSettings, description="Answer composition and refusal."
    )
    server: ServerSettings = Field(default_factory=ServerSettings, description="Chat UI server.")
    auth: SecretStr | None = Field(
        None,
        description="`user:password` the chat UI asks for; required to serve beyond this machine.",
    )
