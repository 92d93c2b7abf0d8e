"""Article metadata: dates in every common form become ISO, sidecars describe bare files."""

import json
from pathlib import Path

import pytest

from assistant.answering.citations import Citation
from index.dates import iso_date
from index.loaders import load_folder


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2023-10-07", "2023-10-07"),
        ("2023-10-07T14:05:00Z", "2023-10-07T14:05:00+00:00"),
        ("2023-11-27 08:45:59.000000000Z", "2023-11-27T08:45:59+00:00"),
        ("2023-10-07 14:05 UTC", "2023-10-07T14:05:00+00:00"),
        ("Sat, 07 Oct 2023 10:00:00 GMT", "2023-10-07T10:00:00+00:00"),
        ("October 7, 2023", "2023-10-07"),
        ("Oct. 7th 2023", "2023-10-07"),
        ("7 October 2023", "2023-10-07"),
        ("Sept 30, 2023", "2023-09-30"),
    ],
)
def test_dates_become_iso(raw: str, iso: str) -> None:
    assert iso_date(raw) == iso


@pytest.mark.parametrize("raw", ["last Tuesday", "2023-02-30", "31/12/2023", "", "  "])
def test_dates_that_cannot_be_read_are_dropped_not_guessed(raw: str) -> None:
    assert iso_date(raw) is None


def test_a_sidecar_gives_a_plain_text_article_its_metadata(tmp_path: Path) -> None:
    (tmp_path / "flood.txt").write_text("The river rose two metres overnight.")
    (tmp_path / "flood.meta.json").write_text(
        json.dumps(
            {
                "title": "River floods town",
                "source": "Valley Herald",
                "published": "October 7, 2023",
                "author": "Ana Ruiz",
                "url": "https://valley.example/flood",
            }
        )
    )

    result = load_folder(tmp_path)

    [doc] = result.documents  # the sidecar itself is not indexed as an article
    assert (doc.title, doc.source, doc.published, doc.author, doc.url) == (
        "River floods town",
        "Valley Herald",
        "2023-10-07",
        "Ana Ruiz",
        "https://valley.example/flood",
    )
    assert doc.text == "The river rose two metres overnight."


def test_a_sidecar_overrides_what_the_page_says(tmp_path: Path) -> None:
    page = (
        '<html><head><meta property="og:site_name" content="Old Name">'
        '<meta property="article:published_time" content="2023-01-01"></head>'
        "<body><p>Text of the story.</p></body></html>"
    )
    (tmp_path / "story.html").write_text(page)
    (tmp_path / "story.meta.json").write_text(json.dumps({"site": "New Name"}))

    [doc] = load_folder(tmp_path).documents

    assert (doc.source, doc.published) == ("New Name", "2023-01-01")


def test_a_broken_sidecar_is_reported_against_its_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some text.")
    (tmp_path / "a.meta.json").write_text("{not json")
    (tmp_path / "b.txt").write_text("Other text.")

    result = load_folder(tmp_path)

    assert [d.name for d in result.documents] == ["b.txt"]
    [problem] = result.errors
    assert problem.name == "a.txt" and "a.meta.json" in problem.reason


def test_front_matter_dates_are_normalized_and_unreadable_ones_mean_undated(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.md").write_text("---\ndate: 2 November 2023\n---\n# A\n\nBody.")
    (tmp_path / "b.md").write_text("---\ndate: sometime last week\n---\n# B\n\nBody.")

    a, b = load_folder(tmp_path).documents

    assert a.published == "2023-11-02"
    assert b.published is None


def test_citation_labels_show_outlet_and_day_or_undated() -> None:
    common = dict(number=1, doc_id="d", path=None, url=None, passage="p", start=0, end=1)
    dated = Citation(
        title="T", source="TechCrunch", published="2023-10-07T14:05:00+00:00", score=1, **common
    )
    undated = Citation(title="T", source="TechCrunch", published=None, score=1, **common)

    assert dated.label() == "T (TechCrunch, 2023-10-07)"
    assert undated.label() == "T (TechCrunch, undated)"
