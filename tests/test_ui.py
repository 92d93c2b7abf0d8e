"""The chat UI: streamed answers, highlighted sources, and the `/ask` API of a real server."""

import re
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from assistant.prompts import render
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.web.rendering import (
    answer_markdown,
    literal,
    news_day,
    passage_in_context,
    trust_markdown,
)
from assistant.web.ui import build_app, chat, launch, status_markdown
from index.pipeline import update
from tests.conftest import make_settings
from tests.servers import free_port

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TITLE = "Russia offers Taliban help against ISIS-K"
QUESTION = "Why is Russia engaging the Taliban?"
OFF_TOPIC = "What is the population of Kabul?"
MARKED = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    settings = make_settings(SEEDS, tmp_path_factory.mktemp("ui") / "index")
    report = update(settings)
    assert report.ok and report.documents == 1
    return Assistant(settings)


@pytest.fixture(scope="module")
def client(assistant: Assistant) -> Iterator[Client]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        app = build_app(assistant)
        running = launch(app, "127.0.0.1", free_port())
        url = running.url
        try:
            yield Client(url, verbose=False)
        finally:
            running.close()


def words(count: int) -> str:
    return " ".join(f"w{i}x" for i in range(count))  # no word is a prefix of another


def test_the_mark_holds_exactly_the_escaped_passage() -> None:
    passage = 'Officials said <script>alert("x")</script> & left.'
    text = f"{words(200)} {passage} {words(200)}"
    start = text.index(passage)
    html = passage_in_context(text, start, start + len(passage))
    assert MARKED.findall(html) == [escape(passage)]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_context_is_about_300_characters_cut_at_word_boundaries() -> None:
    passage = "The cited sentence."
    text = f"{words(200)} {passage} {words(200)}"
    start, known = text.index(passage), set(text.split())
    before, after = MARKED.split(passage_in_context(text, start, start + len(passage)))[::2]
    assert 290 < len(before) <= 301 and 290 < len(after) <= 301
    for width in range(280, 300):  # some widths fall mid-word, some between words
        html = passage_in_context(text, start, start + len(passage), width)
        before, after = MARKED.split(html)[::2]
        assert before.startswith("…") and after.endswith("…")
        assert len(before) <= width + 1 and len(after) <= width + 1
        assert before[1:].split()[0] in known and after[:-1].split()[-1] in known


def test_context_stops_at_the_document_edges() -> None:
    text = "Short article. The passage. The end."
    start = text.index("The passage.")
    html = passage_in_context(text, start, start + len("The passage."))
    assert html == "Short article. <mark>The passage.</mark> The end."


def test_markers_link_to_sources_and_article_text_stays_literal() -> None:
    shown = answer_markdown("Prices rose *5%* <b>today</b>. [1] Then [2][3]", turn=4)
    assert "[\\[1\\]](#source-4-1)" in shown and "[\\[3\\]](#source-4-3)" in shown
    assert "\\*5%\\*" in shown and "\\<b\\>" in shown


def test_status_line_says_how_to_fill_an_empty_index(tmp_path: Path) -> None:
    empty = Assistant(make_settings(tmp_path / "articles", tmp_path / "index"))
    line = status_markdown(empty)
    assert "No documents indexed yet" in line
    # The folder as typed once Markdown renders it (escaped), the command as code.
    assert literal(str(tmp_path / "articles")) in line and "`assistant index update`" in line


def test_chat_shows_the_not_indexed_message_as_the_reply(tmp_path: Path) -> None:
    empty = Assistant(make_settings(tmp_path / "articles", tmp_path / "index"))
    *_, (history, sources, box) = chat(empty, QUESTION, [])
    assert history[-1]["role"] == "assistant"
    assert "No documents indexed yet" in history[-1]["content"]
    assert sources == "" and box == ""


@pytest.mark.slow
def test_status_line_counts_documents_chunks_and_model(assistant: Assistant) -> None:
    status = assistant.status()
    line = status_markdown(assistant)
    assert f"1 document · {status.chunks} chunks" in line and status.model in line


@pytest.mark.slow
def test_chat_streams_the_answer_sentence_by_sentence(assistant: Assistant) -> None:
    pieces = [p for p in assistant.stream(QUESTION) if isinstance(p, str)]
    previous = [{"role": "assistant", "content": "An earlier reply."}]
    updates = list(chat(assistant, QUESTION, previous))
    replies = [history[-1]["content"] for history, _, _ in updates]
    grown = [answer_markdown("".join(pieces[:n]), turn=2) for n in range(1, len(pieces) + 1)]
    assert len(pieces) > 1
    trust = trust_markdown(assistant.answer(QUESTION))  # the final reply says what it rests on
    assert trust == f"\n\n*{len(pieces)} sentences quoted from 1 article*"
    assert replies == ["", *grown, grown[-1] + trust]
    asked = [*previous, {"role": "user", "content": QUESTION}]
    assert all(history[:-1] == asked for history, _, _ in updates)
    assert all(sources == "" for _, sources, _ in updates[:-1])
    final = updates[-1][1]
    for n in range(1, len(pieces) + 1):  # the second answer in the chat links to its own sources
        assert f'id="source-2-{n}"' in final and f"(#source-2-{n})" in replies[-1]
    assert TITLE in final and len(MARKED.findall(final)) == len(pieces)


LABELLED = re.compile(
    r'<span class="source" id="source-1-(\d+)"><strong>\[(\d+)\]</strong>\u00a0<mark>(.*?)</mark>',
    re.DOTALL,
)
CARD = re.compile(r'<div class="article" id="(article-1-\d+)"><p><strong class="headline">(.*?)<')


@pytest.mark.slow
def test_sources_panel_marks_the_cited_span_of_the_document(assistant: Assistant) -> None:
    answer = assistant.answer(QUESTION)
    *_, (_, sources, _) = chat(assistant, QUESTION, [])
    marked = {int(n): shown for n, label, shown in LABELLED.findall(sources) if n == label}
    assert sorted(marked) == [c.number for c in answer.citations]  # each labelled with its [n]
    for citation in answer.citations:
        document = assistant.document_text(citation)
        shown = marked[citation.number]
        assert shown == escape(document[citation.start : citation.end]) == escape(citation.passage)
    # One article, one card: its sentences in the article's order, under its headline.
    assert CARD.findall(sources) == [("article-1-1", TITLE)]
    order = sorted(answer.citations, key=lambda c: c.start)
    assert [int(n) for n, _, _ in LABELLED.findall(sources)] == [c.number for c in order]
    assert '<a href="#article-1-1">' in sources  # its chip


@pytest.mark.slow
def test_sources_are_grouped_one_card_per_article(dated_settings: Settings) -> None:
    assistant = Assistant(dated_settings)
    question = "How many people died in the Harbor Bridge collapse?"
    answer = assistant.answer(question)
    articles = list(dict.fromkeys(c.doc_id for c in answer.citations))
    assert len(articles) > 1
    *_, (_, sources, _) = chat(assistant, question, [])
    cards = CARD.findall(sources)
    assert [k for k, _ in cards] == [f"article-1-{k}" for k in range(1, len(articles) + 1)]
    for (_, headline), doc_id in zip(cards, articles, strict=True):
        first = next(c for c in answer.citations if c.doc_id == doc_id)
        assert headline == escape(first.title)
        assert news_day(first.published) in sources  # "12 Mar 2024", not an ISO date


def test_dates_read_as_news_dates() -> None:
    assert news_day("2023-10-01T09:30:00+00:00") == "1 Oct 2023"
    assert news_day("2024-03-12") == "12 Mar 2024"
    assert news_day(None) == news_day("") == news_day("sometime") == ""


@pytest.mark.slow
def test_chat_refusal_has_no_sources(assistant: Assistant) -> None:
    *_, (history, sources, _) = chat(assistant, OFF_TOPIC, [])
    assert history[-1]["content"] == answer_markdown(render("refusal"), turn=1)
    assert sources == ""


def test_chat_empty_question_gets_the_message_not_a_crash(tmp_path: Path) -> None:
    unindexed = Assistant(make_settings(SEEDS, tmp_path / "index"))
    updates = list(chat(unindexed, "   ", []))
    history, sources, _ = updates[-1]
    assert [m["role"] for m in history] == ["assistant"]
    assert "empty" in history[0]["content"] and sources == ""


@pytest.mark.slow
def test_api_answers_with_citations_and_sources(client: Client, assistant: Assistant) -> None:
    text, sources = client.predict(QUESTION, api_name="/ask")
    assert "[1]" in text and "Taliban" in text
    assert [s["number"] for s in sources] == list(range(1, len(sources) + 1))
    assert all(s["title"] == TITLE and TITLE in s["label"] for s in sources)
    assert {s["file"] for s in sources} == {"russia-offers-taliban-help-against-isis-k.txt"}
    assert text == assistant.answer(QUESTION).text


@pytest.mark.slow
def test_api_refuses_off_topic_questions(client: Client) -> None:
    text, sources = client.predict(OFF_TOPIC, api_name="/ask")
    assert text == render("refusal") and sources == []


@pytest.mark.slow
def test_api_reports_an_empty_question(client: Client) -> None:
    with pytest.raises(AppError, match="The question is empty"):
        client.predict("", api_name="/ask")


@pytest.mark.slow
def test_api_serves_several_questions_at_once(client: Client) -> None:
    jobs = [client.submit(q, api_name="/ask") for q in [QUESTION, OFF_TOPIC] * 3]
    results = [job.result(timeout=120) for job in jobs]
    assert [bool(sources) for _, sources in results] == [True, False] * 3
    assert len({text for text, _ in results}) == 2


@pytest.mark.slow
def test_only_ask_is_documented(client: Client) -> None:
    endpoints = client.view_api(print_info=False, return_format="dict")
    assert list(endpoints["named_endpoints"]) == ["/ask"]
    assert endpoints["unnamed_endpoints"] == {}


@pytest.mark.slow
def test_chat_follow_up_is_searched_with_the_conversation_and_says_so(assistant: Assistant) -> None:
    *_, (first, _, _) = chat(assistant, QUESTION, [])
    assert "Searched for" not in first[-1]["content"]  # the question itself was searched
    *_, (history, sources, _) = chat(assistant, "and what about trade?", first)
    reply = history[-1]["content"]
    assert reply.endswith("*Searched for: and what about trade? (Russia, Taliban)*")
    assert "trade" in sources and 'id="source-2-1"' in sources


@pytest.mark.slow
def test_a_trust_line_says_what_the_answer_rests_on(assistant: Assistant) -> None:
    *_, (history, _, _) = chat(assistant, QUESTION, [])
    answer = assistant.answer(QUESTION)
    quoted = len(answer.citations)
    assert f"*{quoted} sentences quoted from 1 article*" in history[-1]["content"]
    *_, (refused, _, _) = chat(assistant, OFF_TOPIC, [])
    assert "quoted from" not in refused[-1]["content"]


def test_an_error_reads_as_a_sentence_with_its_command_as_code(tmp_path: Path) -> None:
    docs = tmp_path / "my_news_docs"
    docs.mkdir()
    unindexed = Assistant(make_settings(docs, tmp_path / "index"))
    *_, (history, sources, _) = chat(unindexed, "Why is Russia engaging the Taliban?", [])
    shown = history[-1]["content"]
    assert "my\\_news\\_docs" in shown  # the folder's name as typed, not in italics
    assert "`assistant index update`" in shown and sources == ""
    assert "my\\_news\\_docs" in status_markdown(unindexed)


def test_stopping_the_server_ends_it_while_a_client_stays_connected(assistant: Assistant) -> None:
    running = launch(build_app(assistant), "127.0.0.1", free_port())
    connected = Client(running.url, verbose=False)  # keeps a stream open, as a browser tab does
    assert connected.view_api(print_info=False, return_format="dict")
    running.close()
    assert not running.thread.is_alive()  # before, it waited for the client for good
