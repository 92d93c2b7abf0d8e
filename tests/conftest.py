"""Shared fixtures: real indexes built once per test session with the real embedder."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from assistant.service import Assistant
from assistant.settings import Settings
from index.pipeline import update

pytest_plugins = ["tests.backends"]  # SmolLM2 in-process and behind two local servers

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_ARTICLE = SEEDS / "russia-offers-taliban-help-against-isis-k.txt"


def make_settings(docs: Path, data: Path, **overrides: object) -> Settings:
    """Settings that point at a test's own folders and nothing else."""
    return Settings(docs_dir=docs, data_dir=data, **overrides)  # type: ignore[arg-type]


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
