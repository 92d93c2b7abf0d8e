"""Which answer shape a question asks for."""

import pytest

from assistant.generation.asking import kind


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is Russia helping the Taliban?", "verdict"),
        ("Did TechCrunch report the layoffs before The Verge did?", "verdict"),
        ("After The Verge reported on October 10, did Wired describe the earbuds?", "verdict"),
        ("Do the articles agree on the trend, or do they present differing views?", "choice"),
        ("Who is Zamir Kabulov?", "fact"),
        ("Which company did TechCrunch and The Verge both cover?", "fact"),
        ("How many people died in the collapse?", "fact"),
        ("When did Moscow remove the Taliban from its list?", "fact"),
        ("Why is Russia engaging the Taliban?", "explanation"),
        ("How did the FTX trial unfold?", "explanation"),
        ("Tell me about the Russia-Afghanistan business forum", "explanation"),
        ("What did TechCrunch report about Flexport in October 2023?", "explanation"),
        ("What has The Verge said about the phone?", "explanation"),
        ("What did Putin call the Taliban?", "fact"),
        ("What company did TechCrunch report on?", "fact"),
    ],
)
def test_question_kinds(question: str, expected: str):
    assert kind(question) == expected
