"""How answers and sources look in the chat: escaped text, [n] links, highlighted passages."""

import re
from html import escape

from assistant.citations import Answer, Citation, Found
from assistant.errors import AssistantError
from assistant.library import literal
from assistant.service import Assistant

CONTEXT_CHARS = 300  # article text shown on each side of a cited passage

_MARKER = re.compile(r"\[(\d+)\]")
_STEP = re.compile(r"(\d{4}-\d{2}-\d{2}|undated) — (.*)", re.DOTALL)
_LAST_GAP = re.compile(r"\s\S*\Z")


def context_bounds(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[int, int]:
    """Where the context around `text[start:end]` begins and ends: about `width` characters
    each side, never mid-word."""
    return _context_start(text, start, width), _context_end(text, end, width)


def passage_in_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    """HTML of `text[start:end]` marked, inside about `width` characters of text on each side."""
    low, high = context_bounds(text, start, end, width)
    before = ("…" if low > 0 else "") + text[low:start].lstrip()
    after = text[end:high].rstrip() + ("…" if high < len(text) else "")
    return f"{escape(before)}<mark>{escape(text[start:end])}</mark>{escape(after)}"


def _context_start(text: str, start: int, width: int) -> int:
    """Where the context before a passage begins: at most `width` back, never mid-word."""
    low = max(0, start - width)
    if low == 0 or text[low - 1].isspace():
        return low
    gap = re.search(r"\s", text[low:start])
    return low + gap.end() if gap else start


def _context_end(text: str, end: int, width: int) -> int:
    """Where the context after a passage ends: at most `width` on, never mid-word."""
    high = min(len(text), end + width)
    if high == len(text) or text[high].isspace():
        return high
    gap = _LAST_GAP.search(text, end, high)
    return gap.start() if gap else end


def anchor(turn: int, number: int) -> str:
    """The HTML id of source `number` of the chat's `turn`-th answer."""
    # Per turn: an older answer's [1] must not scroll to the newest answer's source 1.
    return f"source-{turn}-{number}"


def answer_markdown(text: str, turn: int) -> str:
    """Answer text for the chat, shown literally, with each [n] linking to its source entry.

    A timeline (one "2023-10-07 — ..." line per step) becomes a list with the dates in bold.
    """
    steps = [_STEP.fullmatch(line) for line in text.split("\n")]
    if len(steps) > 1 and all(steps):
        return "\n".join(
            f"- **{step[1]}** — {_linked(step[2], turn)}" for step in steps if step is not None
        )
    return _linked(text, turn)


def _linked(text: str, turn: int) -> str:
    parts = _MARKER.split(text)  # text, number, text, number, ..., text
    for i in range(1, len(parts), 2):
        parts[i] = f"[\\[{parts[i]}\\]](#{anchor(turn, int(parts[i]))})"
    for i in range(0, len(parts), 2):
        parts[i] = literal(parts[i])
    return "".join(parts)


def trust_markdown(answer: Answer) -> str:
    """A line under an answer: what it rests on, and how much of what was written passed."""
    if answer.refused:
        return ""
    articles = len({c.doc_id for c in answer.citations})
    where = f"{articles} article{'s' if articles != 1 else ''}"
    if answer.verification:
        kept = sum(c.supported for c in answer.verification)
        written = len(answer.verification)
        line = f"{kept} of {written} sentences verified against {where}"
    else:
        quoted = len(answer.citations)
        line = f"{quoted} sentence{'s' if quoted != 1 else ''} quoted from {where}"
    return f"\n\n*{line}*"


def searched_markdown(answer: Answer) -> str:
    """A line under a follow-up's answer saying what was searched, when it is not the question."""
    if not answer.searched_for or answer.searched_for == " ".join(answer.question.split()):
        return ""
    return f"\n\n*Searched for: {literal(answer.searched_for)}*"


def evidence_html(found: Found) -> str:
    """The evidence the answer is being written from, while it is written."""
    articles = {c.doc_id for c in found.citations}
    items = "".join(
        f"<li><strong>{escape(c.title)}</strong> ({escape(c.outlet_and_day())}): "
        f"{escape(' '.join(c.passage.split()))}</li>"
        for c in found.citations
    )
    return (
        f"<p><em>Writing the answer from {len(found.citations)} passages of "
        f"{len(articles)} article{'s' if len(articles) != 1 else ''}; only sentences they "
        f"support are shown.</em></p><ul>{items}</ul>"
    )


def sources_html(assistant: Assistant, answer: Answer, turn: int) -> str:
    """The sources panel: every citation with its passage highlighted in the article's text."""
    return "".join(
        _source_entry(c, _document(assistant, c, answer.snapshot), turn) for c in answer.citations
    )


def _document(assistant: Assistant, citation: Citation, snapshot: str) -> str | None:
    """The cited document's text, or None if an index update replaced it since the answer."""
    try:
        text = assistant.document_text(citation, snapshot)
    except (AssistantError, KeyError):
        return None
    return text if text[citation.start : citation.end] == citation.passage else None


def _source_entry(citation: Citation, document: str | None, turn: int) -> str:
    """One source: number, title, outlet, date, file or link, and the passage in context."""
    details = [
        escape(part)
        for part in (citation.source, (citation.published or "")[:10] or "undated")
        if part
    ]
    if citation.also_reported_by:
        details.append(escape("also reported by " + "; ".join(citation.also_reported_by)))
    if citation.path:
        details.append(f"<code>{escape(citation.path)}</code>")
    if citation.url and citation.url.startswith(("https://", "http://")):
        url = escape(citation.url)
        details.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>')
    quoted = (
        passage_in_context(document, citation.start, citation.end)
        if document is not None
        else f"<mark>{escape(citation.passage)}</mark>"
    )
    return (
        f'<div class="source" id="{anchor(turn, citation.number)}" style="margin-bottom: 1.5em">'
        f"<p><strong>[{citation.number}] {escape(citation.title)}</strong><br>"
        f"{' · '.join(details)}</p>"
        f'<blockquote style="white-space: pre-wrap">{quoted}</blockquote></div>'
    )
