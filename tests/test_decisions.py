"""Answers the evidence speaks for: verdicts checked part by part and decided by rule, names
the real local model picks shown with the sentences that hold them."""

import pytest

from assistant import Answer, Assistant
from assistant.answering.citations import Found
from assistant.settings import Settings
from tests.backends import local_settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dated_local(dated_settings: Settings, local_llm) -> Assistant:
    return Assistant(local_settings(dated_settings))


def events(assistant: Assistant, question: str) -> tuple[list[str], Answer]:
    items = list(assistant.events(question))
    answer = items[-1]
    assert isinstance(answer, Answer)
    return [i for i in items if isinstance(i, str)], answer


def assert_exact(assistant: Assistant, answer: Answer) -> None:
    assert answer.citations
    for citation in answer.citations:
        text = assistant.document_text(citation, answer.snapshot)
        assert text[citation.start : citation.end] == citation.passage
        assert f"[{citation.number}]" in answer.text


def test_two_reports_that_both_hold_get_yes_citing_both(dated_local: Assistant):
    question = (
        "Does The Verge report that the Nimbus phone's camera is excellent in low light, while "
        "TechCrunch reports that the Nimbus phone will cost 749 dollars in some markets?"
    )
    pieces, answer = events(dated_local, question)
    assert answer.text.startswith("Yes.") and answer.short == "Yes", answer.text
    assert {c.source for c in answer.citations} == {"The Verge", "TechCrunch"}
    assert [p.found for p in answer.parts] == [True, True]
    assert "".join(pieces) == answer.text
    assert_exact(dated_local, answer)


def test_a_false_part_gets_no_naming_that_part(dated_local: Assistant):
    question = (
        "Does The Verge report that the Nimbus phone's camera is excellent in low light, while "
        "TechCrunch reports that the Nimbus phone was recalled for overheating batteries?"
    )
    _, answer = events(dated_local, question)
    assert answer.text.startswith("No.") and answer.short == "No", answer.text
    verge, techcrunch = answer.parts
    assert verge.found and not techcrunch.found
    assert "recalled for overheating" in answer.text  # the part not found, named
    assert [c.source for c in answer.citations] == ["The Verge"]  # the part found, quoted
    assert not answer.refused
    assert_exact(dated_local, answer)


def test_the_extractive_answerer_gives_the_same_verdict(dated_settings: Settings):
    question = (
        "Does The Verge report that the Nimbus phone's camera is excellent in low light, while "
        "TechCrunch reports that the Nimbus phone was recalled for overheating batteries?"
    )
    assistant = Assistant(dated_settings)  # extractive: verdicts need no model
    _, answer = events(assistant, question)
    assert answer.short == "No" and [p.found for p in answer.parts] == [True, False]


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        (
            "Did Ledger Weekly report the arrest of Orion Exchange founder Dana Kell before "
            "Metro Daily reported that a jury found him guilty?",
            "Yes",
        ),
        (
            "Did Metro Daily report that a jury found Orion Exchange founder Dana Kell guilty "
            "before Ledger Weekly reported his arrest?",
            "No",
        ),
    ],
)
def test_before_and_after_are_decided_by_the_articles_dates(
    dated_local: Assistant, question: str, verdict: str
):
    _, answer = events(dated_local, question)
    assert answer.short == verdict, answer.text
    assert {c.source for c in answer.citations} <= {"Ledger Weekly", "Metro Daily"}
    assert_exact(dated_local, answer)


def test_a_name_is_answered_with_the_sentence_that_holds_it(dated_local: Assistant):
    _, answer = events(dated_local, "Who founded the Orion Exchange?")
    assert answer.short == "Dana Kell", answer.text
    assert answer.text.startswith("Dana Kell. ")
    assert all("Kell" in c.passage for c in answer.citations)
    assert "\u201c" in answer.text  # the evidence quoted, with its outlet and day
    assert_exact(dated_local, answer)


def test_a_who_is_question_is_answered_with_a_role_not_the_name(seeds_settings, local_llm):
    assistant = Assistant(local_settings(seeds_settings))
    _, answer = events(assistant, "Who is Zamir Kabulov?")
    assert answer.short and "Kabulov" not in answer.short, answer.text
    assert "envoy" in answer.short.lower()
    assert_exact(assistant, answer)


def test_the_seed_forum_question_is_answered_by_the_local_model(seeds_settings, local_llm):
    assistant = Assistant(local_settings(seeds_settings))
    items = list(assistant.events("Where will the business forum be held?"))
    answer = items[-1]
    assert isinstance(answer, Answer) and not answer.refused
    assert "Kazan" in answer.text
    assert any(isinstance(i, Found) for i in items)
    assert_exact(assistant, answer)


def test_a_report_the_index_lacks_is_named_not_guessed(dated_local: Assistant):
    question = (
        "Did Bloomberg report that the Nimbus phone sold out, while TechCrunch reported that "
        "crowds lined up for its launch?"
    )
    _, answer = events(dated_local, question)
    assert answer.refused and "Bloomberg" in answer.text
    assert [p.found for p in answer.parts] == [False, False]
    assert "Bloomberg" in answer.parts[0].note
