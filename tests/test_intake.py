"""Uploaded files land inside the docs folder under safe names, within the limits."""

from pathlib import Path

import pytest

from index.intake import IntakeError, accept, remove, safe_name


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("report.txt", "report.txt"),
        ("../../etc/x.txt", "x.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("my article (final).PDF", "my article _final_.pdf"),
        ("/abs/path/news.html", "news.html"),
    ],
)
def test_names_are_reduced_to_a_plain_file_name(given: str, expected: str):
    assert safe_name(given) == expected


@pytest.mark.parametrize("given", ["", "..", ".txt", "../", "noextension"])
def test_unusable_names_are_rejected(given: str):
    with pytest.raises(IntakeError):
        safe_name(given)


def test_hostile_upload_lands_inside_the_docs_folder(tmp_path: Path):
    source = tmp_path / "upload.tmp"
    source.write_text("Some news text.")
    docs = tmp_path / "sandbox" / "docs"
    target = accept(source, "../../etc/x.txt", docs, max_mb=1)
    assert target == docs.resolve() / "x.txt"
    assert not (tmp_path / "etc").exists() and not (tmp_path / "sandbox" / "etc").exists()


def test_same_name_is_never_overwritten(tmp_path: Path):
    source = tmp_path / "upload.tmp"
    source.write_text("First.")
    first = accept(source, "a.txt", tmp_path / "docs", max_mb=1)
    source.write_text("Second.")
    second = accept(source, "a.txt", tmp_path / "docs", max_mb=1)
    assert (first.name, second.name) == ("a.txt", "a-2.txt")
    assert first.read_text() == "First." and second.read_text() == "Second."


def test_type_and_size_limits(tmp_path: Path):
    source = tmp_path / "upload.tmp"
    source.write_bytes(b"x" * 3_000_000)
    with pytest.raises(IntakeError, match=r"\.exe files are not supported"):
        accept(source, "tool.exe", tmp_path / "docs", max_mb=20)
    with pytest.raises(IntakeError, match="over the 2 MB limit"):
        accept(source, "big.txt", tmp_path / "docs", max_mb=2)
    assert not (tmp_path / "docs").exists()  # a rejected file leaves nothing behind


def test_remove_refuses_paths_outside_the_folder(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    (docs / "items.json").write_text("[]")
    with pytest.raises(IntakeError):
        remove(["../outside.txt"], docs)
    assert outside.exists()
    assert remove(["items.json#3"], docs) == [(docs / "items.json").resolve()]
