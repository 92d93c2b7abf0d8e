"""Find the news outlets a question names, and the part of the question about each.

Multi-article news questions name their sources ("the TechCrunch report on ..., and The Verge
article on ..."); retrieving per named outlet with that part of the question finds each
article, where one search with the whole question finds mostly one of them.
"""

import re
from dataclasses import dataclass

MIN_NAME = 4  # shorter names ("Wired" is 5) would match ordinary words too often


@dataclass(frozen=True)
class Mention:
    """An outlet named in a question: which indexed sources it means and the clause about it."""

    sources: frozenset[str]
    clause: str
    at: int = 0  # where the outlet's name begins in the question


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
        result.append(Mention(frozenset(names[match.group(1).lower()]), clause, match.start()))
    return result
