"""Thumbs up and down kept with the answers they judge, summed up and exported for evaluation."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import gradio as gr
import pytest

from assistant.evaluation import feedback
from assistant.evaluation.benchmark import load_questions
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.web.ui import chat, rate
from tests.conftest import SEED_ARTICLE, make_settings
from tests.servers import assistant_env

QUESTION = "Why is Russia engaging the Taliban?"


@pytest.fixture
def rated(tmp_path: Path, seeds_settings: Settings) -> Settings:
    """The seed index, copied so that this test's feedback file is its own."""
    data = tmp_path / "index"
    shutil.copytree(seeds_settings.data_dir, data)
    return make_settings(seeds_settings.docs_dir, data)


def liking(index: int, liked: bool | str) -> gr.LikeData:
    """The event the chat's thumbs send: the reply's place in the chat and the thumb."""
    return gr.LikeData(None, {"index": index, "value": ["..."], "liked": liked})


def test_a_thumb_in_the_chat_keeps_the_answer_it_judges(rated: Settings):
    assistant, shown = Assistant(rated), {}
    previous = [
        {"role": "user", "content": "Who is Zamir Kabulov?"},
        {"role": "assistant", "content": "An earlier reply."},
    ]
    *_, (history, _, _) = chat(assistant, QUESTION, previous, shown=shown)
    assert list(shown) == [3]  # the reply's place: after two earlier messages and the question
    assert len(history) == 4 and history[3]["role"] == "assistant"
    box, said = rate(rated, shown, "  The first sentence explains nothing. ", liking(3, False))
    assert box == "" and "bad answer" in said

    (entry,) = feedback.load(rated).entries
    answer = assistant.answer(QUESTION)
    assert entry["liked"] is False and entry["comment"] == "The first sentence explains nothing."
    assert entry["question"] == QUESTION and entry["answer"] == answer.text
    assert entry["history"] == previous and entry["refused"] is False
    assert [c["passage"] for c in entry["citations"]] == [c.passage for c in answer.citations]
    assert entry["settings"]["llm"] == "extractive" and entry["snapshot"] == answer.snapshot
    text = SEED_ARTICLE.read_text(encoding="utf-8").strip()
    assert all(text[c["start"] : c["end"]] == c["passage"] for c in entry["citations"])

    rate(rated, shown, "", liking(3, True))  # changed their mind: the latest judgement counts
    (entry,) = feedback.load(rated).entries
    assert entry["liked"] is True and not feedback.load(rated).down
    rate(rated, shown, "", liking(3, ""))  # and took the thumb back
    assert feedback.load(rated).judged == []
    assert len(feedback.feedback_path(rated).read_text().splitlines()) == 3  # nothing rewritten


def test_only_answers_can_be_rated(rated: Settings):
    box, said = rate(rated, {}, "kept", liking(1, True))
    assert box == "kept" and "Only answers" in said  # the comment is not lost
    assert not feedback.feedback_path(rated).exists()


def test_a_damaged_line_is_skipped_and_counted(rated: Settings):
    answer = feedback.shown(Assistant(rated).answer(QUESTION), [], rated)
    feedback.save(rated, answer, False, "wrong")
    with feedback.feedback_path(rated).open("a") as out:
        out.write('{"half a line\n')
    kept = feedback.load(rated)
    assert kept.unreadable == 1 and len(kept.down) == 1
    assert any("1 unreadable" in line for line in kept.lines())


def test_eval_feedback_sums_up_and_exports_questions_to_benchmark(rated: Settings, tmp_path):
    assistant = Assistant(rated)
    for question, liked, comment in [
        (QUESTION, False, "Misses the common enemy."),
        ("Who is Zamir Kabulov?", True, ""),
        ("What is the population of Kabul?", False, "Should have said it is not covered."),
    ]:
        feedback.save(rated, feedback.shown(assistant.answer(question), [], rated), liked, comment)
    out = tmp_path / "export" / "down.json"
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "eval", "feedback", "--export", str(out)],
        env=assistant_env(rated.docs_dir, rated.data_dir),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "3 answers rated: 1 up (33%), 2 down (1 of them refusals)" in result.stdout
    assert "down: Why is Russia engaging the Taliban? — Misses the common enemy." in result.stdout
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [q["query"] for q in exported] == [QUESTION, "What is the population of Kabul?"]
    assert exported[0]["evidence_list"] and exported[0]["shown"]
    assert exported[1]["refused"] is True and exported[1]["evidence_list"] == []
    questions = load_questions(out)  # what `assistant eval answers --queries` reads
    assert [q.question_type for q in questions] == [feedback.QUESTION_TYPE] * 2
