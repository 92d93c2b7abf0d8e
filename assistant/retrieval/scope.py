"""Which articles a search may return: the outlets and publication days a question asks about.

A question's time expressions and outlet names become scopes: one for the whole question and
one per outlet it names, with the date written next to that outlet ("the TechCrunch report
published on October 7"). Retrieval searches within each scope and falls back to a wider one
when a scope holds nothing.
"""

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from assistant.retrieval import timeframe
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.outlets import Mention, mentions
from assistant.retrieval.timeframe import Timeframe
from assistant.settings import RetrievalSettings

# Published dates carry time zones and next-morning editions: a day named in a question
# admits the day either side (measured on MultiHop-RAG temporal questions, docs/benchmarks.md).
SLACK_DAYS = 1


@dataclass(frozen=True)
class Scope:
    """Outlets (None: any) and publication days (None: any) a search is limited to."""

    sources: frozenset[str] | None = None
    timeframe: Timeframe | None = None

    def rows(self, corpus: Corpus) -> np.ndarray | None:
        """BM25 rows of the chunks inside the scope; None when the scope is everything."""
        if self.sources is None and self.timeframe is None:
            return None
        mask = np.ones(len(corpus.row_days), dtype=bool)
        if self.sources is not None:
            mask &= np.isin(corpus.row_sources, sorted(self.sources))
        if self.timeframe is not None:
            frame = self.timeframe.widened(SLACK_DAYS)
            first = frame.start.toordinal() if frame.start else 1
            last = frame.end.toordinal() if frame.end else date.max.toordinal()
            mask &= (corpus.row_days >= first) & (corpus.row_days <= last)
        return np.flatnonzero(mask)

    def without_time(self) -> "Scope":
        return replace(self, timeframe=None)


@dataclass(frozen=True)
class Plan:
    """The scopes one question is searched in: per named outlet, and overall."""

    frames: list[Timeframe]
    outlets: list[tuple[Mention, Scope]]
    overall: Scope


def plan(question: str, corpus: Corpus, settings: RetrievalSettings) -> Plan:
    """Scopes for `question`, as the settings say dates and outlets count; relative dates count
    back from the settings' reference date or the newest article."""
    anchor = settings.reference_date or corpus.newest or date.today()
    frames = timeframe.find(question, anchor)
    named = mentions(question, corpus.outlet_names)
    outlets = []
    for i, mention in enumerate(named):
        following = named[i + 1].at if i + 1 < len(named) else len(question)
        preceding = named[i - 1].at if i else 0
        own = _frame_of(mention, frames, preceding, following)
        outlets.append((mention, Scope(mention.sources, own)))
    sources = frozenset().union(*(m.sources for m in named)) if named else None
    overall = Scope(sources if settings.outlets == "restrict" else None, timeframe.combined(frames))
    if settings.dates == "filter":
        return Plan(frames, outlets, overall)
    return Plan(frames, [(m, s.without_time()) for m, s in outlets], overall.without_time())


def _frame_of(
    mention: Mention, frames: list[Timeframe], preceding: int, following: int
) -> Timeframe | None:
    """The date written with an outlet: the first one after its name, else the last before it."""
    after = [f for f in frames if mention.at <= f.at < following]
    before = [f for f in frames if preceding <= f.at < mention.at]
    if after:
        return after[0]
    return before[-1] if before and preceding == 0 else None
