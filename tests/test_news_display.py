"""How dated answers look: timelines as dated lists, near-duplicates in the Documents tab."""

import pytest

from assistant.settings import Settings
from assistant.web import library
from assistant.web.rendering import answer_markdown


def test_a_timeline_shows_as_a_list_with_bold_dates_and_linked_markers() -> None:
    text = (
        "2023-09-12 — Ledger Weekly: Kell was arrested. [1]\n"
        "2023-10-03 — Coastal Times: The trial *opened*. [2]\n"
        "undated — A note. [3]"
    )
    shown = answer_markdown(text, turn=2)
    lines = shown.splitlines()
    assert lines[0] == "- **2023-09-12** — Ledger Weekly: Kell was arrested. [\\[1\\]](#source-2-1)"
    assert lines[1].startswith("- **2023-10-03** — Coastal Times: The trial \\*opened\\*.")
    assert lines[2].startswith("- **undated** — A note.")


def test_ordinary_answers_are_not_turned_into_lists() -> None:
    assert not answer_markdown("2023-10-03 — one line only [1]", turn=1).startswith("- ")
    assert not answer_markdown("Rates rose. [1]\nThen fell. [2]", turn=1).startswith("- ")


@pytest.mark.slow
def test_the_documents_tab_shows_which_articles_are_the_same_story(
    dated_settings: Settings,
) -> None:
    assert library.HEADERS[-1] == "Same story as"
    rows = {row[0]: row for row in library.document_rows(dated_settings)}
    assert rows["Record rain floods the Alder Valley"][-1] == "Metro Daily, 2023-11-05"
    assert rows["Alder Valley flooded by record rainfall"][-1] == "Coastal Times, 2023-11-05"
    assert rows["Harbor Bridge collapse kills 12"][-1] == ""
