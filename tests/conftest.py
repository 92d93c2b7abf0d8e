"""Shared fixtures: real indexes built once per test session with the real embedder."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import MODEL_CACHE

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Every test's settings share one int8 export of the embedder instead of one per index.
os.environ.setdefault("ASSISTANT_MODEL_CACHE_DIR", str(MODEL_CACHE))

from assistant.service import Assistant
from assistant.settings import Settings
from index.pipeline import update
from tests import servers

pytest_plugins = ["tests.backends"]  # the local model in-process and behind two local servers

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_ARTICLE = SEEDS / "russia-offers-taliban-help-against-isis-k.txt"


def make_settings(docs: Path, data: Path, **overrides: object) -> Settings:
    """Settings that point at a test's own folders and nothing else; answers are extractive
    unless a test asks for a model (tests/backends.py)."""
    return Settings(docs_dir=docs, data_dir=data, **{"llm": "extractive", **overrides})  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def seeds_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An index of the seed article, built once."""
    settings = make_settings(SEEDS, tmp_path_factory.mktemp("seeds-index"))
    report = update(settings)
    assert report.ok and report.documents == 1
    return settings


@pytest.fixture(scope="session")
def seeds_assistant(seeds_settings: Settings) -> Assistant:
    return Assistant(seeds_settings)


@pytest.fixture(scope="session")
def news_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An index of the seed article plus eight real MultiHop-RAG news items."""
    docs = tmp_path_factory.mktemp("news-docs")
    shutil.copy(SEED_ARTICLE, docs / SEED_ARTICLE.name)
    shutil.copy(FIXTURES / "multihop" / "corpus-sample.json", docs / "corpus-sample.json")
    settings = make_settings(docs, tmp_path_factory.mktemp("news-index"))
    assert update(settings).documents == 9
    return settings


@pytest.fixture(scope="session")
def dated_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """An index of 13 dated articles from five outlets: a budget story over three months, a
    trial told out of order, one product seen by two outlets, two reports of one collapse
    with different death tolls, and one wire story published twice."""
    docs = tmp_path_factory.mktemp("dated-docs")
    shutil.copy(FIXTURES / "news" / "corpus.json", docs / "corpus.json")
    settings = make_settings(docs, tmp_path_factory.mktemp("dated-index"))
    assert update(settings).documents == 13
    return settings


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real Chroma server (`chroma run`, shipped with chromadb) on 127.0.0.1; its port."""
    with servers.chroma_server(tmp_path_factory.mktemp("chroma-server")) as port:
        yield port


@pytest.fixture(params=["embedded", "chroma-server"])
def store(request: pytest.FixtureRequest) -> dict[str, object]:
    """Where the vectors live, as settings: the embedded store, or a real Chroma server."""
    if request.param == "embedded":
        return {}
    return {"chroma_host": "127.0.0.1", "chroma_port": request.getfixturevalue("chroma_server")}
