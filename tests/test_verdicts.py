"""Verdicts decided by rule and by the calibrated weights, from a question's parts and what
each part's evidence shows (no index, no model)."""

import pytest

from assistant.answering.verdicts import Signals, decide, order_sign, ruled
from assistant.retrieval.parts import split
from tests.test_parts import NAMES

WHILE = (
    "Does the Polygon article suggest that the sequel was delayed to spring, while the "
    "Essentially Sports article indicates that the boxer retired after the fight?"
)


def signals(question: str, support: float = 0.8, coverage: float = 0.8, order: int = 0):
    parts = split(question, NAMES)
    n = len(parts.parts)
    return Signals(parts, [support] * n, [coverage] * n, order)


def test_parts_that_all_hold_get_yes():
    assert decide(signals(WHILE)) is True


def test_a_part_its_evidence_does_not_address_gets_no_by_rule():
    parts = split(WHILE, NAMES)
    weak = Signals(parts, [0.8, 0.39], [0.7, 0.22], 0)  # a claim its report never mentions
    assert ruled(weak) is False and decide(weak) is False
    assert weak.found == [True, False]


@pytest.mark.parametrize(("days", "verdict"), [(["2023-10-01", "2023-10-05"], True),
                                               (["2023-10-05", "2023-10-01"], False)])  # fmt: skip
def test_before_is_decided_by_the_articles_dates(days: list[str], verdict: bool):
    question = (
        "Did Ledger Weekly report the arrest of the exchange's founder before Metro Daily "
        "reported the guilty verdict?"
    )
    parts = split(question, NAMES)
    order = order_sign(parts, list(days))
    assert ruled(signals(question, order=order)) is verdict


def test_a_difference_claimed_is_read_apart_from_one_asked_about():
    claimed = (
        "Does the Polygon article suggest a different release plan for the sequel than the "
        "Essentially Sports article on the game?"
    )
    asked = (
        "Was the reporting on the sequel's release plan inconsistent between the Polygon "
        "article and the Essentially Sports article?"
    )
    assert split(claimed, NAMES).relation == split(asked, NAMES).relation == "differ"
    assert decide(signals(claimed)) is True
    assert decide(signals(asked)) is False


def test_a_question_asking_for_no_change_turns_the_verdict_round():
    changed = (
        "Did the Polygon report on the sequel's release date change between October and December?"
    )
    unchanged = (
        "Was there no change in the Polygon report on the sequel's release date between "
        "October and December?"
    )
    assert decide(signals(changed)) != decide(signals(unchanged))
