"""The shell and Python entry points, run as a user runs them: in real subprocesses."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.conftest import ROOT, SEED_ARTICLE

pytestmark = pytest.mark.slow


def run(args: list[str], settings: Settings, **kwargs: object) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "ASSISTANT_DOCS_DIR": str(settings.docs_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, **kwargs
    )


def cli(*args: str, settings: Settings) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "assistant.cli", *args], settings)


def test_ask_prints_the_answer_then_numbered_sources(seeds_settings: Settings):
    result = cli("ask", "Why is Russia engaging the Taliban?", settings=seeds_settings)
    assert result.returncode == 0, result.stderr
    answer, sources = result.stdout.split("\nSources:\n")
    assert "[1]" in answer and "[2]" in answer
    lines = sources.splitlines()
    assert lines[0].startswith("[1] ") and SEED_ARTICLE.name in lines[0]
    assert "chars " in lines[1]


def test_ask_json_gives_exact_spans(seeds_settings: Settings):
    result = cli("ask", "Who is Zamir Kabulov?", "--json", settings=seeds_settings)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    text = SEED_ARTICLE.read_text(encoding="utf-8").strip()
    assert payload["refused"] is False
    for citation in payload["citations"]:
        assert text[citation["start"] : citation["end"]] == citation["passage"]


def test_ask_refuses_in_words_not_with_nearest_sentences(seeds_settings: Settings):
    result = cli("ask", "What is the population of Kabul?", settings=seeds_settings)
    assert result.returncode == 0
    assert "do not answer this question" in result.stdout and "Sources:" not in result.stdout


def test_empty_question_exits_with_a_clear_message(seeds_settings: Settings):
    result = cli("ask", "   ", settings=seeds_settings)
    assert result.returncode == 2
    assert "question is empty" in result.stderr and "Traceback" not in result.stderr


def test_ask_before_indexing_says_how_to_index(tmp_path: Path):
    settings = Settings(docs_dir=tmp_path / "docs", data_dir=tmp_path / "index")
    result = cli("ask", "Why is Russia engaging the Taliban?", settings=settings)
    assert result.returncode == 2
    assert "assistant index update" in result.stderr


def test_index_commands_report_counts_and_fail_on_bad_files(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"not a pdf at all")
    settings = Settings(docs_dir=docs, data_dir=tmp_path / "index")
    build = cli("index", "build", settings=settings)
    assert build.returncode == 1
    assert "failed: broken.pdf: not a readable PDF" in build.stderr
    assert "1 added" in build.stdout and "1 failed" in build.stdout
    status = cli("index", "status", settings=settings)
    assert status.returncode == 0
    assert "documents:  1" in status.stdout and "all-MiniLM-L6-v2" in status.stdout


def test_missing_docs_folder_is_a_clear_error(tmp_path: Path):
    settings = Settings(docs_dir=tmp_path / "nowhere", data_dir=tmp_path / "index")
    result = cli("index", "update", settings=settings)
    assert result.returncode == 1
    assert "nowhere" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_python_api_answers_from_the_environment_settings(seeds_settings: Settings):
    code = (
        "from assistant import answer\n"
        "r = answer('Why is Russia engaging the Taliban?')\n"
        "c = r.citations[0]\n"
        "print(r.refused, len(r.citations), c.doc_id, c.title, c.path, c.start < c.end)\n"
    )
    result = run([sys.executable, "-c", code], seeds_settings)
    assert result.returncode == 0, result.stderr
    refused, count, _doc, *rest = result.stdout.split()
    assert refused == "False" and int(count) >= 2 and rest[-1] == "True"
