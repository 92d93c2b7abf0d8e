"""Answers while the index keeps changing: a stress run and a soak run against real processes.

    .venv/bin/python -m bench.churn stress [--seconds 120] [--out bench/results/stress.json]
    .venv/bin/python -m bench.churn soak [--updates 200] [--out bench/results/soak.json]

Both index MultiHop-RAG articles (one JSON file each) into a temporary folder and serve them
with `assistant serve` on 127.0.0.1.

- stress: 8 clients ask continuously, 4 of them `Assistant` objects in this process (each in
  its own thread) and 4 through the server's `/ask`, while another process runs
  `assistant index update` every few seconds after adding, changing or deleting an article,
  and once with another chunk size (a rebuild). Every citation is checked against the texts
  the folder held: its passage must be the exact span of a document that was indexed while
  the question was being answered.
- soak: `assistant index watch` keeps the index in step while the folder changes `--updates`
  times (add, change, delete in turn, each change indexed before the next) and 4 clients ask
  through `/ask`; the server's resident memory and open files are read from /proc after a
  warm-up of 80 answers, every 20 updates and at the end.

The answerer is extractive unless --llm says otherwise: these runs are about the index
changing under the readers, and extractive answers come fast enough to ask often.
"""

import argparse
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Asked, _cli, _env, _wait_for, ask_concurrently, summary
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "multihop-rag"
WARM_UP_ROUNDS = 20  # soak: each of 4 clients asks this many questions before memory is read


@dataclass
class Folder:
    """The docs folder and every version of the index's contents it went through."""

    docs: Path
    pool: list[dict[str, Any]]
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    texts: dict[str, str] = field(default_factory=dict)  # doc_id -> text, ever indexed
    history: list[tuple[float, frozenset[str]]] = field(default_factory=list)
    next_article: int = 0
    changes: int = 0

    def seed(self, count: int) -> None:
        for _ in range(count):
            self.add()

    def add(self) -> None:
        article = self.pool[self.next_article % len(self.pool)]
        self.next_article += 1
        name = f"article-{self.next_article:04}.json"
        (self.docs / name).write_text(json.dumps(article), encoding="utf-8")

    def change(self) -> None:
        files = sorted(self.docs.glob("*.json"))
        path = self.rng.choice(files)
        article = json.loads(path.read_text(encoding="utf-8"))
        self.changes += 1
        article["body"] += f"\n\nUpdate {self.changes}: the story was revised after publication."
        path.write_text(json.dumps(article), encoding="utf-8")

    def delete(self) -> None:
        files = sorted(self.docs.glob("*.json"))
        if len(files) > 5:
            self.rng.choice(files).unlink()

    def step(self, n: int) -> None:
        (self.add, self.change, self.delete)[n % 3]()

    def record(self) -> None:
        """What the folder holds now, as the index will once the update finishes."""
        from index.loaders import load_folder

        loaded = load_folder(self.docs)
        for document in loaded.documents:
            self.texts[document.doc_id] = document.text
        self.history.append((time.monotonic(), frozenset(d.doc_id for d in loaded.documents)))

    def indexed_between(self, start: float, end: float) -> set[str]:
        """Documents the index held at some moment from `start` to `end`."""
        before = [ids for at, ids in self.history if at <= start]
        during = [ids for at, ids in self.history if start < at <= end + 5.0]
        return set().union(*(before[-1:] + during)) if before or during else set()


def _exact(folder: Folder, asked: Asked, cited: list[dict[str, Any]]) -> list[str]:
    """What is wrong with an answer's citations (nothing, when every one is exact)."""
    problems = []
    allowed = folder.indexed_between(asked.submitted, asked.finished)
    for c in cited:
        text = folder.texts.get(c["doc_id"])
        if text is None or text[c["start"] : c["end"]] != c["passage"]:
            problems.append(f"{c['doc_id']}: not an exact span")
        elif c["doc_id"] not in allowed:
            problems.append(f"{c['doc_id']}: not indexed while the question was answered")
    return problems


def _in_process(
    settings: Any, questions: list[str], until: float, folder: Folder, number: int
) -> list[tuple[Asked, list[str]]]:
    """One `Assistant` asking in turn until `until`; each answer with its citation problems."""
    from assistant.service import Assistant

    assistant = Assistant(settings)
    results = []
    asked = 0
    while time.monotonic() < until:
        question = questions[(number + asked * 8) % len(questions)]
        started = time.monotonic()
        try:
            answer = assistant.answer(question)
            record = Asked(number, question, started, time.monotonic(), answer.text)
            cited = [
                {"doc_id": c.doc_id, "start": c.start, "end": c.end, "passage": c.passage}
                for c in answer.citations
            ]
            results.append((record, _exact(folder, record, cited)))
        except Exception as exc:  # counted, never fatal
            results.append(
                (Asked(number, question, started, time.monotonic(), error=repr(exc)), [])
            )
        asked += 1
    return results


def stress(args: argparse.Namespace, work: Path, folder: Folder, questions: list[str]) -> dict:
    from assistant.settings import Settings

    data = work / "index"
    env = {**_env(folder.docs, data), "ASSISTANT_LLM": args.llm}
    folder.record()
    subprocess.run(_cli("index", "update"), env=env, cwd=work, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(_cli("serve", "--port", str(port)), env=env, cwd=work)
    settings = Settings(docs_dir=folder.docs, data_dir=data, llm=args.llm)  # type: ignore[arg-type]
    try:
        _wait_for(port, server)
        url = f"http://127.0.0.1:{port}/"
        ask_concurrently(url, questions[:1], 1, 1)  # warm the server up
        until = time.monotonic() + args.seconds
        local: list[list[tuple[Asked, list[str]]]] = [[] for _ in range(4)]
        threads = [
            threading.Thread(
                target=lambda n=n: local[n].extend(
                    _in_process(settings, questions, until, folder, n)
                )
            )
            for n in range(4)
        ]
        remote: list[Asked] = []
        threads.append(
            threading.Thread(
                target=lambda: remote.extend(
                    ask_concurrently(
                        url, questions, 4, 1, keep_going=lambda: time.monotonic() < until
                    )
                )
            )
        )
        for thread in threads:
            thread.start()
        updates, rebuilt = 0, False
        while time.monotonic() < until - 5:
            folder.step(updates)
            folder.record()
            extra = {}
            if not rebuilt and time.monotonic() > until - args.seconds / 2:
                extra, rebuilt = {"ASSISTANT_CHUNKING__CHUNK_SIZE": "200"}, True
            subprocess.run(
                _cli("index", "update"), env={**env, **extra}, cwd=work, capture_output=True
            )
            updates += 1
            time.sleep(args.pause)
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait()
    answered = [record for run in local for record, _ in run]
    problems = [p for run in local for _, found in run for p in found]
    return {
        "conditions": {"seconds": args.seconds, "updates": updates, "rebuilt": rebuilt},
        "in_process": summary(answered),
        "through_serve": summary(remote),
        "all": summary(answered + remote),
        "citation_problems": problems[:20],
        "citations_checked": sum(1 for run in local for r, _ in run if not r.error),
        "errors": [r.error for r in answered + remote if r.error][:20],
    }


def _proc(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return {"rss_mb": rss // 1024, "open_files": len(list(Path(f"/proc/{pid}/fd").iterdir()))}


def soak(args: argparse.Namespace, work: Path, folder: Folder, questions: list[str]) -> dict:
    data = work / "index"
    env = {**_env(folder.docs, data), "ASSISTANT_LLM": args.llm}
    subprocess.run(_cli("index", "update"), env=env, cwd=work, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(_cli("serve", "--port", str(port)), env=env, cwd=work)
    watcher = subprocess.Popen(
        _cli("index", "watch"), env=env, cwd=work, stdout=subprocess.PIPE, text=True
    )
    reported = threading.Semaphore(0)  # one release per update the watcher reports

    def read_watcher() -> None:
        for line in watcher.stdout or ():
            if "index holds" in line:
                reported.release()

    threading.Thread(target=read_watcher, daemon=True).start()
    done = threading.Event()
    missed = 0
    samples = []
    try:
        _wait_for(port, server)
        url = f"http://127.0.0.1:{port}/"
        ask_concurrently(url, questions, 4, 3)  # the first versions loaded
        warming = [{"answers": 12, **_proc(server.pid)}]
        # Answering alone raises serve's memory over its first 60 or so answers, while four
        # answers at a time reach their peak working set, and then holds it (measured: 384
        # answers over an unchanged index, flat after the first 64). Growth is counted from
        # there, so that what it measures is what updates add.
        ask_concurrently(url, questions, 4, WARM_UP_ROUNDS - 3)
        warming.append({"answers": 4 * WARM_UP_ROUNDS, **_proc(server.pid)})
        start = {"serve": _proc(server.pid), "watch": _proc(watcher.pid)}
        asked: list[Asked] = []
        clients = threading.Thread(
            target=lambda: asked.extend(
                ask_concurrently(url, questions, 4, 1, keep_going=lambda: not done.is_set())
            )
        )
        clients.start()
        started = time.monotonic()
        for n in range(args.updates):
            folder.step(n)
            # Each change is indexed before the next: `updates` real updates, not one batch.
            if not reported.acquire(timeout=120):
                missed += 1
            time.sleep(args.pause)
            if (n + 1) % 20 == 0:
                samples.append({"updates": n + 1, **_proc(server.pid)})
        done.set()
        clients.join()
        end = {"serve": _proc(server.pid), "watch": _proc(watcher.pid)}
    finally:
        for process in (watcher, server):
            process.terminate()
            process.wait()
    return {
        "conditions": {"updates": args.updates, "seconds": round(time.monotonic() - started)},
        "updates_not_reported_within_120s": missed,
        "serve_while_warming_up": warming,
        "start": start,
        "end": end,
        "serve_every_20_updates": samples,
        "serve_rss_growth": round(end["serve"]["rss_mb"] / start["serve"]["rss_mb"] - 1, 3),
        "answers": summary(asked),
        "errors": [r.error for r in asked if r.error][:20],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["stress", "soak"])
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=120, help="stress: how long to ask")
    parser.add_argument("--updates", type=int, default=200, help="soak: folder changes")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between changes")
    parser.add_argument("--llm", default="extractive", help="the answerer (ASSISTANT_LLM)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix=f"bench-{args.mode}-"))
    docs = work / "docs"
    docs.mkdir()
    pool = json.loads((DATA / "corpus.json").read_text(encoding="utf-8"))
    folder = Folder(docs, pool)
    folder.seed(args.articles)
    queries = json.loads((DATA / "queries-dev.json").read_text(encoding="utf-8"))
    questions = [q["query"] for q in queries if q["question_type"] != "null_query"][:64]
    run = stress if args.mode == "stress" else soak
    report = run(args, work, folder, questions)
    print(json.dumps(report, indent=1))
    out = args.out or ROOT / "bench" / "results" / f"{args.mode}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
