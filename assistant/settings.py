"""Query-side settings, extending the build-side ones into the single `Settings` object."""

import warnings
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator

from index.settings import IndexSettings

# Generation settings of earlier releases, and what replaced them.
RETIRED = {
    "min_support": "both answerers refuse below ASSISTANT_ANSWER__MIN_SUPPORT.",
    "yes_threshold": "yes/no verdicts are weighed by rules fitted on dev (docs/answers.md).",
}


class RetrievalSettings(BaseModel):
    """How passages are found: dense and BM25 candidates fused by normalized score."""

    model_config = {"extra": "forbid"}

    top_k: int = Field(8, ge=1, le=50, description="Passages handed to the answerer.")
    candidates: int = Field(40, ge=1, le=500, description="Candidates taken from each retriever.")
    bm25_weight: float = Field(
        0.7, ge=0.0, le=1.0, description="Share of BM25 in the fused score; the rest is dense."
    )
    rerank: Literal["learned", "off"] = Field(
        "off",
        description="Order candidates with the learned ranker (assistant/retrieval/ranker.txt, "
        "trained by bench/train_ranker.py), or by the fused score alone. Off by default: held "
        "out, it ranks the gold chunk higher but hands the writer fewer gold facts.",
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
        0.37,
        ge=0.0,
        le=1.0,
        description=(
            "Evidence score below which the assistant refuses rather than guess. Calibrated "
            "on MultiHop-RAG dev by bench/calibrate_refusal.py (docs/answers.md)."
        ),
    )
    max_question_chars: int = Field(
        2000, ge=10, description="Longer questions are rejected with a clear message."
    )
    min_sentence_support: float = Field(
        0.74,
        ge=0.0,
        le=1.0,
        description=(
            "Verification score a generated sentence needs from the evidence it cites, taken "
            "together: lexical overlap (content words, numbers, names) blended with embedding "
            "similarity; sentences below it are never shown. "
            "Calibrated by bench/calibrate_verification.py, see docs/answers.md."
        ),
    )


class GenerationSettings(BaseModel):
    """How a generative backend is run: the prompt's size and the sampling."""

    model_config = {"extra": "forbid"}

    @model_validator(mode="before")
    @classmethod
    def _retired(cls, values: Any) -> Any:
        """Settings an earlier release had: accepted with a warning, and ignored."""
        if isinstance(values, dict):
            for name, instead in RETIRED.items():
                if name in values:
                    values = {k: v for k, v in values.items() if k != name}
                    warnings.warn(
                        f"ASSISTANT_GENERATION__{name.upper()} is no longer used: {instead}",
                        DeprecationWarning,
                        stacklevel=2,
                    )
        return values

    exhibits: int = Field(
        8, ge=1, le=30, description="Evidence sentences put in the prompt, numbered."
    )
    sentences: int = Field(3, ge=1, le=8, description="Most sentences in a generated answer.")
    per_article: int = Field(3, ge=1, le=10, description="Most evidence sentences per article.")
    max_tokens: int = Field(320, ge=8, le=4096, description="Most tokens generated per answer.")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    context_window: int = Field(
        2048, ge=512, le=131072, description="Context of each of a local model's requests."
    )
    parallel: int = Field(
        4,
        ge=1,
        le=64,
        description="Requests a local model decodes together (llama.cpp slots); more wait.",
    )
    threads: int = Field(0, ge=0, description="CPU threads of a local model; 0 means all cores.")
    timeout: float = Field(120.0, gt=0, description="Seconds to wait for a server's reply.")


class ServerSettings(BaseModel):
    """Where the chat UI listens."""

    model_config = {"extra": "forbid"}

    host: str = Field("127.0.0.1", description="Address the chat UI binds.")
    port: int = Field(7860, ge=1, le=65535, description="Port the chat UI binds.")
    cors_origins: list[str] = Field(
        default_factory=list,
        description=(
            "Web origins whose pages may call the HTTP API (JSON list, e.g. "
            '["https://newsroom.example"]); none by default.'
        ),
    )


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
    llm: Literal["local", "extractive", "openai", "ollama"] = Field(
        "local",
        description=(
            "Who writes answers: local runs a GGUF in this process through llama.cpp "
            "(xllamacpp; Qwen2.5-Coder-1.5B-Instruct by default), extractive quotes the articles "
            "(no LLM, instant), openai calls any OpenAI-compatible server, ollama calls Ollama."
        ),
    )
    llm_model: str = Field(
        "",
        description=(
            "GGUF path for local (empty: the packaged Qwen2.5-Coder-1.5B-Instruct, checked "
            "against its SHA-256), or the model name a server knows for openai and ollama."
        ),
    )
    llm_base_url: str = Field(
        "",
        description=(
            "Server address: an OpenAI-compatible /v1 URL for openai, or Ollama's "
            "(default http://127.0.0.1:11434) for ollama."
        ),
    )
    llm_api_key: SecretStr = Field(
        SecretStr(""), description="API key for the openai backend; empty for local servers."
    )
    generation: GenerationSettings = Field(
        default_factory=GenerationSettings, description="Generative backends' parameters."
    )
