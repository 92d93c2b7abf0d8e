"""Sentence ends in news copy: the pieces join back into the text, and ends fall where a reader
would put them."""

import json

from hypothesis import given
from hypothesis import strategies as st

from index.sentences import sentence_ends, split_keeping_space
from tests.conftest import FIXTURES


def test_sentences_end_at_stops_and_line_breaks_but_not_after_titles_or_months():
    text = (
        "Mr. Kabulov met the Taliban on Oct. 5 in Kabul. \u201cWe will help,\u201d he said! "
        "Did they agree? Talks go on.\nBy Jane Doe\n\nMoscow (Reuters) Officials said 3 things."
    )
    pieces = [piece.strip() for piece in split_keeping_space(text)]
    assert pieces == [
        "Mr. Kabulov met the Taliban on Oct. 5 in Kabul.",
        "\u201cWe will help,\u201d he said!",
        "Did they agree?",
        "Talks go on.",
        "By Jane Doe",
        "Moscow (Reuters) Officials said 3 things.",
    ]


def test_a_stop_before_a_lower_case_word_does_not_end_a_sentence():
    assert split_keeping_space("Shares of Apple Inc. rose 3 p.m. on Tuesday.") == [
        "Shares of Apple Inc. rose 3 p.m. on Tuesday."
    ]


def test_every_fixture_article_is_cut_into_pieces_that_join_back_exactly():
    articles = json.loads((FIXTURES / "news" / "corpus.json").read_text(encoding="utf-8"))
    for article in articles:
        body = article["body"]
        pieces = split_keeping_space(body)
        assert "".join(pieces) == body
        assert len(pieces) > 1
        assert all(piece.strip() for piece in pieces[1:])  # no piece of white space alone


@given(st.text(alphabet=st.sampled_from("ab .!?\n\"A1'\u201d"), max_size=80))
def test_any_text_joins_back_and_its_ends_increase(text: str):
    assert "".join(split_keeping_space(text)) == text
    ends = sentence_ends(text)
    assert ends == sorted(set(ends)) and all(0 < end <= len(text) for end in ends)
    assert not text or ends[-1] == len(text)
