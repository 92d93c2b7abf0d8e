"""The Documents tab: uploads and deletions reach the folder, the index and the answers."""

import shutil
from pathlib import Path

import pytest

from assistant.service import Assistant
from assistant.settings import Settings
from assistant.web import library
from index.pipeline import update
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "russia-offers-taliban-help-against-isis-k.txt"
NEWS_ITEMS = ROOT / "tests" / "fixtures" / "multihop" / "corpus-sample.json"
TITLE = "Flood closes Riverside bridge"
QUESTION = "How much did the river rise overnight?"
# The same article the other upload tests use, as a user would save it.
ARTICLE = (Path(__file__).parent / "fixtures" / "riverside-flood.md").read_text(encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A docs folder holding the seed article, and its real index."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    built = make_settings(docs, tmp_path / "index")
    assert update(built).documents == 1
    return built


def upload_file(tmp_path: Path, name: str, content: str | bytes) -> Path:
    """A file as the browser's upload leaves it: in a temporary folder of its own."""
    folder = tmp_path / "uploads"
    folder.mkdir(exist_ok=True)
    path = folder / Path(name).name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def files_in(folder: Path, skip: Path | None = None) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file() and not (skip and p.is_relative_to(skip))}


def cited_titles(settings: Settings) -> set[str]:
    return {c.title for c in Assistant(settings).answer(QUESTION).citations}


def test_nothing_chosen_gets_a_hint(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "docs", tmp_path / "index")
    assert library.upload(settings, []) == "Choose one or more files to upload first."
    assert library.delete(settings, []) == "Choose the files to delete first."
    assert library.document_rows(settings) == [] and library.deletable_names(settings) == []


@pytest.mark.slow
def test_an_uploaded_article_is_listed_and_cited(settings: Settings, tmp_path: Path) -> None:
    article = upload_file(tmp_path, "flood.md", ARTICLE)
    program = upload_file(tmp_path, "tool.exe", b"MZ\x90\x00")
    message = library.upload(settings, [(article, "flood.md"), (program, "tool.exe")])
    assert "**Added:** `flood.md`" in message
    assert "tool.exe: .exe files are not supported" in message
    assert "1 added" in message and "index holds 2 documents" in message
    assert ["Flood closes Riverside bridge", "Example Gazette", "2024-05-02"] in [
        row[:3] for row in library.document_rows(settings)
    ]
    assert library.deletable_names(settings) == ["flood.md", SEED.name]
    answer = Assistant(settings).answer(QUESTION)
    flood = [c for c in answer.citations if c.title == TITLE]
    assert flood and any("4.2 metres" in c.passage for c in flood)


@pytest.mark.slow
def test_a_hostile_name_lands_inside_the_docs_folder(settings: Settings, tmp_path: Path) -> None:
    source = upload_file(tmp_path, "x.txt", "A short note about the harbour reopening.")
    before = files_in(tmp_path, skip=tmp_path / "index")
    message = library.upload(settings, [(source, "../../etc/x.txt")])
    assert "**Added:** `x.txt`" in message
    assert (settings.docs_dir / "x.txt").read_text() == source.read_text()
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "etc" / "x.txt").exists()
    assert files_in(tmp_path, skip=tmp_path / "index") - before == {settings.docs_dir / "x.txt"}
    assert "x.txt" in library.deletable_names(settings)


@pytest.mark.slow
def test_unsupported_and_oversized_files_are_rejected(settings: Settings, tmp_path: Path) -> None:
    strict = settings.model_copy(update={"max_file_mb": 0.05})
    program = upload_file(tmp_path, "tool.exe", b"MZ\x90\x00")
    huge = upload_file(tmp_path, "huge.txt", "The river rose again. " * 10000)
    rows, folder = library.document_rows(strict), files_in(strict.docs_dir)
    message = library.upload(strict, [(program, "tool.exe"), (huge, "huge.txt")])
    assert "tool.exe: .exe files are not supported" in message
    assert "huge.txt: 0.21 MB is over the 0.05 MB limit" in message
    assert "Nothing was added; the index is unchanged." in message
    assert library.document_rows(strict) == rows and files_in(strict.docs_dir) == folder


@pytest.mark.slow
def test_a_deleted_article_is_no_longer_listed_or_cited(settings: Settings, tmp_path: Path) -> None:
    library.upload(settings, [(upload_file(tmp_path, "flood.md", ARTICLE), "flood.md")])
    chatting = Assistant(settings)  # the UI keeps one assistant for the server's lifetime
    assert TITLE in {c.title for c in chatting.answer(QUESTION).citations}
    message = library.delete(settings, ["flood.md"])
    assert "**Deleted:** `flood.md`" in message and "1 removed" in message
    assert not (settings.docs_dir / "flood.md").exists()
    assert [row[4] for row in library.document_rows(settings)] == [SEED.name]
    assert library.deletable_names(settings) == [SEED.name]
    assert TITLE not in cited_titles(settings)
    assert TITLE not in {c.title for c in chatting.answer(QUESTION).citations}


@pytest.mark.slow
def test_deleting_a_news_item_deletes_its_whole_file(settings: Settings, tmp_path: Path) -> None:
    items = upload_file(tmp_path, NEWS_ITEMS.name, NEWS_ITEMS.read_bytes())
    library.upload(settings, [(items, NEWS_ITEMS.name)])
    assert len(library.document_rows(settings)) == 9
    message = library.delete(settings, [f"{NEWS_ITEMS.name}#3"])
    assert "**Deleted:** `corpus-sample.json`" in message
    assert "removed the whole file, with all 8 of its items" in message
    assert "8 removed" in message and not (settings.docs_dir / NEWS_ITEMS.name).exists()
    assert [row[4] for row in library.document_rows(settings)] == [SEED.name]


@pytest.mark.slow
def test_deleting_outside_the_docs_folder_is_refused(settings: Settings, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("Not an article of the docs folder.")
    rows = library.document_rows(settings)
    message = library.delete(settings, ["../outside.txt"])
    assert "**Refused:** '../outside.txt' is not a file of the docs folder." in message
    assert "Nothing was deleted; the index is unchanged." in message
    assert outside.read_text() == "Not an article of the docs folder."
    assert library.document_rows(settings) == rows and (settings.docs_dir / SEED.name).exists()


@pytest.mark.slow
def test_an_unreadable_upload_is_not_kept(settings: Settings, tmp_path: Path) -> None:
    broken = upload_file(tmp_path, "report.pdf", b"not a pdf at all")
    message = library.upload(settings, [(broken, "report.pdf")])
    assert "**Not added:** report.pdf: not a readable PDF" in message
    assert "**Added:**" not in message and "1 failed" in message
    assert not (settings.docs_dir / "report.pdf").exists()
    assert library.deletable_names(settings) == [SEED.name]
