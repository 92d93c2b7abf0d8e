"""Time in a question: the publication dates it asks about, as day ranges.

Explicit dates ("on October 7, 2023", "2023-10-07", "in October 2023"), ranges ("between
September and November 2023", "before the November 2 report", "after October 31") and relative
ones ("yesterday", "this week", "last month") are read relative to a reference date: the newest
article in the index unless the settings name one, since "last week" in a news archive means
the archive's last week, not the reader's.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from index.dates import MONTHS

_MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
# One point or period of time, most specific form first.
_POINT = (
    rf"(?P<iso>{_YEAR}-\d{{2}}-\d{{2}})(?:T[\d:.+Z-]*)?"
    rf"|(?P<md>{_MONTH}\s+{_DAY})(?:,?\s+(?P<mdy>{_YEAR}))?\b"
    rf"|(?P<dm>{_DAY}\s+(?:of\s+)?{_MONTH})(?:,?\s+(?P<dmy>{_YEAR}))?\b"
    rf"|(?P<month>{_MONTH})(?:\s+(?:of\s+)?(?P<my>{_YEAR}))?\b"
    rf"|(?P<year>{_YEAR})\b"
)
_POINT_RE = re.compile(_POINT, re.I)
_RANGE = re.compile(
    rf"\b(?:between|from)\s+(?P<a>{_POINT.replace('?P<', '?P<a_')})\s+(?:and|to|until)\s+"
    rf"(?P<b>{_POINT.replace('?P<', '?P<b_')})",
    re.I,
)
_BOUND = re.compile(
    r"\b(?P<word>on or before|on or after|no later than|before|after|since|until|prior to)"
    r"\s+(?:the\s+)?",
    re.I,
)
# Words after which a bare month name is a date ("in May", "since March", "last June").
_MONTH_CONTEXT = re.compile(
    r"\b(?:in|during|since|last|this|next|early|late|mid|of|until|till|before|after|by|from|"
    r"between|through|throughout|and|or|to)$"
)
_RELATIVE = re.compile(
    r"\b(?P<word>today|yesterday|this week|last week|past week|this month|last month|"
    r"past month|this year|last year|(?:past|last) (?P<n>\d+) days)\b",
    re.I,
)


@dataclass(frozen=True)
class Timeframe:
    """Publication days a question asks about, inclusive; None leaves that side open."""

    start: date | None
    end: date | None
    phrase: str  # the words of the question it was read from
    at: int  # where in the question those words begin

    def widened(self, days: int) -> "Timeframe":
        """The same frame with `days` of slack each side (time zones, next-morning editions)."""
        pad = timedelta(days=days)
        return Timeframe(
            self.start and self.start - pad, self.end and self.end + pad, self.phrase, self.at
        )


def find(question: str, reference: date) -> list[Timeframe]:
    """Every time expression in `question`, in order, as day ranges."""
    frames: list[Timeframe] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for match in _RANGE.finditer(question):
        first = _point(match, "a_", reference)
        last = _point(match, "b_", reference)
        if first and last:
            frames.append(Timeframe(first[0], last[1], match[0], match.start()))
            taken.append(match.span())
    for match in _RELATIVE.finditer(question):
        if free(*match.span()):
            start, end = _relative(match["word"].lower(), match["n"], reference)
            frames.append(Timeframe(start, end, match[0], match.start()))
            taken.append(match.span())
    for match in _POINT_RE.finditer(question):
        if not free(*match.span()) or (match["year"] and _is_number(question, match)):
            continue
        if match["month"] and not match["my"] and not _dated_month(question, match):
            continue  # "May I ask", "Theresa May", "it may rain": a name or a verb
        period = _point(match, "", reference)
        if period is None:
            continue
        bound = _bound_before(question, match.start(), taken)
        span: tuple[date | None, date | None] = period
        at = match.start()
        if bound is not None:
            span, at = _bounded(bound[0], period), bound[1]
        frames.append(Timeframe(span[0], span[1], question[at : match.end()], at))
        taken.append((at, match.end()))
    return sorted(frames, key=lambda f: f.at)


def combined(frames: list[Timeframe]) -> Timeframe | None:
    """One frame spanning them all (the question's overall period), or None without any."""
    if not frames:
        return None
    starts = [f.start for f in frames]
    ends = [f.end for f in frames]
    start = None if None in starts else min(s for s in starts if s)
    end = None if None in ends else max(e for e in ends if e)
    return Timeframe(start, end, "; ".join(f.phrase for f in frames), frames[0].at)


def _dated_month(question: str, match: re.Match[str]) -> bool:
    """A month named alone is a date only where a date belongs: "in May", "last May"."""
    if not match["month"][0].isupper():
        return False
    before = question[: match.start()].rstrip().lower()
    return bool(_MONTH_CONTEXT.search(before))


def _is_number(question: str, match: re.Match[str]) -> bool:
    """A bare year-like number that is a quantity ("2000 receiving yards"), not a year."""
    before = question[: match.start()].rstrip().lower()
    after = question[match.end() :].lstrip()
    return not re.search(r"\b(in|of|since|year|during|early|late|from|to)$", before) or bool(
        re.match(r"[-+%\d]", after)
    )


def _point(match: re.Match[str], p: str, reference: date) -> tuple[date, date] | None:
    """The first and last day of the period a point expression names."""
    g = match.groupdict()
    try:
        if g.get(p + "iso"):
            day = date.fromisoformat(g[p + "iso"])
            return day, day
        for key, year_key in (("md", "mdy"), ("dm", "dmy")):
            if text := g.get(p + key):
                month = _month_of(text)
                number = int(re.search(r"\d+", text)[0])  # type: ignore[index]  # the regex has one
                day = _in_year(month, number, g.get(p + year_key), reference)
                return day, day
        if g.get(p + "month"):
            month = _month_of(g[p + "month"])
            year = int(g[p + "my"]) if g.get(p + "my") else _year_for(month, reference)
            return date(year, month, 1), _month_end(year, month)
        if g.get(p + "year"):
            year = int(g[p + "year"])
            return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None  # "February 30": not a day, so no restriction
    return None


def _month_of(text: str) -> int:
    return next(MONTHS[w.lower()] for w in re.findall(r"[A-Za-z]+", text) if w.lower() in MONTHS)


def _in_year(month: int, number: int, year: str | None, reference: date) -> date:
    """A day; without a year, the latest such day not after the reference date."""
    if year:
        return date(int(year), month, number)
    candidate = date(reference.year, month, number)
    return candidate if candidate <= reference else date(reference.year - 1, month, number)


def _year_for(month: int, reference: date) -> int:
    return reference.year if month <= reference.month else reference.year - 1


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _bound_before(question: str, at: int, taken: list[tuple[int, int]]) -> tuple[str, int] | None:
    """'before', 'after', ... and the words up to a date, when they lead to it directly."""
    window = question[max(0, at - 40) : at]
    found = None
    for match in _BOUND.finditer(window):
        gap = window[match.end() :]
        # "before the November 2 report", "after mid October": at most one word in between
        if len(gap.split()) <= 1 and not re.search(r"[,.;?]", gap):
            found = (match["word"].lower(), max(0, at - 40) + match.start())
    if found and all(found[1] >= e or at <= s for s, e in taken):
        return found
    return None


def _bounded(word: str, period: tuple[date, date]) -> tuple[date | None, date | None]:
    one = timedelta(days=1)
    match word:
        case "before" | "prior to":
            return None, period[0] - one
        case "on or before" | "until" | "no later than":
            return None, period[1]
        case "after":
            return period[1] + one, None
        case _:  # "since", "on or after"
            return period[0], None


def _relative(word: str, n: str | None, reference: date) -> tuple[date, date]:
    monday = reference - timedelta(days=reference.weekday())
    first = reference.replace(day=1)
    match word:
        case "today":
            return reference, reference
        case "yesterday":
            day = reference - timedelta(days=1)
            return day, day
        case "this week":
            return monday, reference
        case "last week":
            return monday - timedelta(days=7), monday - timedelta(days=1)
        case "past week":
            return reference - timedelta(days=6), reference
        case "this month":
            return first, reference
        case "last month":
            end = first - timedelta(days=1)
            return end.replace(day=1), end
        case "past month":
            return reference - timedelta(days=29), reference
        case "this year":
            return reference.replace(month=1, day=1), reference
        case "last year":
            return date(reference.year - 1, 1, 1), date(reference.year - 1, 12, 31)
    return reference - timedelta(days=int(n or 1) - 1), reference  # past/last N days
