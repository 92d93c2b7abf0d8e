"""Reading a draft as it streams: each sentence handed out once complete, not before."""

import json

from assistant.generation.drafts import Claim, DraftReader

STRUCTURED = json.dumps(
    {
        "answer": "Yes",
        "sentences": [
            {"text": 'Russia calls ISIS-K a "common enemy".', "cites": [1, 2]},
            {"text": "Moscow removed the Taliban from its terrorist list.", "cites": [3]},
        ],
    },
    indent=2,
)


def fed(reader: DraftReader, draft: str) -> list[tuple[int, Claim]]:
    """(characters read when handed out, claim) for a draft fed one character at a time."""
    found = [(i + 1, claim) for i, ch in enumerate(draft) for claim in reader.feed(ch)]
    return found + [(len(draft), claim) for claim in reader.finish()]


def test_json_sentences_come_out_as_their_objects_close():
    reader = DraftReader()
    found = fed(reader, STRUCTURED)
    assert [claim for _, claim in found] == [
        Claim('Russia calls ISIS-K a "common enemy".', (1, 2)),
        Claim("Moscow removed the Taliban from its terrorist list.", (3,)),
    ]
    first_close = STRUCTURED.index("}") + 1
    assert found[0][0] == first_close
    assert reader.answer == "Yes"


def test_an_unfinished_sentence_object_is_never_handed_out():
    reader = DraftReader()
    cut = STRUCTURED[: STRUCTURED.rindex('"cites"')]
    assert [c.text for _, c in fed(reader, cut)] == ['Russia calls ISIS-K a "common enemy".']


def test_free_text_with_markers_is_read_sentence_by_sentence():
    reader = DraftReader()
    draft = "Russia sees a common enemy [1]. It also wants trade [2][3]! Nothing here"
    found = fed(reader, draft)
    assert [(c.text, c.cited) for _, c in found] == [
        ("Russia sees a common enemy.", (1,)),
        ("It also wants trade!", (2, 3)),
        ("Nothing here", ()),
    ]
    assert found[0][0] < len(draft) and found[-1][0] == len(draft)
    assert reader.answer is None


def test_repeated_numbers_and_lists_are_read_once():
    reader = DraftReader()
    (claim,) = fed(reader, "A claim about Kabul [1, 2][2].")
    assert claim[1].cited == (1, 2)
