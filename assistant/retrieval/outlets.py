"""Find the news outlets a question names, and the part of the question about each.

Multi-article news questions name their sources ("the TechCrunch report on ..., and The Verge
article on ..."); retrieving per named outlet with that part of the question finds each
article, where one search with the whole question finds mostly one of them.
"""

import re
from dataclasses import dataclass

MIN_NAME = 4  # shorter names ("Wired" is 5) would match ordinary words too often

# Well-known outlets a question may name though the index holds none of their articles: a
# question about "the Bloomberg article" is then about a report that is not here. Matched
# case-sensitively, as names are written.
KNOWN_OUTLETS = (
    "ABC News",
    "Al Jazeera",
    "Ars Technica",
    "Associated Press",
    "Axios",
    "Barron's",
    "BBC",
    "BBC News",
    "BBC Sport",
    "Billboard",
    "Bleacher Report",
    "Bloomberg",
    "Business Insider",
    "BuzzFeed",
    "CBS News",
    "Channel NewsAsia",
    "Chicago Tribune",
    "CNBC",
    "CNET",
    "CNN",
    "Cricbuzz",
    "Daily Mail",
    "Deutsche Welle",
    "DW",
    "Engadget",
    "ESPN",
    "ESPN Cricinfo",
    "ESPNcricinfo",
    "Financial Times",
    "Forbes",
    "Fortune",
    "Fox News",
    "Gizmodo",
    "Hindustan Times",
    "HuffPost",
    "IGN",
    "Kotaku",
    "Le Monde",
    "Los Angeles Times",
    "MarketWatch",
    "Mashable",
    "NBC News",
    "New York Post",
    "New York Times",
    "NPR",
    "Pitchfork",
    "Politico",
    "Polygon",
    "ProPublica",
    "Reuters",
    "Rolling Stone",
    "Sky News",
    "Sky Sports",
    "Sports Illustrated",
    "TechCrunch",
    "The Athletic",
    "The Atlantic",
    "The Economic Times",
    "The Economist",
    "The Guardian",
    "The Hindu",
    "The Hollywood Reporter",
    "The Independent",
    "The New York Times",
    "The Telegraph",
    "The Times of India",
    "The Verge",
    "The Wall Street Journal",
    "The Washington Post",
    "Times of India",
    "USA Today",
    "Vanity Fair",
    "Vox",
    "Wall Street Journal",
    "Washington Post",
    "Wired",
    "Yahoo Finance",
    "Yahoo News",
    "ZDNet",
)


@dataclass(frozen=True)
class Mention:
    """An outlet named in a question: which indexed sources it means and the clause about it."""

    sources: frozenset[str]
    clause: str
    at: int = 0  # where the outlet's name begins in the question
    name: str = ""  # the name as the question writes it


def aliases(sources: set[str]) -> dict[str, set[str]]:
    """Lower-cased names a question may use for each source: the full name and its short form."""
    names: dict[str, set[str]] = {}
    for source in sources:
        forms = {source, source.split(" | ")[0]}
        forms |= {f.removeprefix("The ") for f in forms}
        for form in forms:
            if len(form.strip()) >= MIN_NAME:
                names.setdefault(form.strip().lower(), set()).add(source)
    return names


def mentions(question: str, names: dict[str, set[str]]) -> list[Mention]:
    """Outlets named in `question`, in order, each with the text up to the next mention."""
    if not names:
        return []
    longest_first = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, longest_first)) + r")\b", re.I)
    found = list(pattern.finditer(question))
    result = []
    for i, match in enumerate(found):
        start = found[i - 1].end() if i else 0
        end = found[i + 1].start() if i + 1 < len(found) else len(question)
        clause = question[start:end].strip(" ,;")
        sources = frozenset(names[match.group(1).lower()])
        result.append(Mention(sources, clause, match.start(), match.group(1)))
    return result


def foreign_outlets(question: str, names: dict[str, set[str]]) -> list[str]:
    """Well-known outlets `question` names of which the index holds no article, in order."""
    found: list[tuple[int, str]] = []
    for outlet in sorted(KNOWN_OUTLETS, key=len, reverse=True):
        if _indexed(outlet, names):
            continue
        for match in re.finditer(rf"(?<![\w-]){re.escape(outlet)}(?![\w-])", question):
            if not any(at <= match.start() < at + len(name) for at, name in found):
                found.append((match.start(), outlet))
    return [name for _, name in sorted(found)]


def _indexed(outlet: str, names: dict[str, set[str]]) -> bool:
    """Whether an indexed source goes by `outlet` or a longer form of it ("The Independent -
    Life and Style" for "The Independent")."""
    short = outlet.removeprefix("The ").lower()
    return any(name.removeprefix("the ").startswith(short) for name in names)
