"""Dates and outlets named in a question limit what is retrieved and cited."""

from datetime import date

import pytest

from assistant.retrieval.corpus import Corpus
from assistant.retrieval.retriever import HybridRetriever
from assistant.service import Assistant
from assistant.settings import RetrievalSettings, Settings
from index.dates import day
from index.embedder import build_embedder

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus(dated_settings: Settings) -> Corpus:
    return Corpus(dated_settings)


def retriever(corpus: Corpus, settings: Settings, **overrides: object) -> HybridRetriever:
    retrieval = settings.retrieval.model_copy(update=overrides)
    return HybridRetriever(corpus, build_embedder(settings), retrieval)


def days(passages: list) -> set[date | None]:
    return {day(p.published) for p in passages}


def test_a_dated_question_retrieves_only_articles_inside_the_range(
    corpus: Corpus, dated_settings: Settings
) -> None:
    found = retriever(corpus, dated_settings).passages(
        "What did the Riverton council decide about the budget in October 2023?"
    )
    assert found and all(d is not None and (d.year, d.month) == (2023, 10) for d in days(found))
    assert "Riverton council approves the budget" in {p.title for p in found}


def test_without_the_date_filter_other_months_come_back(
    corpus: Corpus, dated_settings: Settings
) -> None:
    found = retriever(corpus, dated_settings, dates="ignore").passages(
        "What did the Riverton council decide about the budget in October 2023?"
    )
    assert any(d is not None and d.month != 10 for d in days(found))


def test_relative_dates_count_back_from_the_newest_article(
    corpus: Corpus, dated_settings: Settings
) -> None:
    assert corpus.newest == date(2023, 12, 6)
    found = retriever(corpus, dated_settings).passages(
        "What went wrong with the Riverton budget last month?"
    )
    assert found and {(d.year, d.month) for d in days(found) if d} == {(2023, 11)}


def test_the_reference_date_is_a_setting(corpus: Corpus, dated_settings: Settings) -> None:
    found = retriever(corpus, dated_settings, reference_date=date(2023, 10, 20)).passages(
        "What did the Riverton council do about the budget last month?"
    )
    assert found and {(d.year, d.month) for d in days(found) if d} == {(2023, 9)}
    assert RetrievalSettings(reference_date="2023-10-20").reference_date == date(2023, 10, 20)


def test_a_range_with_no_articles_falls_back_to_all_dates(
    corpus: Corpus, dated_settings: Settings
) -> None:
    found = retriever(corpus, dated_settings).passages(
        "What did the Riverton council decide about the budget in March 2021?"
    )
    assert "Riverton" in " ".join(p.title for p in found)


def test_an_outlet_named_in_the_question_is_the_only_one_retrieved(
    corpus: Corpus, dated_settings: Settings
) -> None:
    question = "According to The Verge, how much does the Nimbus phone cost?"
    assert {p.source for p in retriever(corpus, dated_settings).passages(question)} == {"The Verge"}
    preferred = retriever(corpus, dated_settings, outlets="prefer").passages(question)
    assert preferred[0].source == "The Verge" and "TechCrunch" in {p.source for p in preferred}


def test_an_outlet_restricted_answer_cites_only_that_outlet(dated_settings: Settings) -> None:
    answer = Assistant(dated_settings).answer("What did TechCrunch report about the Nimbus phone?")
    assert not answer.refused and answer.citations
    assert {c.source for c in answer.citations} == {"TechCrunch"}
