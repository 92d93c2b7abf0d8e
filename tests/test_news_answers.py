"""Answers that know they are news: timelines, syndicated copies, disagreements and dates."""

import re

import pytest

from assistant.retrieval.corpus import Corpus
from assistant.service import Assistant
from assistant.settings import Settings
from index.status import documents

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(dated_settings: Settings) -> Assistant:
    return Assistant(dated_settings)


def test_a_timeline_answer_is_in_date_order_with_each_step_dated_and_cited(
    assistant: Assistant,
) -> None:
    answer = assistant.answer("How did the Orion Exchange trial unfold?")

    assert answer.timeline and not answer.refused
    days = [c.published[:10] for c in answer.citations if c.published]
    assert days == sorted(days) and len(days) >= 3
    assert days[0] == "2023-09-12"  # the arrest, although the file lists it second
    lines = answer.text.splitlines()
    assert len(lines) == len(answer.citations)
    for line, citation in zip(lines, answer.citations, strict=True):
        assert line.startswith(citation.published[:10] + " — ")
        assert line.endswith(f"[{citation.number}]")
    text = assistant.document_text(answer.citations[0])
    first = answer.citations[0]
    assert text[first.start : first.end] == first.passage


def test_two_copies_of_one_wire_story_form_one_group(dated_settings: Settings) -> None:
    groups: dict[str, list[str]] = {}
    for record in documents(dated_settings):
        if record.group:
            groups.setdefault(record.group, []).append(record.title)
    assert sorted(map(sorted, groups.values())) == [
        ["Alder Valley flooded by record rainfall", "Record rain floods the Alder Valley"]
    ]


def test_an_answer_cites_one_copy_and_names_the_other_outlet(assistant: Assistant) -> None:
    answer = assistant.answer("How much rain fell in the Alder Valley flood?")

    titles = {c.title for c in answer.citations}
    copies = {"Alder Valley flooded by record rainfall", "Record rain floods the Alder Valley"}
    assert len(titles & copies) == 1
    cited = next(c for c in answer.citations if c.title in copies)
    other = "Metro Daily" if cited.source == "Coastal Times" else "Coastal Times"
    assert cited.also_reported_by == (f"{other}, 2023-11-05",)
    assert answer.text.count(f"also reported by {other}, 2023-11-05") == 1


def test_reports_with_different_death_tolls_are_both_cited(assistant: Assistant) -> None:
    answer = assistant.answer("How many people died in the Harbor Bridge collapse?")

    assert "12 people" in answer.text and "17 people" in answer.text
    assert "The reports differ" in answer.text
    assert {c.source for c in answer.citations} >= {"Coastal Times", "Metro Daily"}
    differ = answer.text[answer.text.index("The reports differ") :]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", differ)}
    assert {answer.citations[n - 1].source for n in cited} == {"Coastal Times", "Metro Daily"}


@pytest.mark.parametrize("most", [3, 4])
def test_a_disagreement_stays_within_the_sentence_limit(dated_settings: Settings, most: int):
    limited = Settings.model_validate(
        {**dated_settings.model_dump(), "answer": {"max_sentences": most}}
    )
    answer = Assistant(limited).answer("How many people died in the Harbor Bridge collapse?")
    quotes = len(answer.citations)
    assert "The reports differ" in answer.text
    assert quotes + answer.text.count("The reports differ") <= most


def test_answers_to_time_questions_state_the_dates_they_cite(assistant: Assistant) -> None:
    answer = assistant.answer(
        "What did the Riverton council decide about the budget in October 2023?"
    )

    assert not answer.refused and answer.citations
    for citation in answer.citations:
        dated = f"{citation.source}, {citation.published[:10]}: "
        assert re.search(re.escape(dated) + r"[^\[]+\[" + str(citation.number) + r"\]", answer.text)


def test_other_answers_carry_no_dates_in_the_text(assistant: Assistant) -> None:
    answer = assistant.answer("What does the Nimbus phone's camera do well?")
    assert not re.search(r"\d{4}-\d{2}-\d{2}", answer.text)


def test_the_corpus_knows_each_documents_twins(dated_settings: Settings) -> None:
    corpus = Corpus(dated_settings)
    assert sorted(len(v) for v in corpus.same_story.values()) == [2]
