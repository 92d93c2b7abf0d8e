"""The chat in a real browser: Debian's Chromium, driven by Playwright, against `assistant serve`.

Playwright never downloads a browser here: Chromium comes from Debian (`apt-get install
chromium`), installed by this test when missing and it runs as root.
"""

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistant.prompts import render
from index.pipeline import update
from tests.conftest import ROOT, SEED_ARTICLE, make_settings
from tests.servers import Served, serve

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    *("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"),
    *("--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"),
]
OUTPUT = ROOT / "test-output" / "browser"
QUESTION = "Why is Russia engaging the Taliban?"
NEW_QUESTION = "How much did the river rise overnight?"
NEW_TITLE = "Flood closes Riverside bridge"
NEW_NAME = "riverside-flood.md"
# The same article the other upload tests use, as a user would save it.
NEW_ARTICLE = (Path(__file__).parent / "fixtures" / "riverside-flood.md").read_text(
    encoding="utf-8"
)
# Records every text the newest answer shows, to see it grow while it streams.
WATCH_ANSWERS = """() => {
  window.answerTexts = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll('[data-testid="bot"]');
    const text = bots.length ? bots[bots.length - 1].innerText : "";
    if (text && window.answerTexts.at(-1) !== text) window.answerTexts.push(text);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0:
        pytest.skip("Chromium is missing and only root can install it: apt-get install chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], env=env, check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "chromium"], env=env, check=True)


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser") / "docs"


@pytest.fixture(scope="module")
def served(docs: Path) -> Iterator[Served]:
    root = docs.parent
    docs.mkdir()
    shutil.copy(SEED_ARTICLE, docs / SEED_ARTICLE.name)
    assert update(make_settings(docs, root / "index")).documents == 1
    with serve(docs, root / "index") as server:
        yield server


@pytest.fixture
def page(served: Served) -> Iterator["Page"]:
    ensure_chromium()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 1000},
            permissions=["clipboard-read", "clipboard-write"],
        )
        try:
            tab = browser.new_page()
            tab.set_default_timeout(120_000)  # answers share two cores with other work
            tab.goto(served.url)
            yield tab
        finally:
            browser.close()


def ask(page: "Page", question: str, turn: int) -> str:
    """Ask in the chat; the reply's text once its sources (or refusal) have arrived."""
    page.get_by_placeholder("Your question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    reply = page.locator('[data-testid="bot"]').nth(turn - 1)
    page.wait_for_function(
        """([turn, refusal]) => {
            const bots = document.querySelectorAll('[data-testid="bot"]');
            const done = document.querySelector(`#source-${turn}-1`);
            return bots.length >= turn && (done || bots[turn - 1].innerText.trim() === refusal);
        }""",
        arg=[turn, render("refusal")],
    )
    return reply.inner_text()


def shot(page: "Page", name: str, full_page: bool = True) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUTPUT / name, full_page=full_page)


def sources(page: "Page", turn: int) -> dict[int, tuple[str, str]]:
    """The sources panel: number -> (its article card's headline, its highlighted passage),
    each cited sentence labelled with its own [n]."""
    found = {}
    for card in page.locator(f'div.article[id^="article-{turn}-"]').all():
        headline = card.locator("strong.headline").inner_text()
        for entry in card.locator(f'.source[id^="source-{turn}-"]').all():
            number = int(str(entry.get_attribute("id")).rsplit("-", 1)[1])
            assert entry.locator("strong").inner_text() == f"[{number}]"
            found[number] = (headline, entry.locator("mark").inner_text())
    return found


def documents_listed(page: "Page") -> str:
    page.get_by_role("tab", name="Documents").click()
    return page.get_by_label("Indexed documents").inner_text()


def test_ask_cite_upload_and_delete_in_the_browser(page: "Page", docs: Path) -> None:
    from playwright.sync_api import expect

    page.evaluate(WATCH_ANSWERS)
    article = " ".join(SEED_ARTICLE.read_text(encoding="utf-8").split())

    reply = ask(page, QUESTION, turn=1)
    cited = sources(page, turn=1)
    assert cited and sorted(cited) == list(range(1, len(cited) + 1))
    assert page.locator('div.article[id^="article-1-"]').count() == 1  # one card per article
    assert f"{len(cited)} sentences quoted from 1 article" in reply  # the trust line's counts
    for n, (heading, passage) in cited.items():
        assert f"[{n}]" in reply and heading == "Russia offers Taliban help against ISIS-K"
        assert " ".join(passage.split()) in article  # the highlight is the article's own text
        assert " ".join(passage.split()) in " ".join(reply.split())
    seen = page.evaluate("window.answerTexts")
    assert seen[-1].strip() == reply.strip() and all(reply.startswith(t[:20]) for t in seen)
    last = max(cited)
    page.locator(f'[data-testid="bot"] a[href="#source-1-{last}"]').click()
    source = page.locator(f"#source-1-{last}")
    page.wait_for_function(f"location.hash === '#source-1-{last}'")
    expect(source.locator("mark")).to_be_in_viewport()  # the link scrolled to its passage
    shot(page, "1-source-opened.png", full_page=False)
    shot(page, "1-answer-and-sources.png")

    assert NEW_TITLE not in documents_listed(page)
    upload = OUTPUT.parent / "browser-upload" / NEW_NAME
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text(NEW_ARTICLE, encoding="utf-8")
    page.locator('input[type="file"][multiple]').set_input_files(str(upload))
    page.get_by_text(NEW_NAME).first.wait_for()  # the browser finished sending it
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("Added:").wait_for()
    assert NEW_TITLE in documents_listed(page)
    assert "2 documents" in page.locator("p", has_text="Index:").first.inner_text()
    assert (docs / NEW_NAME).read_text(encoding="utf-8") == NEW_ARTICLE
    shot(page, "2-uploaded.png")

    page.get_by_role("tab", name="Chat").click()
    reply = ask(page, NEW_QUESTION, turn=2)
    new_sources = sources(page, turn=2)
    assert "4.2 metres" in reply
    assert any(NEW_TITLE in heading and "4.2 metres" in p for heading, p in new_sources.values())
    shot(page, "3-new-article-cited.png")

    page.get_by_role("tab", name="Documents").click()
    page.get_by_label("Files to delete").click()
    page.get_by_role("option", name=NEW_NAME).click()
    page.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_text("Deleted:").wait_for()
    assert NEW_TITLE not in documents_listed(page)
    assert sorted(p.name for p in docs.iterdir()) == [SEED_ARTICLE.name]
    page.get_by_role("tab", name="Chat").click()
    reply = ask(page, NEW_QUESTION, turn=3)
    assert "4.2 metres" not in reply
    assert all(NEW_TITLE not in heading for heading, _ in sources(page, turn=3).values())
    shot(page, "4-deleted.png")


def test_a_thumbs_down_in_the_page_lands_in_the_feedback_file(page: "Page", docs: Path) -> None:
    reply = ask(page, QUESTION, turn=1)
    page.get_by_placeholder("A comment sent with your").fill("It misses the common enemy.")
    page.get_by_label("Dislike").first.click()
    page.get_by_text("kept as a bad answer").wait_for()
    assert page.get_by_placeholder("A comment sent with your").input_value() == ""
    shot(page, "5-rated-down.png")

    page.get_by_role("button", name="Copy answer with sources").click()
    page.get_by_role("button", name="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    text, *listed = copied.strip().split("\n\n")
    assert " ".join(text.split()) in " ".join(reply.split())  # the answer as shown, [n] kept
    assert [line.split("]")[0] for line in listed] == [f"[{n}" for n in range(1, len(listed) + 1)]
    assert all("Russia offers Taliban help against ISIS-K" in line for line in listed)
    kept = docs.parent / "index" / "feedback.jsonl"
    (entry,) = [json.loads(line) for line in kept.read_text(encoding="utf-8").splitlines()]
    assert entry["liked"] is False and entry["comment"] == "It misses the common enemy."
    assert entry["question"] == QUESTION and entry["citations"]
    for citation in entry["citations"]:  # the answer on the page is the one kept
        assert f"[{citation['number']}]" in reply
        assert " ".join(citation["passage"].split()) in " ".join(reply.split())
