"""Each answer backend is a LlamaIndex LLM that streams from the real local model."""

import json
import sys
import threading
import urllib.error
import urllib.request

import pytest
from llama_index.core.llms import LLM, ChatMessage

from assistant.generation.llm import BackendUnavailable, build_llm, constrained
from assistant.generation.xllama import LocalChat
from assistant.settings import GenerationSettings, Settings
from tests.backends import backend_settings, local_settings

pytestmark = pytest.mark.slow

QUESTION = [
    ChatMessage(role="system", content="You are terse."),
    ChatMessage(role="user", content="What is the capital of France? Answer in one sentence."),
]


def streamed(llm: LLM, **options: object) -> list[str]:
    return [r.delta for r in llm.stream_chat(QUESTION, **options) if r.delta]


def test_extractive_needs_no_llm():
    assert build_llm(Settings(llm="extractive")) is None


def test_local_model_streams_in_its_own_chat_template(local_llm: LocalChat):
    pieces = streamed(local_llm)
    assert len(pieces) >= 2 and "Paris" in "".join(pieces)
    assert local_llm.metadata.is_chat_model
    assert "xllamacpp" in sys.modules and "llama_cpp" not in sys.modules


def test_every_assistant_shares_one_loaded_model(local_llm: LocalChat):
    again = build_llm(local_settings(Settings(), generation=GenerationSettings(max_tokens=16)))
    assert isinstance(again, LocalChat) and again.max_tokens == 16
    assert again._server is local_llm._server


def test_output_follows_a_json_schema(local_llm: LocalChat):
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string", "enum": ["Paris", "Lyon"]}},
        "required": ["city"],
    }
    reply = json.loads("".join(streamed(local_llm, **constrained(local_llm, schema))))
    assert reply == {"city": "Paris"}


def test_concurrent_chats_are_decoded_together(local_llm: LocalChat):
    replies: list[str] = []

    def ask() -> None:
        replies.append("".join(streamed(local_llm)))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(replies) == 3 and all("Paris" in reply for reply in replies)


def test_a_stream_left_early_frees_its_request(local_llm: LocalChat):
    story = [ChatMessage(role="user", content="Write a long story about a lighthouse.")]
    replies = local_llm.stream_chat(story)
    for _ in zip(range(3), replies, strict=False):
        pass
    replies.close()  # type: ignore[attr-defined]
    assert "Paris" in "".join(streamed(local_llm))


def test_llama_cpps_own_listener_needs_its_key(local_llm: LocalChat, openai_url: str):
    body = json.dumps({"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4})
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        request = urllib.request.Request(
            f"{openai_url}/chat/completions",
            data=body.encode(),
            headers={"Content-Type": "application/json", **headers},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 401
    # A page on another origin is told it may not read the replies.
    preflight = urllib.request.Request(
        f"{openai_url}/chat/completions",
        method="OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    with urllib.request.urlopen(preflight, timeout=30) as response:
        assert response.headers.get("Access-Control-Allow-Origin") != "http://evil.example"
        assert response.headers.get("Access-Control-Allow-Origin") != "*"


def test_openai_backend_streams_from_llama_cpps_server(local_llm: LocalChat, openai_url: str):
    llm = build_llm(backend_settings(Settings(), "openai", openai_url, local_llm.api_key))
    assert llm is not None
    pieces = streamed(llm)
    assert len(pieces) >= 2 and "Paris" in "".join(pieces)


def test_ollama_backend_streams_from_an_api_chat_server(ollama_url: str):
    llm = build_llm(backend_settings(Settings(), "ollama", ollama_url))
    assert llm is not None
    pieces = streamed(llm)
    assert len(pieces) >= 2 and "Paris" in "".join(pieces)
    assert llm.complete("What is the capital of France?").text.strip()


@pytest.mark.parametrize(
    ("overrides", "hint"),
    [
        ({"llm": "openai"}, "ASSISTANT_LLM_BASE_URL"),
        ({"llm": "ollama"}, "ASSISTANT_LLM_MODEL"),
        ({"llm": "local", "llm_model": "/nonexistent.gguf"}, "is not a file"),
        ({"llm": "local", "llm_model": __file__}, "not a GGUF file"),
    ],
)
def test_a_backend_without_what_it_needs_says_what_to_set(overrides: dict, hint: str):
    with pytest.raises(BackendUnavailable, match=hint):
        build_llm(Settings(**overrides))
