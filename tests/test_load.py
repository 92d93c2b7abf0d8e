"""Sixteen clients asking at once while `index rebuild` runs: all answered, from one index each."""

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bench.load import ask_concurrently
from index.pipeline import update
from tests.conftest import FIXTURES, SEED_ARTICLE, make_settings
from tests.servers import assistant_command, assistant_env, serve

pytestmark = pytest.mark.slow

CLIENTS = 16
NEW_NAME = "riverside-flood.md"
NEW_ARTICLE = """---
title: Flood closes Riverside bridge
---
The Riverside bridge was closed on Thursday after heavy rain flooded the valley.
The river rose 4.2 metres overnight, the highest level recorded in forty years.
"""
QUESTIONS = [
    "Why is Russia engaging the Taliban?",
    "Who is Zamir Kabulov?",
    "How much did the river rise overnight?",  # refused by the old index, cited by the new
    "What is the population of Kabul?",
]


def watch_switch(pointer: Path, stop: threading.Event, switched: list[float]) -> None:
    """Note when the live-generation pointer changes."""
    before = pointer.read_bytes()
    while not stop.is_set() and not switched:
        if pointer.read_bytes() != before:
            switched.append(time.monotonic())
        time.sleep(0.01)


def test_sixteen_clients_during_a_rebuild(tmp_path: Path) -> None:
    docs, data = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    shutil.copy(SEED_ARTICLE, docs / SEED_ARTICLE.name)
    items = json.loads((FIXTURES / "multihop" / "corpus-sample.json").read_text())
    for i, item in enumerate(items[:3]):
        (docs / f"item-{i}.md").write_text(f"---\ntitle: {item['title']}\n---\n{item['body']}")
    assert update(make_settings(docs, data)).documents == 4
    (docs / NEW_NAME).write_text(NEW_ARTICLE)  # only the rebuild will index it

    with serve(docs, data) as served:
        old = {r.question: r for r in ask_concurrently(served.url, QUESTIONS, 4, 1)}
        rebuild = subprocess.Popen(
            assistant_command("index", "rebuild"),
            cwd=data.parent,
            env=assistant_env(docs, data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        stop, switched = threading.Event(), []
        watcher = threading.Thread(target=watch_switch, args=(data / "CURRENT", stop, switched))
        watcher.start()
        try:
            results = ask_concurrently(
                served.url, QUESTIONS, CLIENTS, 2, keep_going=lambda: rebuild.poll() is None
            )
        finally:
            stop.set()
            watcher.join()
        assert rebuild.wait() == 0, rebuild.stderr.read() if rebuild.stderr else ""
        new = {r.question: r for r in ask_concurrently(served.url, QUESTIONS, 4, 1)}

    assert [r.error for r in results if r.error] == []
    assert NEW_NAME not in old[QUESTIONS[2]].files and NEW_NAME in new[QUESTIONS[2]].files
    assert switched, "the rebuild never switched generations"
    for r in results:
        assert r.text in (old[r.question].text, new[r.question].text)
        if r.finished < switched[0]:
            assert r.text == old[r.question].text and NEW_NAME not in r.files
        if r.submitted > switched[0] + 0.01:
            assert r.text == new[r.question].text
    asked_before = [r for r in results if r.finished < switched[0]]
    assert len(results) >= 2 * CLIENTS and asked_before
