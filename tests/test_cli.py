"""The shell and Python entry points, run as a user runs them: in real subprocesses."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import Settings
from tests.backends import MODEL_CACHE
from tests.conftest import SEED_ARTICLE, make_settings
from tests.servers import assistant_env

pytestmark = pytest.mark.slow


def run(args: list[str], settings: Settings, **env: str) -> subprocess.CompletedProcess:
    """`args` in a subprocess that sees these settings' folders and nothing of ours."""
    return subprocess.run(
        args,
        env=assistant_env(settings.docs_dir, settings.data_dir, **env),
        cwd=settings.data_dir.parent,  # no .env of the project's applies
        capture_output=True,
        text=True,
        timeout=300,
    )


def cli(*args: str, settings: Settings, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "assistant.cli", *args], settings, **env)


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


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("Why is Russia engaging the Taliban?", "[1]"),  # answered
        ("What is the population of Kabul?", "do not answer this question"),  # weak evidence
        ("What did the Bloomberg article say about Kazan?", "no articles from Bloomberg"),
    ],
)
def test_ask_prints_the_text_however_the_answer_ends(
    seeds_settings: Settings, question: str, said: str
):
    result = cli("ask", question, settings=seeds_settings)
    assert result.returncode == 0, result.stderr
    assert said in result.stdout.split("\nSources:")[0]
    payload = json.loads(cli("ask", question, "--json", settings=seeds_settings).stdout)
    assert payload["text"] and payload["text"] in result.stdout


def test_empty_question_exits_with_a_clear_message(seeds_settings: Settings):
    result = cli("ask", "   ", settings=seeds_settings)
    assert result.returncode == 2
    assert "question is empty" in result.stderr and "Traceback" not in result.stderr


def test_ask_with_the_local_model_streams_then_lists_sources(seeds_settings: Settings):
    result = cli(
        "ask",
        "Why is Russia engaging the Taliban?",
        settings=seeds_settings,
        ASSISTANT_LLM="local",
        ASSISTANT_MODEL_CACHE_DIR=str(MODEL_CACHE),
    )
    assert result.returncode == 0, result.stderr
    answer, sources = result.stdout.split("\nSources:\n")
    assert "[1]" in answer and "notice" not in result.stderr
    assert sources.splitlines()[0].startswith("[1] ")


def test_ask_before_indexing_says_how_to_index(tmp_path: Path):
    settings = make_settings(tmp_path / "docs", tmp_path / "index")
    result = cli("ask", "Why is Russia engaging the Taliban?", settings=settings)
    assert result.returncode == 1  # a failure to fix, not a usage error
    assert "assistant index update" in result.stderr and "Traceback" not in result.stderr


BROKEN_INSTALL = """
import importlib.abc, sys
class Broken(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "chromadb":
            raise RuntimeError("chromadb is broken on this machine")
sys.meta_path.insert(0, Broken())
"""


def test_an_unexpected_error_shows_its_traceback_with_debug(
    seeds_settings: Settings, tmp_path: Path
):
    """A broken install is no message-with-a-fix case: --debug (or ASSISTANT_DEBUG) shows where."""
    (tmp_path / "sitecustomize.py").write_text(BROKEN_INSTALL)
    question = ["ask", "Why is Russia engaging the Taliban?"]
    broken = {"PYTHONPATH": str(tmp_path)}
    quiet = cli(*question, settings=seeds_settings, **broken)
    loud = cli("--debug", *question, settings=seeds_settings, **broken)
    by_env = cli(*question, settings=seeds_settings, ASSISTANT_DEBUG="1", **broken)
    assert quiet.returncode == loud.returncode == by_env.returncode == 1
    assert "chromadb is broken" in quiet.stderr and "--debug" in quiet.stderr
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr and "Traceback" in by_env.stderr


def test_a_bad_setting_is_a_usage_error(seeds_settings: Settings):
    result = cli("index", "status", settings=seeds_settings, ASSISTANT_LLM="gpt-17")
    assert result.returncode == 2
    assert "ASSISTANT_LLM" in result.stderr and "Traceback" not in result.stderr


def test_index_commands_report_counts_and_fail_on_bad_files(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "seed.txt").write_text(SEED_ARTICLE.read_text(encoding="utf-8"), encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"not a pdf at all")
    settings = make_settings(docs, tmp_path / "index")
    build = cli("index", "build", settings=settings)
    assert build.returncode == 1
    assert "failed: broken.pdf: not a readable PDF" in build.stderr
    assert "1 added" in build.stdout and "1 failed" in build.stdout
    status = cli("index", "status", settings=settings)
    assert status.returncode == 0
    assert "documents:  1" in status.stdout and "all-MiniLM-L6-v2" in status.stdout


def test_missing_docs_folder_is_a_clear_error(tmp_path: Path):
    settings = make_settings(tmp_path / "nowhere", tmp_path / "index")
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
