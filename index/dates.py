"""Publication dates as ISO 8601, from the many ways articles and feeds write them."""

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
# "October 7, 2023", "Oct. 7th 2023", "7 October 2023": the forms news pages print.
_WRITTEN = [
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})", re.I),
    re.compile(
        r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})", re.I
    ),
]


def iso_date(value: object) -> str | None:
    """ISO 8601 for a date or datetime in any common form; None when it is not understood.

    A bare date stays a date (no invented midnight); a date that cannot be read is dropped
    rather than guessed, so the article shows as undated.
    """
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str) or not value.strip():
        return None
    raw = " ".join(value.split())
    return _iso_form(raw) or _email_form(raw) or _written_form(raw)


def day(published: str | None) -> date | None:
    """The calendar day of a stored ISO date or datetime, as the article gives it."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def _iso_form(raw: str) -> str | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        return raw if _valid(raw) else None
    candidate = re.sub(r"(\.\d{6})\d+", r"\1", raw)  # nanoseconds, as some feeds write them
    candidate = re.sub(r"\s*[Zz]$", "+00:00", candidate)
    candidate = re.sub(r"\s*(?:UTC|GMT)$", "+00:00", candidate)
    try:
        return datetime.fromisoformat(candidate).isoformat()
    except ValueError:
        return None


def _email_form(raw: str) -> str | None:
    """RFC 2822, as in RSS feeds: 'Sat, 07 Oct 2023 10:00:00 GMT'."""
    if not re.match(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d", raw):
        return None
    try:
        return parsedate_to_datetime(raw).isoformat()
    except (TypeError, ValueError):
        return None


def _written_form(raw: str) -> str | None:
    for pattern in _WRITTEN:
        if match := pattern.fullmatch(raw.strip(" .")):
            month = MONTHS[match["month"].lower()]
            text = f"{int(match['year']):04d}-{month:02d}-{int(match['day']):02d}"
            return text if _valid(text) else None
    return None


def _valid(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
