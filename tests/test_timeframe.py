"""Time in questions: explicit, ranged and relative dates become day ranges."""

from datetime import date

import pytest

from assistant.retrieval.timeframe import combined, find

REFERENCE = date(2023, 12, 20)  # a Wednesday


def frames(question: str) -> list[tuple[date | None, date | None]]:
    return [(f.start, f.end) for f in find(question, REFERENCE)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did TechCrunch report in October 2023?", [(date(2023, 10, 1), date(2023, 10, 31))]),
        ("What happened on 2023-10-07?", [(date(2023, 10, 7), date(2023, 10, 7))]),
        ("the article published on October 7, 2023", [(date(2023, 10, 7), date(2023, 10, 7))]),
        ("the report of 7th October 2023", [(date(2023, 10, 7), date(2023, 10, 7))]),
        ("published at '2023-10-04T20:07:42+00:00'", [(date(2023, 10, 4), date(2023, 10, 4))]),
        (
            "between September and November 2023",
            [(date(2023, 9, 1), date(2023, 11, 30))],
        ),
        ("from October 2 to October 9, 2023", [(date(2023, 10, 2), date(2023, 10, 9))]),
        ("before the November 2 report", [(None, date(2023, 11, 1))]),
        ("after October 31, 2023", [(date(2023, 11, 1), None)]),
        ("on or before November 3, 2023", [(None, date(2023, 11, 3))]),
        ("since 7 October", [(date(2023, 10, 7), None)]),
        ("What happened yesterday?", [(date(2023, 12, 19), date(2023, 12, 19))]),
        ("this week", [(date(2023, 12, 18), date(2023, 12, 20))]),
        ("last week", [(date(2023, 12, 11), date(2023, 12, 17))]),
        ("What happened last month?", [(date(2023, 11, 1), date(2023, 11, 30))]),
        ("in the past 3 days", [(date(2023, 12, 18), date(2023, 12, 20))]),
        ("during 2023", [(date(2023, 1, 1), date(2023, 12, 31))]),
    ],
)
def test_time_expressions_become_day_ranges(question: str, expected: list[object]) -> None:
    assert frames(question) == expected


def test_a_day_without_a_year_is_the_latest_one_not_after_the_reference() -> None:
    assert frames("the report on December 25") == [(date(2022, 12, 25), date(2022, 12, 25))]
    assert frames("the report on November 2") == [(date(2023, 11, 2), date(2023, 11, 2))]


@pytest.mark.parametrize(
    "question",
    ["Did Tyreek Hill reach 2000 receiving yards?", "It may be that the deal fell through."],
)
def test_numbers_and_words_that_look_like_dates_are_not_dates(question: str) -> None:
    assert frames(question) == []


def test_two_reports_on_two_days_give_two_frames_and_one_overall_span() -> None:
    question = (
        "Between the Sporting News report published on November 6, 2023, and the report "
        "on November 11, 2023, was the reporting consistent?"
    )
    found = find(question, REFERENCE)
    assert [(f.start, f.end) for f in found] == [
        (date(2023, 11, 6), date(2023, 11, 6)),
        (date(2023, 11, 11), date(2023, 11, 11)),
    ]
    overall = combined(found)
    assert overall is not None and (overall.start, overall.end) == (
        date(2023, 11, 6),
        date(2023, 11, 11),
    )


@pytest.mark.parametrize(
    "question",
    [
        "May I ask what Theresa May said about the Taliban?",
        "What did Theresa May say in 2019?",
        "Investors may sell; what did analysts say?",
        "Did August Ames appear in the report?",
    ],
)
def test_a_month_name_that_is_a_name_or_a_verb_is_no_date(question: str):
    frames = find(question, REFERENCE)
    assert all("May" not in f.phrase and "August" not in f.phrase for f in frames)


@pytest.mark.parametrize(
    ("question", "month"),
    [
        ("What happened in May?", 5),
        ("What did TechCrunch report last May?", 5),
        ("What changed between March and May?", 3),
        ("What did The Verge write in May 2023?", 5),
        ("What was announced on May 5?", 5),
    ],
)
def test_a_month_where_a_date_belongs_is_a_date(question: str, month: int):
    (frame,) = find(question, REFERENCE)
    assert frame.start is not None and frame.start.month == month
