"""The answer backends: one factory turning `settings.llm` into a LlamaIndex LLM, or None."""

import importlib.util
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import AssistantError
from assistant.generation import local_model
from assistant.settings import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

OLLAMA_URL = "http://127.0.0.1:11434"

_loaded: dict[tuple[Any, ...], Any] = {}  # one LocalChat per model file and shape
_loading = threading.Lock()


class BackendUnavailable(AssistantError):
    """A generative backend was chosen but cannot run here; the message says how to fix it."""


def build_llm(settings: Settings) -> "LLM | None":
    """The LLM that writes answers; None for the extractive answerer, which needs none."""
    match settings.llm:
        case "extractive":
            return None
        case "local":
            return _local(settings)
        case "openai":
            return _openai(settings)
        case "ollama":
            return _ollama(settings)


def constrained(llm: "LLM", schema: dict[str, Any]) -> dict[str, Any]:
    """The request options that make `llm` write JSON matching `schema`.

    llama.cpp (in-process or behind its server) and OpenAI-compatible servers take
    `response_format`; Ollama takes the schema as `format`.
    """
    if type(llm).__name__ == "Ollama":
        return {"format": schema}
    return {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": schema},
        }
    }


def threads(settings: Settings) -> int:
    """CPU threads for a local model: the setting, or every core this process may use."""
    return settings.generation.threads or len(os.sched_getaffinity(0)) or 1


def local_model_path(settings: Settings) -> Path:
    """The GGUF the local backend runs: the setting, or the packaged Qwen, joined and checked."""
    if settings.llm_model:
        path = Path(settings.llm_model)
        if not path.is_file():
            raise BackendUnavailable(f"ASSISTANT_LLM_MODEL={path} is not a file; name a GGUF.")
        with path.open("rb") as file:
            if file.read(4) != b"GGUF":
                raise BackendUnavailable(f"ASSISTANT_LLM_MODEL={path} is not a GGUF file.")
        return path
    return local_model.ensure(settings.model_cache())


def _local(settings: Settings) -> "LLM":
    """One loaded model per file and shape in this process, shared by every assistant."""
    if importlib.util.find_spec("xllamacpp") is None:
        raise _missing("local", "xllamacpp")
    path = local_model_path(settings)
    generation = settings.generation
    key = (str(path), generation.context_window, threads(settings), generation.parallel)
    with _loading:
        if key not in _loaded:
            from assistant.generation.xllama import LocalChat

            _loaded[key] = LocalChat.load(
                path,
                context_window=generation.context_window,
                threads=threads(settings),
                parallel=generation.parallel,
                max_tokens=generation.max_tokens,
                temperature=generation.temperature,
            )
        model = _loaded[key]
    # Sampling is per request: another assistant's settings may differ.
    return model.model_copy(
        update={"max_tokens": generation.max_tokens, "temperature": generation.temperature}
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


def timings(reply: Any) -> dict[str, float]:
    """llama.cpp's token counts and times for one reply (empty from other backends)."""
    found = (getattr(reply, "additional_kwargs", None) or {}).get("timings") or {}
    return {k: float(v) for k, v in found.items() if isinstance(v, int | float)}


def combined(*parts: dict[str, float]) -> dict[str, float]:
    """The timings of several requests as one answer's: counts and milliseconds added, rates
    recomputed; `prompt_n` counts the prompt tokens read, `cache_n` those reused instead."""
    total: dict[str, float] = {}
    for part in parts:
        for key in ("prompt_n", "prompt_ms", "predicted_n", "predicted_ms", "cache_n"):
            if key in part:
                total[key] = total.get(key, 0.0) + part[key]
    for kind in ("prompt", "predicted"):
        if total.get(f"{kind}_ms"):
            total[f"{kind}_per_second"] = 1000.0 * total[f"{kind}_n"] / total[f"{kind}_ms"]
    return total
