"""Retrieval finds the articles a question names: outlets, clauses, and hybrid fusion."""

import pytest

from assistant.retrieval.corpus import Corpus
from assistant.retrieval.outlets import aliases, mentions
from assistant.retrieval.ranking import _interleave
from assistant.retrieval.retriever import HybridRetriever
from assistant.settings import Settings
from index.embedder import build_embedder

SOURCES = {"TechCrunch", "The Verge", "Cnbc | World Business News Leader", "Sporting News"}


def test_outlets_are_found_with_the_clause_about_each():
    question = (
        "Does the TechCrunch article on OpenAI's app store differ from "
        "the report by The Verge on GPT-4 with vision?"
    )
    found = mentions(question, aliases(SOURCES))
    assert [sorted(m.sources) for m in found] == [["TechCrunch"], ["The Verge"]]
    # Each clause runs from the previous mention to the next, so it holds its own outlet's name.
    assert found[0].clause == (
        "Does the TechCrunch article on OpenAI's app store differ from the report by"
    )
    assert found[1].clause == (
        "article on OpenAI's app store differ from the report by The Verge on GPT-4 with vision?"
    )


def test_clauses_split_the_question_between_mentions():
    question = "What did TechCrunch say about Flexport, and what did The Verge say about FTX?"
    first, second = mentions(question, aliases(SOURCES))
    assert first.clause == "What did TechCrunch say about Flexport, and what did"
    assert second.clause == "say about Flexport, and what did The Verge say about FTX?"


def test_short_forms_and_case_are_recognized():
    names = aliases(SOURCES)
    assert [sorted(m.sources) for m in mentions("what did cnbc report?", names)] == [
        ["Cnbc | World Business News Leader"]
    ]
    assert [sorted(m.sources) for m in mentions("according to Verge", names)] == [["The Verge"]]
    assert mentions("A sporting newsletter", names) == []  # whole words only


def test_interleave_takes_each_outlet_in_turn_then_fills_from_the_overall_list():
    a1, a2, b1, b2, x, y, z = range(7)
    assert _interleave([[a1, a2], [b1, b2], [x, a1, y, z]], 5) == [a1, b1, a2, b2, x]
    assert _interleave([[x, y]], 1) == [x]


@pytest.fixture(scope="module")
def retriever(news_settings: Settings) -> HybridRetriever:
    corpus = Corpus(news_settings)
    return HybridRetriever(corpus, build_embedder(news_settings), news_settings.retrieval)


@pytest.mark.slow
def test_named_outlet_brings_its_article_to_the_top(retriever: HybridRetriever):
    passages = retriever.passages("What odds did Sporting News give for North Texas against SMU?")
    assert passages[0].source == "Sporting News"
    assert "SMU" in passages[0].title


@pytest.mark.slow
def test_two_named_outlets_are_both_represented_near_the_top(retriever: HybridRetriever):
    passages = retriever.passages(
        "Did The New York Times ranking of playoff home fields and the Essentially Sports "
        "story about the Astros sign-stealing scandal both mention Houston?",
        top_k=4,
    )
    assert {p.source for p in passages[:2]} == {"The New York Times", "Essentially Sports"}


@pytest.mark.slow
def test_passages_are_exact_chunks_of_their_documents(retriever: HybridRetriever):
    for passage in retriever.passages("Amazon sellers FTC antitrust lawsuit", top_k=8):
        text = retriever.corpus.document_text(passage.doc_id)
        assert text[passage.start : passage.end] == passage.text
