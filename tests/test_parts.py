"""A question's parts and their relation, read from its grammar (no index, no model)."""

import pytest

from assistant.retrieval.outlets import aliases
from assistant.retrieval.parts import split

NAMES = aliases(
    {
        "TechCrunch",
        "The Verge",
        "Polygon",
        "Essentially Sports",
        "Ledger Weekly",
        "Metro Daily",
        "Business Today | Latest Stock Market And Economy News India",
        "The Independent - Life and Style",
    }
)


def outlets(question: str) -> list[list[str]]:
    return [sorted(m.name for m in p.outlets) for p in split(question, NAMES).parts]


def test_a_question_without_joints_is_one_part():
    parts = split("Why is Russia engaging the Taliban?", NAMES)
    assert len(parts.parts) == 1 and parts.relation == "single" and not parts.split
    assert parts.parts[0].text == "Why is Russia engaging the Taliban"


def test_two_reports_joined_by_while_are_two_parts_that_must_both_hold():
    question = (
        "Does the Polygon article suggest that the sequel was delayed to spring, while the "
        "Essentially Sports article indicates that the boxer retired after the fight?"
    )
    parts = split(question, NAMES)
    assert parts.relation == "all"
    assert outlets(question) == [["Polygon"], ["Essentially Sports"]]
    assert "sequel was delayed" in parts.parts[0].claim
    assert "Polygon" not in parts.parts[0].claim
    assert "boxer retired" in parts.parts[1].claim


def test_before_between_two_reports_asks_their_order():
    question = (
        "Did Ledger Weekly report the arrest of the exchange's founder before Metro Daily "
        "reported the guilty verdict?"
    )
    parts = split(question, NAMES)
    assert parts.relation == "order"
    assert outlets(question) == [["Ledger Weekly"], ["Metro Daily"]]


def test_an_opening_after_clause_is_not_an_order_question():
    question = (
        "After TechCrunch reported on October 10, 2023, that the phone costs 749 dollars, did "
        "The Verge report a different price?"
    )
    parts = split(question, NAMES)
    assert parts.relation == "differ"
    assert outlets(question) == [["TechCrunch"], ["The Verge"]]


@pytest.mark.parametrize(
    ("asked", "relation", "negated"),
    [
        ("was the portrayal of the trial consistent", "same", False),
        ("was there a change in the portrayal of the trial", "changed", False),
        ("was the portrayal of the trial inconsistent", "differ", False),
        ("was there no change in the portrayal of the trial", "changed", True),
    ],
)
def test_between_questions_read_their_relation_and_polarity(asked, relation, negated):
    question = (
        "Between the Ledger Weekly report on the founder's arrest published on September 12, "
        f"2023, and the Metro Daily report on the verdict published on November 2, 2023, {asked}?"
    )
    parts = split(question, NAMES)
    assert (parts.relation, parts.negated) == (relation, negated)
    assert outlets(question) == [["Ledger Weekly"], ["Metro Daily"]]
    assert parts.topic.startswith(asked.split()[0])
    assert "2023" in parts.parts[0].text  # a date's comma does not cut the part


def test_an_outlet_name_with_and_in_it_is_not_cut():
    question = (
        "Between the report by Business Today | Latest Stock Market And Economy News India on "
        "the budget and the report by TechCrunch on the launch, was there a change in tone?"
    )
    assert outlets(question) == [
        ["Business Today | Latest Stock Market And Economy News India"],
        ["TechCrunch"],
    ]


def test_a_choice_of_agreement_gives_the_word_for_each_answer():
    question = (
        "Do the TechCrunch and The Verge articles agree on the price of the phone, or do they "
        "present differing views?"
    )
    parts = split(question, NAMES)
    assert parts.relation == "same"
    assert parts.options == ("agree", "differing")
    # One part per outlet, each searched in its own outlet alone.
    assert [p.only for p in parts.parts] == ["TechCrunch", "The Verge"]
    assert "The Verge" not in parts.parts[0].query and "TechCrunch" in parts.parts[0].query


@pytest.mark.parametrize(
    ("question", "options"),
    [
        (
            "Between the TechCrunch article of October 2 and The Verge article of November 6, "
            "has the price of the phone remained consistent or inconsistent?",
            ("consistent", "inconsistent"),
        ),
        (
            "Does TechCrunch say the phone costs 749 dollars while The Verge says it costs 799, "
            "or do these claims align?",
            ("align", "do not align"),
        ),
    ],
)
def test_the_offered_word_is_the_one_next_to_the_or(question: str, options: tuple[str, str]):
    assert split(question, NAMES).options == options


def test_both_outlets_of_one_clause_are_checked_each():
    parts = split("Did both TechCrunch and The Verge write about the phone?", NAMES)
    assert [p.only for p in parts.parts] == ["TechCrunch", "The Verge"]


def test_outlets_the_index_lacks_are_named():
    question = (
        "Considering a Bloomberg article on the merger and a Wall Street Journal report on "
        "its financing, which bank advised both companies?"
    )
    parts = split(question, NAMES)
    assert parts.missing == ("Bloomberg", "Wall Street Journal")
    assert all(p.unavailable for p in parts.parts)


def test_a_well_known_outlet_the_index_holds_is_not_missing():
    assert split("What did The Verge say about the phone?", NAMES).missing == ()
    # "The Independent" is held, as its section "The Independent - Life and Style".
    assert split("What did The Independent report about sleep?", NAMES).missing == ()


def test_a_closing_attribution_names_the_outlets_of_every_clause():
    question = (
        "Which company is accused of harming publishers' revenue, and has also released a "
        "lite version of its model, as reported by TechCrunch and The Verge?"
    )
    parts = split(question, NAMES)
    assert len(parts.parts) == 2
    assert all(
        sorted(m.name for m in p.outlets) == ["TechCrunch", "The Verge"] for p in parts.parts
    )
