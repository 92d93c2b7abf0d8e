"""Answers over the seed article: cited, exact, and refused when the article cannot answer."""

import pytest

from assistant import Answer, Assistant, InvalidQuestion, NotIndexed
from assistant.prompts import render
from index.pipeline import update
from tests.conftest import SEED_ARTICLE, make_settings

pytestmark = pytest.mark.slow  # every test here builds or reads a real index

# Reasons the seed article gives for Russia's engagement, each recognizable by its words.
REASONS = {
    "a common enemy in ISIS-K": ("ISIS", "Islamic State", "terror"),
    "diplomatic normalization": ("normaliz", "terrorist organizations", "ambassador", "recogni"),
    "its own security threats": ("concert hall", "security threats"),
    "trade and investment": ("trade", "investment", "business"),
}


def assert_exact_spans(answer: Answer) -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8").strip()
    for citation in answer.citations:
        assert text[citation.start : citation.end] == citation.passage


def test_why_question_is_answered_with_reasons_and_exact_citations(seeds_assistant: Assistant):
    answer = seeds_assistant.answer("Why is Russia engaging the Taliban?")
    assert not answer.refused
    assert len(answer.citations) >= 2
    assert_exact_spans(answer)
    for citation in answer.citations:
        assert f"[{citation.number}]" in answer.text
        assert citation.path == SEED_ARTICLE.name
    cited = " ".join(c.passage for c in answer.citations)
    reasons = [name for name, words in REASONS.items() if any(w in cited for w in words)]
    assert len(reasons) >= 2, f"only {reasons} in {answer.text!r}"


def test_question_the_article_cannot_answer_is_refused(seeds_assistant: Assistant):
    answer = seeds_assistant.answer("What is the population of Kabul?")
    assert answer.refused
    assert answer.citations == []
    assert answer.text == render("refusal")


def test_specific_fact_is_quoted_from_the_article(seeds_assistant: Assistant):
    answer = seeds_assistant.answer("How many people were killed in the concert hall attack?")
    assert not answer.refused
    assert "145" in answer.citations[0].passage
    assert_exact_spans(answer)


def test_stream_yields_text_then_the_answer(seeds_assistant: Assistant):
    items = list(seeds_assistant.stream("Who is Zamir Kabulov?"))
    *pieces, final = items
    assert isinstance(final, Answer) and all(isinstance(p, str) for p in pieces)
    assert "".join(pieces) == final.text
    assert "Kabulov" in final.citations[0].passage


@pytest.mark.parametrize("question", ["", "   ", "\n\t", "\x00\x01"])
def test_empty_question_is_rejected_without_search(seeds_assistant: Assistant, question: str):
    with pytest.raises(InvalidQuestion, match="empty"):
        seeds_assistant.answer(question)


def test_overlong_question_is_rejected_with_the_limit(seeds_assistant: Assistant):
    with pytest.raises(InvalidQuestion, match="limit is 2,000"):
        seeds_assistant.answer("Why " * 600)


def test_empty_docs_folder_says_how_to_add_documents(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    settings = make_settings(docs, tmp_path / "index")
    report = update(settings)
    assert report.documents == 0 and report.ok
    with pytest.raises(NotIndexed, match="assistant index update"):
        Assistant(settings).answer("Why is Russia engaging the Taliban?")


def test_no_index_at_all_says_how_to_build_one(tmp_path):
    settings = make_settings(tmp_path / "docs", tmp_path / "never-built")
    with pytest.raises(NotIndexed, match="No documents indexed yet"):
        Assistant(settings).answer("Why is Russia engaging the Taliban?")


def test_corpus_question_cites_the_right_news_item(news_settings):
    answer = Assistant(news_settings).answer(
        "What did Amazon sellers say about the FTC lawsuit against Amazon?"
    )
    assert not answer.refused
    top = answer.citations[0]
    assert "Amazon" in top.title and top.source and top.published and top.url
    assert top.path == "corpus-sample.json#1"


def test_a_short_plain_question_the_article_answers_is_not_refused(seeds_assistant: Assistant):
    answer = seeds_assistant.answer("Where will the business forum be held?")
    assert not answer.refused, answer.support
    assert "Kazan" in answer.text
    assert_exact_spans(answer)


def test_a_sentence_pointing_back_never_leads_and_brings_what_it_points_to(
    seeds_assistant: Assistant,
):
    answer = seeds_assistant.answer("Why is Russia engaging the Taliban?")
    assert not answer.text.startswith(("This", "That", "It ", "These"))
    for citation in answer.citations:
        if "This move marks" in citation.passage:  # quoted with the removal it refers to
            assert citation.passage.startswith("Last month, Moscow officially removed")
