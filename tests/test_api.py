"""The HTTP API of a real `assistant serve`: the official OpenAI client, JSON, and access."""

import base64
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI

from index import layout
from index.manifest import Manifest
from index.pipeline import update
from tests.backends import MODEL_CACHE
from tests.conftest import FIXTURES, SEED_ARTICLE, make_settings
from tests.servers import Served, serve

pytestmark = pytest.mark.slow

QUESTION = "Why is Russia engaging the Taliban?"
AUTH = "news:correct-horse-battery"


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("api")
    docs = root / "docs"
    docs.mkdir()
    shutil.copy(SEED_ARTICLE, docs / SEED_ARTICLE.name)
    shutil.copy(FIXTURES / "multihop" / "corpus-sample.json", docs / "corpus-sample.json")
    assert update(make_settings(docs, root / "index")).documents == 9
    return docs, root / "index"


@pytest.fixture(scope="module")
def served(docs: tuple[Path, Path]) -> Iterator[Served]:
    """The server as a user runs it: with the default answerer, the local model."""
    with serve(*docs, ASSISTANT_LLM="local", ASSISTANT_MODEL_CACHE_DIR=str(MODEL_CACHE)) as server:
        yield server


@pytest.fixture(scope="module")
def client(served: Served) -> OpenAI:
    return OpenAI(base_url=f"{served.url}v1", api_key="unused", max_retries=0)


def document_text(data: Path, doc_id: str) -> str:
    generation = layout.current(data)
    assert generation is not None
    manifest = Manifest(generation.manifest_path)
    try:
        return manifest.document_text(doc_id)
    finally:
        manifest.close()


def assert_exact(data: Path, citations: list[dict]) -> None:
    assert citations
    for c in citations:
        assert document_text(data, c["doc_id"])[c["start"] : c["end"]] == c["passage"]
        assert {"number", "title", "source", "published", "url", "path"} <= set(c)


def test_the_openai_client_gets_a_cited_answer(client: OpenAI, docs: tuple[Path, Path]):
    reply = client.chat.completions.create(
        model="news-assistant", messages=[{"role": "user", "content": QUESTION}]
    )
    extra = reply.model_extra or {}
    assert reply.object == "chat.completion" and reply.model == "news-assistant"
    text = reply.choices[0].message.content or ""
    assert "[1]" in text and extra["refused"] is False
    assert_exact(docs[1], extra["citations"])
    assert all(f"[{c['number']}]" in text for c in extra["citations"])


def test_streaming_carries_the_text_then_the_citations(client: OpenAI, docs: tuple[Path, Path]):
    chunks = list(
        client.chat.completions.create(
            model="news-assistant",
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
        )
    )
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert "[1]" in text
    assert_exact(docs[1], (last.model_extra or {})["citations"])


def test_a_question_the_articles_cannot_answer_is_refused(client: OpenAI):
    reply = client.chat.completions.create(
        model="news-assistant",
        messages=[{"role": "user", "content": "What is the population of Kabul?"}],
    )
    extra = reply.model_extra or {}
    assert extra["refused"] is True and extra["citations"] == []


def test_earlier_messages_are_the_history_of_a_follow_up(client: OpenAI):
    first = "Russia has announced its intention to assist the Taliban against ISIS-K. [1]"
    follow_up = "When did it take them off its list of terrorist organizations?"
    reply = client.chat.completions.create(
        model="news-assistant",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": first},
            {"role": "user", "content": follow_up},
        ],
    )
    extra = reply.model_extra or {}
    assert extra["searched_for"] != follow_up and "Taliban" in extra["searched_for"]
    assert not extra["refused"]
    assert "terrorist organizations" in (reply.choices[0].message.content or "")


def test_models_and_the_json_api(served: Served, docs: tuple[Path, Path]):
    models = httpx.get(f"{served.url}v1/models").json()
    assert [m["id"] for m in models["data"]] == ["news-assistant"]
    asked = {"question": "What is the population of Kabul?", "history": []}
    answer = httpx.post(f"{served.url}api/answer", json=asked, timeout=120)
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) >= {"question", "text", "citations", "refused", "searched_for", "short"}
    assert body["refused"] is True and body["question"] == asked["question"]
    status = httpx.get(f"{served.url}api/status").json()
    assert status["documents"] == 9 and status["chunks"] > 9
    schema = httpx.get(f"{served.url}openapi.json").json()
    assert {"/v1/chat/completions", "/v1/models", "/api/answer", "/api/status"} <= set(
        schema["paths"]
    )
    assert httpx.get(f"{served.url}docs").status_code == 200


BAD = [
    ("{not json", 400, "not valid JSON"),
    ({"model": "news-assistant"}, 400, "`messages`"),
    ({"messages": []}, 400, "`messages`"),
    ({"messages": [{"role": "assistant", "content": "Hi"}]}, 400, "last message"),
    ({"messages": [{"role": "user", "content": "x" * 5000}]}, 400, "limit"),
    ({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}, 404, "Unknown model"),
    (
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
        400,
        "only text",
    ),
    ({"messages": [{"role": "user", "content": "   "}]}, 400, "empty"),
]


@pytest.mark.parametrize(("body", "status", "says"), BAD, ids=[b[2] for b in BAD])
def test_bad_requests_say_what_to_fix(served: Served, body: object, status: int, says: str):
    payload = body if isinstance(body, str) else json.dumps(body)
    reply = httpx.post(
        f"{served.url}v1/chat/completions",
        content=payload,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert reply.status_code == status
    error = reply.json()["error"]
    assert says in error["message"] and error["type"]
    # The server goes on answering.
    assert httpx.get(f"{served.url}v1/models").status_code == 200


def test_no_cross_origin_page_may_call_it_by_default(served: Served):
    reply = httpx.options(
        f"{served.url}v1/chat/completions",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in reply.headers


def test_with_a_password_the_api_asks_for_it(docs: tuple[Path, Path]):
    with serve(*docs, ASSISTANT_AUTH=AUTH) as server:  # quoting answers: access is the point
        url = f"{server.url}v1/chat/completions"
        body = {"model": "news-assistant", "messages": [{"role": "user", "content": QUESTION}]}
        basic = base64.b64encode(AUTH.encode()).decode()
        assert httpx.post(url, json=body, timeout=60).status_code == 401
        wrong = {"Authorization": "Bearer not-the-password"}
        assert httpx.post(url, json=body, headers=wrong, timeout=60).status_code == 401
        for headers in (
            {"Authorization": f"Basic {basic}"},
            {"Authorization": "Bearer correct-horse-battery"},
        ):
            reply = httpx.post(url, json=body, headers=headers, timeout=120)
            assert (
                reply.status_code == 200
                and "[1]" in reply.json()["choices"][0]["message"]["content"]
            )
        assert httpx.get(f"{server.url}api/status").status_code == 401
        # The chat UI keeps its own sign-in: tests/test_exposure.py


def test_an_empty_index_is_an_error_streamed_or_not(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()  # nothing indexed yet
    with serve(docs, tmp_path / "index") as server:
        empty = OpenAI(base_url=f"{server.url}v1", api_key="unused", max_retries=0)
        asked = {"model": "news-assistant", "messages": [{"role": "user", "content": QUESTION}]}
        with pytest.raises(openai.InternalServerError, match="assistant index update"):
            empty.chat.completions.create(**asked)
        shown = []
        with pytest.raises(openai.APIError, match="assistant index update"):
            for chunk in empty.chat.completions.create(**asked, stream=True):
                shown.append(chunk.choices[0].delta.content or "")
        assert "".join(shown) == ""  # the message is the error's, never the answer's text
