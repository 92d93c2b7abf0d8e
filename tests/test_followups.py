"""Follow-up questions are searched as standalone queries, by rule or by the LLM."""

import pytest

from assistant import Assistant
from assistant.generation.followups import by_llm, by_rule, names, standalone, text_of
from assistant.generation.xllama import LocalChat
from assistant.settings import Settings
from tests.backends import LLMCalls

FIRST = "Why is Russia engaging the Taliban?"
FOLLOW_UP = "and what about trade?"


def chat(*turns: str) -> list[dict[str, str]]:
    roles = ["user", "assistant"]
    return [{"role": roles[i % 2], "content": text} for i, text in enumerate(turns)]


def test_names_are_runs_of_capitalized_words_not_question_words():
    assert names(FIRST) == ["Russia", "Taliban"]
    assert names("Who is Zamir Kabulov, Russia's envoy?") == ["Zamir Kabulov", "Russia"]
    assert names(FOLLOW_UP) == [] and names("What about it?") == []


def test_rule_carries_the_previous_questions_names_over():
    query = by_rule(FOLLOW_UP, chat(FIRST, "Russia sees a common enemy in ISIS-K [1]."))
    assert query == "and what about trade? (Russia, Taliban)"


def test_rule_leaves_a_question_that_names_its_subject():
    assert by_rule("What did Kabulov say?", chat(FIRST, "...")) == "What did Kabulov say?"
    assert standalone(FOLLOW_UP, [], None) == FOLLOW_UP


def test_rule_leaves_a_new_question_that_stands_alone():
    before = chat(FIRST, "Russia sees a common enemy in ISIS-K [1].")
    for question in [
        "How much did the river rise overnight?",
        "How many people died in the bridge collapse?",
    ]:
        assert by_rule(question, before) == question
    for question in ["What did he say about trade?", "Why?", "How about their trade deals?"]:
        assert by_rule(question, before) == f"{question} (Russia, Taliban)"


def test_chat_messages_are_read_as_plain_text():
    shown = "Russia \\- \\*the\\* envoy [\\[1\\]](#source-1-1)"
    assert text_of(shown) == "Russia - *the* envoy"
    assert text_of([{"type": "text", "text": "Who is he?"}]) == "Who is he?"


@pytest.mark.slow
def test_extractive_follow_up_keeps_the_conversation(seeds_settings: Settings):
    assistant = Assistant(seeds_settings)
    first = assistant.answer(FIRST)
    history = chat(FIRST, first.text)
    alone = assistant.answer(FOLLOW_UP)
    answer = assistant.answer(FOLLOW_UP, history)
    assert alone.refused  # without the conversation the question means nothing
    assert answer.searched_for == "and what about trade? (Russia, Taliban)"
    assert not answer.refused
    assert any("trade" in c.passage for c in answer.citations)


@pytest.mark.slow
def test_news_follow_up_finds_the_article_the_first_question_was_about(news_settings: Settings):
    assistant = Assistant(news_settings)
    history = chat("Who is Zamir Kabulov?", assistant.answer("Who is Zamir Kabulov?").text)
    answer = assistant.answer("What did he say about the ambassador?", history)
    assert "Zamir Kabulov" in answer.searched_for and not answer.refused
    assert all("russia" in c.path.lower() for c in answer.citations if c.path)


@pytest.mark.slow
def test_llm_rewrite_is_a_standalone_query_that_keeps_names_and_subject(
    local_llm: LocalChat, llm_calls: LLMCalls
):
    query = by_llm(local_llm, FOLLOW_UP, chat(FIRST, "Russia sees a common enemy in ISIS-K [1]."))
    assert llm_calls.calls == 1
    assert "Russia" in query and "Taliban" in query and "trade" in query
