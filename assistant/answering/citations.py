"""What an answer is made of: its text, numbered citations with exact spans, and refusals."""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.answering.sentences import Sentence

UNDATED = "undated"  # shown in place of the date of an article that has none


def day_of(published: str | None) -> str:
    """'2023-10-07' from an article's ISO timestamp, or 'undated' when it has none."""
    return (published or "")[:10] or UNDATED


@dataclass(frozen=True)
class Citation:
    """A numbered source: `document_text[start:end] == passage` holds for every citation."""

    number: int
    doc_id: str
    title: str
    source: str | None
    published: str | None
    path: str | None  # the file (or file#item) in the docs folder
    url: str | None
    passage: str
    start: int
    end: int
    score: float
    also_reported_by: tuple[str, ...] = ()  # near-duplicates of the cited article: "Outlet, day"

    @classmethod
    def of(cls, number: int, sentence: "Sentence", score: float) -> "Citation":
        """The citation of one sentence of a retrieved passage, at its exact span."""
        p = sentence.passage
        return cls(
            number=number,
            doc_id=p.doc_id,
            title=p.title,
            source=p.source,
            published=p.published,
            path=p.names[0] if p.names else None,
            url=p.url,
            passage=sentence.text,
            start=sentence.start,
            end=sentence.end,
            score=round(score, 4),
        )

    def label(self) -> str:
        """How a reader sees the source: title, outlet and date (or that it has none)."""
        return f"{self.title} ({self.outlet_and_day()})"

    def outlet_and_day(self) -> str:
        """'TechCrunch, 2023-10-07', or 'undated' in place of a date the article lacks."""
        day = day_of(self.published)
        return f"{self.source}, {day}" if self.source else day


@dataclass(frozen=True)
class SentenceCheck:
    """How one generated sentence fared: the passages it cited and how well they support it."""

    text: str
    cited: tuple[int, ...]  # numbers of the prompt's passages it cites; unknown ones removed
    support: float
    supported: bool
    attributed: bool = False  # the model cited nothing; `cited` is the passage found to support it


@dataclass(frozen=True)
class PartFinding:
    """One part of a question of several, as the answer found it."""

    text: str  # the part as the question words it
    found: bool  # its evidence states it
    citations: tuple[int, ...] = ()  # numbers of the citations it rests on
    note: str = ""  # why it was not found, when the reason is known ("no Bloomberg articles")

    def line(self) -> str:
        """'- <part>: found [1]', or '- <part>: not found (why)', as plain text shows it."""
        if self.found:
            return f"- {self.text}: found {''.join(f'[{n}]' for n in self.citations)}".rstrip()
        return f"- {self.text}: not found" + (f" ({self.note})" if self.note else "")


@dataclass(frozen=True)
class Asked:
    """One question as it is answered: as the reader asked it, as it was searched for (a
    follow-up's standalone rewrite), and the index version it is answered from."""

    question: str
    searched_for: str
    snapshot: str


@dataclass(frozen=True)
class Answer:
    """The reply to one question: text with [n] markers, its citations, and whether it refused.

    Built whole where it is written; nothing fills in its fields afterwards.
    """

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    searched_for: str = ""
    support: float = 0.0
    timeline: bool = False  # one dated line per step, oldest first
    verification: list[SentenceCheck] = field(default_factory=list)  # generated answers only
    short: str | None = None  # the direct answer ("Yes", a name) when the question asks for one
    timings: dict[str, Any] = field(default_factory=dict)  # the model's token counts and speeds
    snapshot: str = ""  # the index version it was answered from: "gen-…@<manifest version>"
    parts: list[PartFinding] = field(default_factory=list)  # a question of several parts, each
    note: str = ""  # how the answer was reached, when it is not the usual way ("quoted …")


@dataclass(frozen=True)
class Found:
    """The evidence an answer is being written from, numbered as the writer sees it."""

    citations: list[Citation]


@dataclass(frozen=True)
class Sources:
    """The texts of the documents an answer cites, by doc_id, from the index version it was
    written from: its sources show what it quoted even if an update follows at once."""

    texts: dict[str, str]
