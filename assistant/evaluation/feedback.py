"""Thumbs up or down on answers, kept beside the index as JSON Lines for evaluation.

Each line is one judgement of one answer as the reader saw it: the question and the chat
before it, the text, its citations, whether it refused, the index version and the settings
that wrote it. A later judgement of the same answer (`answer_id`) replaces an earlier one;
`liked` is None when the reader took a thumb back. A thumbs-down exports as a benchmark
question for `assistant eval answers`, once a person writes down the right answer.
"""

import fcntl
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.answering.citations import Answer
from assistant.generation.followups import Message
from assistant.settings import Settings

FILE_NAME = "feedback.jsonl"
QUESTION_TYPE = "feedback"  # the type an exported question carries in `assistant eval answers`


def feedback_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / FILE_NAME


def shown(answer: Answer, history: Sequence[Message], settings: Settings) -> dict[str, Any]:
    """What a judgement is about: one answer as shown, with what wrote it."""
    return {
        "answer_id": uuid.uuid4().hex,
        "question": answer.question,
        "history": [dict(m) for m in history],
        "searched_for": answer.searched_for,
        "answer": answer.text,
        "short": answer.short,
        "refused": answer.refused,
        "citations": [asdict(c) for c in answer.citations],
        "snapshot": answer.snapshot,
        "settings": {
            "llm": settings.llm,
            "llm_model": settings.llm_model,
            "embed_model": settings.embed_model,
            "embed_backend": settings.embed_backend,
        },
    }


def save(settings: Settings, answer: dict[str, Any], liked: bool | None, comment: str = "") -> dict:
    """Append one judgement of `answer` (from `shown`); one whole line, even with other writers."""
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "liked": liked,
        "comment": comment.strip(),
        **answer,
    }
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    path = feedback_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        try:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
        finally:
            fcntl.flock(out, fcntl.LOCK_UN)
    return entry


@dataclass
class Feedback:
    """The latest judgement of each answer, oldest first, and lines that could not be read."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    unreadable: int = 0

    @property
    def judged(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e.get("liked") is not None]

    @property
    def down(self) -> list[dict[str, Any]]:
        return [e for e in self.entries if e.get("liked") is False]

    def lines(self) -> list[str]:
        judged, down = self.judged, self.down
        if not judged:
            return ["No feedback yet: rate answers with the thumbs under them in the chat."]
        up = len(judged) - len(down)
        refused_down = sum(bool(e.get("refused")) for e in down)
        lines = [
            f"{len(judged)} answers rated: {up} up ({up / len(judged):.0%}), {len(down)} down "
            f"({refused_down} of them refusals)"
        ]
        if self.unreadable:
            lines.append(f"{self.unreadable} unreadable lines skipped")
        for entry in down[-10:]:
            note = f" — {entry['comment']}" if entry.get("comment") else ""
            lines.append(f"  down: {entry.get('question', '')}{note}")
        return lines


def load(settings: Settings) -> Feedback:
    """Every answer's latest judgement; a damaged line is counted and skipped, never fatal."""
    path = feedback_path(settings)
    if not path.exists():
        return Feedback()
    latest: dict[str, dict[str, Any]] = {}
    unreadable = 0
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw)
        except ValueError:
            unreadable += 1
            continue
        if not isinstance(entry, dict) or not entry.get("answer_id"):
            unreadable += 1
            continue
        latest.pop(entry["answer_id"], None)  # re-judged: it moves to its newest place
        latest[entry["answer_id"]] = entry
    return Feedback(list(latest.values()), unreadable)


def as_questions(entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Answers judged down as questions in the benchmark's format: `answer` is left for a person
    to fill with the right one, `evidence_list` holds what was cited, `shown` what was said."""
    return [
        {
            "query": entry["question"],
            "question_type": QUESTION_TYPE,
            "answer": "",
            "evidence_list": [
                {
                    "title": c.get("title", ""),
                    "source": c.get("source", ""),
                    "published_at": c.get("published") or "",
                    "url": c.get("url") or "",
                    "fact": c.get("passage", ""),
                }
                for c in entry.get("citations", [])
            ],
            "shown": entry.get("answer", ""),
            "refused": entry.get("refused", False),
            "comment": entry.get("comment", ""),
            "history": entry.get("history", []),
            "snapshot": entry.get("snapshot", ""),
        }
        for entry in entries
    ]
