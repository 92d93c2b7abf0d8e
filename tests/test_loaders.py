"""Loading the docs folder: every format yields the text a user would cite, with its metadata."""

import json
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from index.documents import LoadProblem, SourceDocument
from index.loaders import SUPPORTED_SUFFIXES, LoadError, load_file, load_folder

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "multihop" / "corpus-sample.json"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def load_one(path: Path) -> tuple[list[SourceDocument], list[LoadProblem]]:
    warnings: list[LoadProblem] = []
    return load_file(path, path.name, warnings), warnings


def minimal_pdf(content: str, title: str | None = None) -> bytes:
    """A one-page PDF with a Helvetica font, written by hand since pypdf cannot typeset."""
    stream = content.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    if title is not None:
        objects.append(b"<< /Title (%s) >>" % title.encode("latin-1"))
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info = b" /Info 6 0 R" if title is not None else b""
    pdf += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, info)
    pdf += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(pdf)


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".json", ".jsonl"} == set(
        SUPPORTED_SUFFIXES
    )


def test_plain_text_takes_its_title_from_the_file_name(tmp_path: Path) -> None:
    body = "Russia has announced its intention to assist the Taliban.\nKabulov said so.\n"
    path = write(tmp_path, "russia-offers-taliban-help.txt", "\n\n" + body)

    [doc], warnings = load_one(path)

    assert doc.title == "Russia offers Taliban help"  # cased as the article writes it
    assert doc.text == body.strip()
    assert (doc.source, doc.published, doc.url, doc.author) == (None, None, None, None)
    assert warnings == []


def test_plain_text_takes_a_headline_from_its_first_line(tmp_path: Path) -> None:
    body = "Flood closes Riverside bridge\n\nThe river rose 4.2 metres overnight.\n"
    [doc], _ = load_one(write(tmp_path, "flood.txt", body))
    assert doc.title == "Flood closes Riverside bridge"
    sentence = "The river rose 4.2 metres overnight, officials said.\nRoads closed.\n"
    [doc], _ = load_one(write(tmp_path, "riverside-flood-isis-k.txt", sentence))
    assert doc.title == "Riverside flood isis k"  # a sentence is no headline; words not in it


def test_front_matter_sets_metadata_and_is_not_part_of_the_text(tmp_path: Path) -> None:
    body = "Markets fell on Tuesday.\n\nThe ASX lost 1.2 per cent."
    front = (
        "---\n"
        'title: "ASX set to drop: September slump deepens"\n'
        "site: The Sydney Morning Herald\n"
        "date: 2023-09-26 19:11:30.000000000Z\n"
        "url: https://www.smh.com.au/business/asx\n"
        "author: 'Stan Choe'\n"
        "category:\n"
        "---\n"
    )
    path = write(tmp_path, "asx.txt", "\ufeff" + front + body + "\n")

    [doc], _ = load_one(path)

    assert doc.text == body
    assert doc.title == "ASX set to drop: September slump deepens"
    assert doc.source == "The Sydney Morning Herald"
    assert doc.published == "2023-09-26T19:11:30+00:00"
    assert doc.url == "https://www.smh.com.au/business/asx"
    assert doc.author == "Stan Choe"


def test_a_leading_rule_above_prose_is_not_front_matter(tmp_path: Path) -> None:
    content = "---\nBreaking news from the capital.\n---\nMore to follow."
    path = write(tmp_path, "breaking.txt", content)

    [doc], _ = load_one(path)

    assert doc.text == content
    assert doc.title == "Breaking"


def test_markdown_title_comes_from_the_first_heading(tmp_path: Path) -> None:
    content = "Filed at noon.\n\n# Storm closes ports\n\nShipping halted.\n\n## Outlook\n\nCalm."
    path = write(tmp_path, "storm.md", content)

    [doc], _ = load_one(path)

    assert doc.title == "Storm closes ports"
    assert doc.text == content  # the heading stays: citations point into this exact text


def test_html_keeps_the_article_and_drops_scripts_and_page_chrome() -> None:
    [doc], warnings = load_one(FIXTURES / "loaders" / "article.html")

    assert doc.text.split("\n\n") == [
        "Russia offers Taliban help against ISIS-K",
        "Russia has announced its intention to assist the Taliban-led government in "
        "Afghanistan in combating the local branch of Islamic State, ISIS-K.",
        "Zamir Kabulov, Russia\u2019s special envoy for Afghanistan, described ISIS-K as a "
        "\u201ccommon enemy\u201d.",
        "We will provide our best assistance to the authorities of Afghanistan.",
        "Trade and investment",
        "Gas pipeline projects",
        "(With inputs from Reuters)",
    ]
    assert "SECRET" not in doc.text
    assert doc.title == "Russia offers Taliban help against ISIS-K"
    assert doc.published == "2025-08-04T09:30:00+00:00"
    assert doc.source == "Example Wire"
    assert doc.author == "Anna Petrova"
    assert doc.url == "https://news.example.com/world/russia-taliban-isis-k"
    assert warnings == []


def test_html_without_article_or_meta_tags_falls_back(tmp_path: Path) -> None:
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "Home"},
            {
                "@type": "NewsArticle",
                "datePublished": "2023-10-06",
                "publisher": {"@type": "Organization", "name": "CNBC"},
                "author": {"@type": "Person", "name": "Annie Palmer"},
            },
        ],
    }
    page = (
        "<html><head><title>  Amazon sellers\n sound off </title>"
        '<link rel="canonical" href="https://www.cnbc.com/amazon-sellers">'
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        "<style>p { color: red }</style></head>"
        "<body><nav><p>Menu</p></nav><p>Sellers welcomed the case.</p>"
        "<table><tr><td>Fees</td><td>Up 30%</td></tr></table>"
        '<p><time datetime="2023-10-07">Oct 7</time> update.</p></body></html>'
    )
    path = write(tmp_path, "amazon.htm", page)

    [doc], _ = load_one(path)

    assert doc.text == "Sellers welcomed the case.\n\nFees\n\nUp 30%\n\nOct 7 update."
    assert doc.title == "Amazon sellers sound off"
    assert doc.published == "2023-10-06"
    assert doc.source == "CNBC"
    assert doc.author == "Annie Palmer"
    assert doc.url == "https://www.cnbc.com/amazon-sellers"


def test_pdf_text_and_title_come_from_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "hello.pdf",
        minimal_pdf("BT /F1 12 Tf 72 720 Td (Hello news) Tj ET", title="Morning bulletin"),
    )
    assert len(PdfReader(path, strict=True).pages) == 1  # the hand-written file is valid

    [doc], _ = load_one(path)

    assert doc.text == "Hello news"
    assert doc.title == "Morning bulletin"


def test_pdf_without_a_title_is_named_after_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "evening-bulletin.pdf", minimal_pdf("BT /F1 12 Tf 72 720 Td (Hi) Tj ET"))

    [doc], _ = load_one(path)

    assert (doc.text, doc.title) == ("Hi", "Evening bulletin")


def test_pdf_without_a_text_layer_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "scan.pdf", minimal_pdf("0 0 m 100 100 l S"))

    with pytest.raises(LoadError, match="no text layer"):
        load_one(path)


def test_a_pdf_that_is_really_text_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "fake.pdf", "This is just a note saved with the wrong extension.\n")

    with pytest.raises(LoadError, match=r"^not a readable PDF: "):
        load_one(path)


def test_docx_paragraphs_and_core_properties(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Council approves budget"
    document.core_properties.author = "Jane Doe"
    document.add_paragraph("The council approved the budget on Monday.")
    document.add_paragraph("   ")
    document.add_paragraph("Spending rises by 4%.")
    document.save(str(tmp_path / "budget.docx"))

    [doc], _ = load_one(tmp_path / "budget.docx")

    assert doc.text == "The council approved the budget on Monday.\n\nSpending rises by 4%."
    assert doc.title == "Council approves budget"
    assert doc.author == "Jane Doe"


def test_docx_title_falls_back_to_the_title_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Filed from Kabul")
    document.add_heading("Ports reopen after storm", level=0)
    document.add_paragraph("Ships left harbour at dawn.")
    document.save(str(tmp_path / "ports.docx"))

    [doc], _ = load_one(tmp_path / "ports.docx")

    assert doc.title == "Ports reopen after storm"
    assert doc.text == "Filed from Kabul\n\nPorts reopen after storm\n\nShips left harbour at dawn."
    # python-docx's blank template claims author "python-docx", created 2013: not the article's
    assert (doc.author, doc.published) == (None, None)


def test_a_docx_that_is_not_a_word_file_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.docx", "plain text, not a zip")

    with pytest.raises(LoadError, match=r"^not a readable Word document: "):
        load_one(path)


def test_json_list_of_news_items_loads_every_item() -> None:
    items = json.loads(SAMPLE.read_text(encoding="utf-8"))

    docs, warnings = load_one(SAMPLE)

    assert len(docs) == 8
    assert warnings == []
    for i, (doc, item) in enumerate(zip(docs, items, strict=True)):
        assert doc.name == f"corpus-sample.json#{i}"
        assert doc.text == item["body"].strip()
        assert (doc.title, doc.source, doc.url) == (item["title"], item["source"], item["url"])
        assert doc.author == (item["author"] or None)
        # "2023-09-26 19:11:30.000000000Z" becomes ISO 8601
        assert doc.published == item["published_at"][:19].replace(" ", "T") + "+00:00"


def test_json_object_with_articles_skips_items_without_body(tmp_path: Path) -> None:
    data = {
        "articles": [
            {"title": "Empty", "body": "  "},
            {"title": "Rates held", "content": "The bank held rates.", "published": "2023-11-01"},
        ]
    }
    path = write(tmp_path, "feed.json", json.dumps(data))

    [doc], warnings = load_one(path)

    assert (doc.name, doc.title, doc.text) == ("feed.json#1", "Rates held", "The bank held rates.")
    assert doc.published == "2023-11-01"
    assert warnings == [LoadProblem("feed.json#0", "empty body; skipped")]


def test_json_single_item_without_title_is_named_after_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "flash-report.json", json.dumps({"text": "Quake hits coast."}))

    [doc], _ = load_one(path)

    assert (doc.name, doc.title, doc.text) == (
        "flash-report.json#0",
        "Flash report #0",
        "Quake hits coast.",
    )


def test_invalid_json_reports_the_parser_message_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", '[\n  {"title": "A",\n  "body": }\n]')

    with pytest.raises(LoadError, match=r"^not valid JSON: Expecting value at line 3"):
        load_one(path)


def test_jsonl_bad_line_is_a_warning_and_the_others_load(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "First", "body": "One."}),
        "",
        "{not json",
        json.dumps({"title": "Third", "text": "Three.", "source": "Wire"}),
    ]
    path = write(tmp_path, "wire.jsonl", "\n".join(lines) + "\n")

    docs, warnings = load_one(path)

    assert [(d.name, d.title, d.text) for d in docs] == [
        ("wire.jsonl#0", "First", "One."),
        ("wire.jsonl#2", "Third", "Three."),
    ]
    assert docs[1].source == "Wire"
    assert len(warnings) == 1
    assert warnings[0].name == "wire.jsonl"
    assert warnings[0].reason.startswith("line 3: not valid JSON")


def test_non_utf8_text_loads_with_a_warning(tmp_path: Path) -> None:
    write(tmp_path, "cafe.txt", "Caf\u00e9 owners protest.".encode("latin-1"))

    result = load_folder(tmp_path)

    assert [d.text for d in result.documents] == ["Caf\ufffd owners protest."]
    assert result.warnings == [
        LoadProblem("cafe.txt", "not valid UTF-8; decoded with replacement characters")
    ]
    assert result.errors == []


@pytest.mark.parametrize(
    "junk", [b"\x00" * 64 + b"abc", bytes(range(1, 32)) * 20 + b"some words"], ids=["nul", "ctrl"]
)
def test_binary_junk_is_refused(tmp_path: Path, junk: bytes) -> None:
    write(tmp_path, "junk.txt", junk)

    result = load_folder(tmp_path)

    assert result.documents == []
    assert result.errors == [LoadProblem("junk.txt", "looks like a binary file, not text")]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "empty.md", " \n\n ")

    result = load_folder(tmp_path)

    assert result.errors == [LoadProblem("empty.md", "no text")]


def test_oversized_file_is_an_error_naming_the_limit(tmp_path: Path) -> None:
    write(tmp_path, "big.txt", "news " * 1000)
    write(tmp_path, "small.txt", "ok")

    result = load_folder(tmp_path, max_file_mb=0.001)

    assert [d.name for d in result.documents] == ["small.txt"]
    [problem] = result.errors
    assert problem.name == "big.txt"
    assert "0.001 MB limit" in problem.reason
    assert "ASSISTANT_MAX_FILE_MB" in problem.reason


def test_missing_docs_folder_says_how_to_fix_it(tmp_path: Path) -> None:
    missing = tmp_path / "seeds"

    with pytest.raises(LoadError) as caught:
        load_folder(missing)

    assert str(missing) in str(caught.value)
    assert "does not exist" in str(caught.value)
    assert "ASSISTANT_DOCS_DIR" in str(caught.value)


def test_a_file_given_as_docs_folder_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "article.txt", "text")

    with pytest.raises(LoadError, match="is not a folder"):
        load_folder(path)


def test_folder_load_continues_past_a_bad_file(tmp_path: Path) -> None:
    write(tmp_path, "b/second.txt", "Second story.")
    write(tmp_path, "a-first.md", "# First\n\nFirst story.")
    write(tmp_path, "b/broken.pdf", "not a pdf")
    write(tmp_path, "c.jsonl", json.dumps({"title": "Third", "body": "Third story."}))

    result = load_folder(tmp_path)

    assert [(d.name, d.title) for d in result.documents] == [
        ("a-first.md", "First"),
        ("b/second.txt", "Second"),
        ("c.jsonl#0", "Third"),
    ]
    [problem] = result.errors
    assert problem.name == "b/broken.pdf"
    assert problem.reason.startswith("not a readable PDF")


def test_hidden_and_unsupported_files_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, "visible.txt", "Seen.")
    write(tmp_path, ".draft.txt", "Hidden draft.")
    write(tmp_path, ".git/notes.txt", "Inside a hidden folder.")
    write(tmp_path, "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path, "data.csv", "a,b\n1,2\n")

    result = load_folder(tmp_path)

    assert [d.name for d in result.documents] == ["visible.txt"]
    assert result.errors == []
    assert result.warnings == []


def test_full_multihop_corpus_loads_every_article() -> None:
    corpus = REPO / "bench" / "data" / "multihop-rag" / "corpus.json"

    docs, warnings = load_one(corpus)

    assert len(docs) == 609
    assert warnings == []
    assert all(d.title and d.source and d.published and d.url for d in docs)


def test_html_with_text_only_in_divs_keeps_inline_words_together(tmp_path: Path) -> None:
    page = (
        "<html><body><div>Polls <b>close</b> at eight.<div>Turnout is high.</div></div>"
        "<!-- ad slot --><div>Results due at midnight.</div></body></html>"
    )
    path = write(tmp_path, "election-night.html", page)

    [doc], _ = load_one(path)

    assert doc.text == "Polls close at eight.\n\nTurnout is high.\n\nResults due at midnight."
    assert doc.title == "Election night"


def test_one_implausible_news_item_is_skipped_by_its_index_and_title(tmp_path: Path) -> None:
    items = [
        {"title": "Rates held", "body": "The bank held rates on Tuesday."},
        {"title": "Data dump", "body": "x" * 250_000},
        {"title": "Port reopens", "body": "The port reopened after the storm."},
    ]
    path = write(tmp_path, "feed.json", json.dumps(items))

    docs, warnings = load_one(path)

    assert [d.title for d in docs] == ["Rates held", "Port reopens"]
    [warning] = warnings
    assert warning.name == "feed.json#1"
    assert warning.reason.startswith("item 1 (\u201cData dump\u201d): ")
