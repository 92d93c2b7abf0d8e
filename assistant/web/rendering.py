"""How answers and sources look in the chat: escaped text, [n] links, highlighted passages."""

import re
from collections.abc import Mapping
from datetime import date
from html import escape

from assistant.answering.citations import UNDATED, Answer, Citation, Found

CONTEXT_CHARS = 300  # article text shown on each side of a cited passage

_MARKER = re.compile(r"\[(\d+)\]")
_STEP = re.compile(rf"(\d{{4}}-\d{{2}}-\d{{2}}|{UNDATED}) — (.*)", re.DOTALL)
_LAST_GAP = re.compile(r"\s\S*\Z")
# Characters that would make an article's or a user's text render as Markdown or HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&#|~])")


def literal(text: str) -> str:
    """`text` escaped so Markdown shows it as typed (articles and users may write `*`, `<`, `#`)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def message_markdown(text: str) -> str:
    """A message as the page should show it: its `commands` as code, the rest as typed (a
    folder named my_news must not turn italic)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        return literal(text)
    return "".join(f"`{part}`" if i % 2 else literal(part) for i, part in enumerate(parts))


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
    if answer.note:
        line += f". {literal(answer.note)}"
    return f"\n\n*{line}*"


def parts_markdown(answer: Answer, turn: int) -> str:
    """Under an answer to a question of several parts: each part, found (with the sources it
    rests on) or not, and why not when that is known."""
    if not answer.parts:
        return ""
    lines = ["\n\n**Parts of the question**"]
    for part in answer.parts:
        if part.found:
            cited = " ".join(f"[\\[{n}\\]](#{anchor(turn, n)})" for n in part.citations)
            lines.append(f"- found: {literal(part.text)} {cited}".rstrip())
        else:
            why = f" ({literal(part.note)})" if part.note else ""
            lines.append(f"- not found: {literal(part.text)}{why}")
    return "\n".join(lines)


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


# A source reached from its [n] flashes, so the eye finds it in a long card.
SOURCES_STYLE = (
    "<style>.article{margin-bottom:1.5em}.source:target mark{animation:flash 1.6s ease-out}"
    "@keyframes flash{0%{background:orange}100%{background:yellow}}"
    ".chips a{display:inline-block;margin:0 .4em .4em 0;padding:.1em .6em;border-radius:1em;"
    "border:1px solid var(--border-color-primary);text-decoration:none}"
    ".quiet{opacity:.7}</style>"
)


def sources_html(answer: Answer, turn: int, texts: Mapping[str, str]) -> str:
    """The sources panel: a chip per article, then one card per cited article with every
    sentence the answer cites from it highlighted in its context and labelled with its [n].

    `texts` holds the cited documents as the answer's index version had them (`Sources`).
    """
    by_article: dict[str, list[Citation]] = {}
    for citation in answer.citations:  # articles in the order the answer first cites them
        by_article.setdefault(citation.doc_id, []).append(citation)
    if not by_article:
        return ""
    cards, chips = [], []
    for k, cited in enumerate(by_article.values(), 1):
        card = article_anchor(turn, k)
        chips.append(f'<a href="#{card}">{escape(_chip(cited[0]))}</a>')
        cards.append(_article_card(cited, _document(cited, texts), card, turn))
    copy = (
        '<p><button class="copy" type="button" onclick="navigator.clipboard.writeText('
        "this.parentElement.nextElementSibling.value);this.textContent='Copied'\">"
        "Copy answer with sources</button></p>"
        f'<textarea class="citable" hidden readonly>{escape(citable_markdown(answer))}</textarea>'
    )
    return f'{SOURCES_STYLE}<p class="chips">{"".join(chips)}</p>{copy}{"".join(cards)}'


def citable_markdown(answer: Answer) -> str:
    """The answer as Markdown to paste elsewhere: its text with [n] markers, then each source
    numbered with headline, outlet, date, link (or file) and the passage it rests on."""
    lines = [answer.text.strip()]
    for c in answer.citations:
        where = [p for p in (c.source, news_day(c.published)) if p]
        link = c.url if c.url and c.url.startswith(("https://", "http://")) else None
        headline = f"[{c.title}]({link})" if link else c.title
        if not link and c.path:
            where.append(f"`{c.path}`")
        said = " ".join(c.passage.split())
        lines.append(f"[{c.number}] {headline}{' — ' if where else ''}{', '.join(where)}: “{said}”")
    return "\n\n".join(lines) + "\n"  # one paragraph each, in any Markdown


def article_anchor(turn: int, k: int) -> str:
    """The HTML id of the `k`-th cited article's card in the chat's `turn`-th answer."""
    return f"article-{turn}-{k}"


def news_day(published: str | None) -> str:
    """'1 Oct 2023' from an ISO date; '' when the article has none."""
    try:
        day = date.fromisoformat((published or "")[:10])
    except ValueError:
        return ""
    return f"{day.day} {day:%b %Y}"


def _chip(citation: Citation) -> str:
    """The article in a few words: 'TechCrunch · 1 Oct 2023', or its headline when it has
    neither outlet nor date."""
    parts = [p for p in (citation.source, news_day(citation.published)) if p]
    return " · ".join(parts) if parts else citation.title


def _article_card(cited: list[Citation], document: str | None, card: str, turn: int) -> str:
    """One article: headline, outlet, date, also-reported-by, file or link, and each cited
    sentence marked in its context, in the article's order."""
    first = cited[0]
    details = [escape(p) for p in (first.source, news_day(first.published)) if p]
    if not first.published:
        details.append(f'<span class="quiet">{UNDATED}</span>')
    if first.also_reported_by:
        details.append(escape("also reported by " + "; ".join(first.also_reported_by)))
    if first.path:
        details.append(f"<code>{escape(first.path)}</code>")
    if first.url and first.url.startswith(("https://", "http://")):
        url = escape(first.url)
        details.append(f'<a href="{url}" target="_blank" rel="noopener noreferrer">{url}</a>')
    quotes = "".join(
        f'<blockquote style="white-space: pre-wrap">{quote}</blockquote>'
        for quote in _quotes(cited, document, turn)
    )
    return (
        f'<div class="article" id="{card}"><p><strong class="headline">'
        f"{escape(first.title)}</strong><br>{' · '.join(details)}</p>{quotes}</div>"
    )


def _quotes(cited: list[Citation], document: str | None, turn: int) -> list[str]:
    """Each cited sentence marked and labelled in its context; sentences whose contexts meet
    share one quote. Without the document (an update replaced it) the passages alone."""
    if document is None:
        return [_marked(c, turn) for c in sorted(cited, key=lambda c: c.number)]
    quotes: list[str] = []
    ordered = sorted(cited, key=lambda c: (c.start, c.end))
    group: list[Citation] = []
    high = -1
    for citation in ordered:
        low, next_high = context_bounds(document, citation.start, citation.end)
        if group and (low > high or citation.start < group[-1].end):  # apart, or overlapping
            quotes.append(_in_context(document, group, turn))
            group = []
        high = max(high, next_high) if group else next_high
        group.append(citation)
    quotes.append(_in_context(document, group, turn))
    return quotes


def _in_context(document: str, group: list[Citation], turn: int) -> str:
    low = context_bounds(document, group[0].start, group[0].end)[0]
    high = max(context_bounds(document, c.start, c.end)[1] for c in group)
    parts = ["…" if low > 0 else ""]
    at = low
    for citation in group:
        between = document[at : citation.start]
        parts.append(escape(between.lstrip() if at == low else between))
        parts.append(_marked(citation, turn))
        at = citation.end
    parts.append(escape(document[at:high].rstrip()) + ("…" if high < len(document) else ""))
    return "".join(parts)


def _marked(citation: Citation, turn: int) -> str:
    """One cited sentence, highlighted, labelled with its [n], and the target of its link."""
    return (
        f'<span class="source" id="{anchor(turn, citation.number)}">'
        f"<strong>[{citation.number}]</strong>\u00a0<mark>{escape(citation.passage)}</mark></span>"
    )


def _document(cited: list[Citation], texts: Mapping[str, str]) -> str | None:
    """The cited document's text, or None when it is missing or does not hold the passages."""
    text = texts.get(cited[0].doc_id)
    if text is None or any(text[c.start : c.end] != c.passage for c in cited):
        return None
    return text
