"""Disagreements between reports: amounts of one unit, or days, that differ."""

import numpy as np

from assistant.answering.conflicts import find, quantities
from assistant.answering.evidence import Evidence, ScoredSentence
from assistant.answering.sentences import Sentence
from assistant.retrieval.passage import Passage


def test_amounts_are_read_with_their_unit() -> None:
    assert quantities("At least 12 people were killed, and 3 bridges closed in 2023 floods.") == {
        "people": (12.0, "12 people"),
        "bridge": (3.0, "3 bridges"),
    }
    assert quantities("The deal was worth 1.5 billion dollars.")["dollar"][0] == 1.5e9
    assert quantities("Shares rose 5 percent in 2023.") == {}


def scored(doc_id: str, published: str, text: str) -> ScoredSentence:
    passage = Passage(
        chunk_id=doc_id + "-0",
        doc_id=doc_id,
        start=0,
        end=len(text),
        text=text,
        title=doc_id,
        source=doc_id.title(),
        published=published,
        url=None,
        names=(),
        score=1.0,
        lexical=1.0,
        dense=1.0,
    )
    return ScoredSentence(Sentence(passage, 0, len(text), text), 0.9, 0.9, 0.9)


def evidence(*sentences: ScoredSentence, cosine: float = 0.9) -> Evidence:
    vectors = np.asarray([[1.0, 0.0], [cosine, (1 - cosine**2) ** 0.5]], dtype=np.float32)
    return Evidence(list(sentences), vectors[: len(sentences)], 0.9, 0.9)


def test_different_days_for_the_same_event_are_a_disagreement() -> None:
    a = scored("wire", "2023-10-01", "The trial will open on October 3, 2023 in New York.")
    b = scored("daily", "2023-10-02", "The trial opens on October 4, 2023 in New York.")

    [conflict] = find([a], evidence(a, b))

    assert conflict.unit == "date" and conflict.second is b


def test_sentences_about_different_things_or_weeks_apart_do_not_disagree() -> None:
    a = scored("wire", "2023-10-01", "At least 12 people were killed in the collapse.")
    b = scored("daily", "2023-10-02", "The collapse killed 17 people.")
    later = scored("daily", "2023-10-09", "The collapse killed 17 people.")
    other_match = scored("daily", "2023-10-02", "Smith made 12 runs in 30 balls.")
    match = scored("wire", "2023-10-01", "Smith made 50 runs in 45 balls.")

    assert find([a], evidence(a, b, cosine=0.2)) == []
    assert find([a], evidence(a, later)) == []
    assert [c.unit for c in find([a], evidence(a, b))] == ["people"]
    assert find([match], evidence(match, other_match)) == []  # two matches, not one
