"""Hostile input: odd questions and junk documents get a clear message, never a crash.

Every input tried is counted; the totals are written to test-output/hostile-inputs.json.
"""

import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.answering.citations import Answer
from assistant.errors import InvalidQuestion
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.web import library
from assistant.web.ui import build_app, launch
from index.loaders import SUPPORTED_SUFFIXES, load_folder
from index.pipeline import update
from tests.conftest import ROOT, SEED_ARTICLE, make_settings
from tests.servers import free_port

TRIED: Counter[str] = Counter()
OUTPUT = ROOT / "test-output" / "hostile-inputs.json"
SUFFIXES = sorted(SUPPORTED_SUFFIXES)
SLOW = settings(
    deadline=None, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

CONTROLS = st.characters(codec=None, categories=["Cc", "Cf", "Zl", "Zp", "Cs"])
HTTP_CONTROLS = st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp"])
SCRIPTS = st.sampled_from(
    [
        "Russia Taliban",
        "Россия талибан",
        "روسيا طالبان",
        "俄罗斯 塔利班",
        "रूस तालिबान",
        "ロシア",
        "🇷🇺🤝🏳️",
        "\u202eevil\u202c",
        "e\u0301\u0301\u0301",
        "\ufeff\u200b\u200d",
        "ﷺ",
        "𝕽𝖚𝖘𝖘𝖎𝖆",  # noqa: RUF001 - look-alike letters are the point
    ]
)


def questions(
    characters: st.SearchStrategy[str], controls: st.SearchStrategy[str]
) -> st.SearchStrategy[str]:
    """Control characters, mixed scripts, anything at all, and 100,000-character questions."""
    return st.one_of(
        st.text(controls, max_size=50),
        st.lists(st.one_of(SCRIPTS, st.text(controls, max_size=3)), max_size=12).map("".join),
        st.text(characters, max_size=300),
        st.text(characters, min_size=1, max_size=12).map(lambda u: (u * 100_000)[:100_000]),
    )


# Lone surrogates reach Python through JSON escapes; an HTTP client cannot encode them raw.
QUESTIONS = questions(st.characters(codec=None), CONTROLS)
HTTP_QUESTIONS = questions(st.characters(codec="utf-8"), HTTP_CONTROLS)


@pytest.fixture(scope="module", autouse=True)
def count_report() -> Iterator[None]:
    yield
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    total = {"total": sum(TRIED.values()), **dict(sorted(TRIED.items()))}
    OUTPUT.write_text(json.dumps(total, indent=1), encoding="utf-8")


def assert_answer_or_clear_refusal(assistant: Assistant, question: str) -> None:
    try:
        answer = assistant.answer(question)
    except InvalidQuestion as error:
        assert "question" in str(error)
        return
    assert isinstance(answer, Answer) and answer.text
    for citation in answer.citations:
        assert assistant.document_text(citation)[citation.start : citation.end] == citation.passage


@pytest.mark.slow
@settings(SLOW, max_examples=25)
@given(question=QUESTIONS)
def test_any_question_gets_an_answer_or_a_clear_message(
    seeds_assistant: Assistant, question: str
) -> None:
    TRIED["questions (Assistant)"] += 1
    assert_answer_or_clear_refusal(seeds_assistant, question)


def test_a_100000_character_question_is_refused_with_the_limit(tmp_path: Path) -> None:
    TRIED["questions (Assistant)"] += 1
    assistant = Assistant(make_settings(tmp_path, tmp_path / "index"))
    with pytest.raises(InvalidQuestion, match="100,000 characters long; the limit is 2,000"):
        assistant.answer("Kabul" * 20_000)


@pytest.fixture(scope="module")
def client(seeds_settings: Settings) -> Iterator[Client]:
    app = build_app(Assistant(seeds_settings))
    running = launch(app, "127.0.0.1", free_port())
    url = running.url
    try:
        yield Client(url, verbose=False)
    finally:
        running.close()


@pytest.mark.slow
@settings(deadline=None, max_examples=25)
@given(question=HTTP_QUESTIONS)
def test_the_http_api_answers_or_explains_any_question(client: Client, question: str) -> None:
    TRIED["questions (HTTP /ask)"] += 1
    try:
        text, sources = client.predict(question, api_name="/ask")
    except AppError as error:  # an unexplained crash arrives without a message
        assert "The question is" in str(error), str(error)
        return
    assert text and isinstance(sources, list)


@pytest.mark.slow
def test_a_100000_character_question_over_http(client: Client) -> None:
    TRIED["questions (HTTP /ask)"] += 1
    with pytest.raises(AppError, match="100,000 characters long"):
        client.predict("é" * 100_000, api_name="/ask")


def load_one(folder: Path, name: str, content: bytes) -> tuple[list[str], list[str]]:
    """Load a folder holding only this file: the texts of its documents, and the problems."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / name).write_bytes(content)
    loaded = load_folder(folder)
    assert len(loaded.errors) <= 1 and all(p.name == name for p in loaded.errors)
    return [d.text for d in loaded.documents], [p.reason for p in loaded.errors]


@SLOW
@given(junk=st.binary(min_size=1, max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_binary_junk_is_reported_by_name_or_read_as_text(
    tmp_path: Path, junk: bytes, suffix: str
) -> None:
    TRIED["documents: binary junk"] += 1
    texts, problems = load_one(tmp_path / "docs", f"junk{suffix}", junk)
    assert bool(texts) != bool(problems)  # either documents, or one problem saying why
    assert all(problems) and all(text.strip() for text in texts)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_an_empty_file_is_reported(tmp_path: Path, suffix: str) -> None:
    TRIED["documents: zero bytes"] += 1
    texts, problems = load_one(tmp_path / "docs", f"empty{suffix}", b"")
    assert texts == [] and len(problems) == 1 and problems[0]


@pytest.mark.parametrize(
    "line",
    [b"river rose overnight " * 500_000, b"A" * 10 * 2**20, b"QUJD" * (10 * 2**18)],
    ids=["words", "one-letter", "base64"],
)
@pytest.mark.parametrize("suffix", [".txt", ".md", ".html"])
def test_one_ten_megabyte_line_is_reported(tmp_path: Path, line: bytes, suffix: str) -> None:
    TRIED["documents: one 10 MB line"] += 1
    line = line[: 10 * 2**20]
    texts, problems = load_one(tmp_path / "docs", f"dump{suffix}", line)
    assert texts == [] and "characters long, which is not article text" in problems[0]


PDF_IMPOSTORS = {
    "text": b"Breaking news: this is plain text with a .pdf name.",
    "header-only": b"%PDF-1.7\n",
    "header-and-junk": b"%PDF-1.4\n" + bytes(range(256)) * 8,
    "truncated": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj <<",
    "html": b"<html><body><p>Not a PDF</p></body></html>",
    "zip": b"PK\x03\x04" + b"\x00" * 200,
}


@pytest.mark.parametrize("content", PDF_IMPOSTORS.values(), ids=PDF_IMPOSTORS.keys())
def test_a_pdf_that_is_not_a_pdf_is_reported(tmp_path: Path, content: bytes) -> None:
    TRIED["documents: PDF impostors"] += 1
    texts, problems = load_one(tmp_path / "docs", "report.pdf", content)
    assert texts == [] and ("PDF" in problems[0] or "no text" in problems[0])


HIDDEN = "zqxhiddenzq"  # a word no article holds; it marks what a page must never index
TAGS = st.sampled_from(["script", "style", "SCRIPT", "Style", "noscript", "template"])
ATTRS = st.sampled_from(["", ' type="text/javascript"', " media='all'", " async", " x=>"])
# Control characters would make the page a binary file, which is refused as a whole.
FILLER = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc"], exclude_characters="<>&"),
    max_size=40,
).map(lambda s: s.replace(HIDDEN, ""))


@st.composite
def hostile_pages(draw: st.DrawFn) -> str:
    """An article page with scripts and styles (all holding HIDDEN) between its paragraphs."""
    parts = ["<html><head><title>Council budget</title>"]
    for _ in range(draw(st.integers(1, 4))):
        tag, attrs = draw(TAGS), draw(ATTRS)
        parts.append(f"<{tag}{attrs}>{draw(FILLER)} {HIDDEN} <p>{HIDDEN}</p></{tag}>")
    parts.append("</head><body><article>")
    for i in range(draw(st.integers(1, 4))):
        parts.append(f"<p>The council approved budget line {i}. {draw(FILLER)}</p>")
        tag = draw(TAGS)
        parts.append(f"<{tag}>var {HIDDEN} = '</p>{HIDDEN}';</{tag}>")
        parts.append(f"<!-- {HIDDEN} {draw(FILLER)} -->")
    if draw(st.booleans()):
        parts.append(f"<script>{HIDDEN} never closed")  # the rest of the page is script
    return "".join(parts)


@SLOW
@given(page=hostile_pages())
def test_scripts_and_styles_are_never_indexed(tmp_path: Path, page: str) -> None:
    TRIED["documents: HTML with scripts and styles"] += 1
    texts, problems = load_one(tmp_path / "docs", "page.html", page.encode())
    assert problems == [] and len(texts) == 1
    assert HIDDEN not in texts[0].lower() and "The council approved budget line 0." in texts[0]


@pytest.mark.slow
def test_hostile_uploads_get_a_message_and_leave_the_index_alone(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED_ARTICLE, docs / SEED_ARTICLE.name)
    settings_ = make_settings(docs, tmp_path / "index")
    assert update(settings_).documents == 1
    page = "<p>Council budget approved.</p><script>var zqxhiddenzq = 1;</script>"
    uploads = {
        "empty.txt": b"",
        "junk.md": bytes(range(256)) * 40,
        "report.pdf": PDF_IMPOSTORS["header-and-junk"],
        "dump.txt": b"A" * 10 * 2**20,
        "page.html": page.encode(),
    }
    folder = tmp_path / "uploads"
    folder.mkdir()
    for name, content in uploads.items():
        (folder / name).write_bytes(content)
    TRIED["documents: uploaded through the Documents tab"] += len(uploads)
    message = library.upload(settings_, [(folder / name, name) for name in uploads])
    for name in ["empty.txt", "junk.md", "report.pdf", "dump.txt"]:
        assert f"**Not added:** {name}: " in message.replace("\\", "")
    assert "**Added:** `page.html`" in message and "index holds 2 documents" in message
    assert sorted(p.name for p in docs.iterdir()) == sorted([SEED_ARTICLE.name, "page.html"])
    held = [p for p in (tmp_path / "index").rglob("*") if p.is_file()]
    assert not any(b"zqxhiddenzq" in p.read_bytes() for p in held)
