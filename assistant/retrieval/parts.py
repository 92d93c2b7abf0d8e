"""A question's parts: what each named report is asked about, and how the parts relate.

"Does the Polygon article suggest X, while the Essentially Sports article indicates Y?" asks
two things, each of one outlet, joined by "while": both must hold. Each part is searched in
its own outlet and dates and judged on its own evidence, so a two-report question is never
answered from one report. The split reads the question's grammar: outlet names (indexed or
not), the connectives that join clauses, and the words that say what is asked of the parts
(each holds, one came before the other, they agree or differ, something changed between them).
"""

import itertools
import re
from dataclasses import dataclass
from typing import Literal

from assistant.retrieval.outlets import Mention, foreign_outlets, mentions
from index.dates import MONTHS

Relation = Literal["single", "all", "order", "same", "differ", "changed"]
COMPARED = ("same", "differ", "changed")  # relations that weigh the reports side by side

_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should)"
# Where one part of a question ends and the next begins.
_CUT = re.compile(
    r"\s*(?:"
    r",?\s+(?:while|whereas)\s+|;\s*|,\s+but\s+|"
    rf",\s+(?:and|or)\s+(?={_AUX}\b|how\b|what\b)|"
    r",?\s+(?:compared\s+(?:to|with)|in\s+contrast\s+to|as\s+opposed\s+to|unlike|"
    r"relative\s+to)\s+|"
    r",\s+(?:and\s+)?(?=(?:is|are|was|were|has|have|had|also|who|which|while|recently|"
    r"currently)\s)|"
    r"\s+and\s+(?=(?:is|are|was|were|has|have|had|also)\s)"
    r")",
    re.IGNORECASE,
)
# "… before Engadget discussed …": the parts' order in time is what is asked.
_ORDER = re.compile(r"\s+(before|after|prior\s+to|earlier\s+than|later\s+than)\s+", re.I)
# A question opening with a clause ("After X reported …, did Y …?") asks its main clause.
_OPENER = re.compile(r"^\s*(?:after|before|following|since|between|considering|given)\b", re.I)
_MAIN = re.compile(rf",\s+(?={_AUX}\b|how\b|what\b|which\b)", re.I)
_BETWEEN = re.compile(r"^\s*between\s+(?P<a>.+?),?\s+and\s+(?P<b>.+)$", re.I)
# The phrase that leads up to an outlet's name: "and the later article from 'X'".
_LEAD_IN = re.compile(
    r"(?:,?\s+(?:and|as|with|than|to|in|from|by|that)\s+)?(?:(?:the|a|an|another)\s+)?"
    r"(?:(?:later|subsequent|earlier|other|second|same)\s+)?"
    r"(?:(?:article|report|piece|story|coverage)s?\s+(?:from|by|in|of)\s+)?['\"\u2018\u201c]?$",
    re.I,
)
_DIFFER = re.compile(
    r"\b(?:inconsisten\w*|contradict\w*|disagree\w*|differ\w*|discrepan\w*|chang\w*|shift\w*|"
    r"diverge\w*|deviat\w*|contrast\w*|conflict\w*|evolv\w*|decreas\w*|increas\w*|alter\w*)",
    re.I,
)
_CHANGE = re.compile(r"chang|shift|evolv|decreas|increas|alter", re.I)  # over time, not between
_SAME = re.compile(
    r"\b(?:consisten\w*|agree\w*|same|similar\w*|align\w*|remain\w*|maintain\w*|identical|"
    r"in\s+line|corroborat\w*|uniform\w*|comparable|unchanged|steady)",
    re.I,
)
_CLAIM = re.compile(r"\s(?:that|stating|saying|claiming|suggesting|indicating)\s", re.I)
_NEGATION = re.compile(r"\b(?:no|not|never|neither|nor|without|fail(?:ed|s)?\s+to)\b", re.I)
_ATTRIBUTION = re.compile(
    r"^\s*(?:(?:as\s+)?(?:reported|covered|noted|described|stated|featured|discussed|mentioned)"
    r"\s+(?:by|in)|according\s+to|as\s+per|per)\b",
    re.I,
)
_DATE_COMMA = re.compile(
    r"\b((?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?)"
    r",(\s+\d{4})",
    re.I,
)
_MASK = "\u2063"  # stands in for a date's comma while the question is cut at commas
_ORDERED = "\u2062"  # opens a clause that followed "before" or "after"
_JOIN = "\u2064"  # stands in for the spaces of an outlet's name ("Market And Economy News")
_ALTERNATIVE = re.compile(rf",?\s+or\s+(?:{_AUX}|is\s+there|are\s+there)\s[^,]*\??$", re.I)
_EACH = re.compile(r"\b(?:both|each|all|every)\b", re.I)
_CLOSING = re.compile(
    r",?\s+(?:(?:as\s+)?(?:reported|covered|noted|described|featured)\s+(?:by|in)|"
    r"according\s+to|as\s+per)\s+[^,]*$",
    re.I,
)
_CONNECTIVE = re.compile(r"^(?:and|or|but)\s+|\s+(?:and|or|but)$", re.I)
_RELATIVE = re.compile(r"^(?:which|who|that)\b", re.I)
_WORD = re.compile(r"[A-Za-z0-9][\w'\u2019-]*")
_FRAMING = {
    "the", "a", "an", "article", "articles", "report", "reports", "piece", "story", "coverage",
    "another", "same", "source", "does", "did", "do", "is", "was", "has", "and", "of", "by",
    "from", "in", "on", "as", "reported", "according", "to", "per", "that", "while", "both",
    "also", "multiple", "news", "published", "later", "subsequent", "earlier", "other",
}  # fmt: skip
MIN_WORDS = 3  # a clause with fewer words of its own is a connective, not a part


@dataclass(frozen=True)
class Part:
    """One thing a question asks of one report: its words, the outlets it names."""

    text: str  # the clause as the question words it, outlet and date included
    outlets: tuple[Mention, ...] = ()  # indexed outlets this part names
    missing: tuple[str, ...] = ()  # outlets it names of which the index holds no article
    only: str = ""  # of a clause naming several outlets ("both A and B"), the one it is about

    @property
    def query(self) -> str:
        """What the part is searched for: its clause, or for one outlet of several, the clause
        with the others' names left out."""
        if not self.only:
            return self.text
        text = self.text
        for mention in self.outlets:
            if mention.name != self.only:
                text = text.replace(mention.name, " ")
        return " ".join(text.split())

    @property
    def claim(self) -> str:
        """What the part says of its report, without the outlets' names."""
        text = self.text
        for name in [m.name for m in self.outlets] + list(self.missing):
            text = text.replace(name, " ")
        return " ".join(text.replace("''", " ").split())

    @property
    def unavailable(self) -> bool:
        """The part asks only about outlets the index does not hold."""
        return bool(self.missing) and not self.outlets


@dataclass(frozen=True)
class Parts:
    """The question split into parts, and what is asked of them together."""

    question: str
    parts: list[Part]
    relation: Relation
    topic: str = ""  # the main clause when the parts open the question ("was there a change …")
    negated: bool = False  # the question asks whether something did *not* hold
    options: tuple[str, ...] = ()  # "agree or disagree": the word for same, the one for differ

    @property
    def split(self) -> bool:
        """The question asks more than one thing."""
        return len(self.parts) > 1

    @property
    def missing(self) -> tuple[str, ...]:
        """Every outlet the question names of which the index holds no article."""
        return tuple(dict.fromkeys(m for p in self.parts for m in p.missing))


def split(question: str, outlet_names: dict[str, set[str]]) -> Parts:
    """The parts of `question`, read from its grammar; one part when it has no joints."""
    text = " ".join(question.split())
    options = _options(text)
    asked_text = _without_choice(text) if options else text
    masked = _protected(_DATE_COMMA.sub(rf"\1{_MASK}\2", asked_text), outlet_names)
    leading, topic = _opening(masked)
    between = _between(leading)
    clauses = between or _merged(_clauses(leading))
    if topic and (mentions(topic, outlet_names) or foreign_outlets(topic, outlet_names)):
        clauses, topic = [*clauses, topic], ""
    pieces = [p for c in clauses for p in _by_outlet(c, outlet_names)]
    parts = _attributed(
        [_part(_plain(p), outlet_names) for p in (pieces if between else _merged(pieces))]
    )
    topic = _plain(topic).rstrip("?")
    ordered = any(_ORDERED in p for p in pieces)
    relation = "same" if options else _relation(text, topic, parts, ordered)
    if _EACH.search(text) or relation in COMPARED:
        parts = [one for part in parts for one in _each_outlet(part)]
    asked = topic or text
    return Parts(
        question=text,
        parts=parts,
        relation=relation,
        topic=topic,
        negated=relation in COMPARED and bool(_NEGATION.search(asked)),
        options=options,
    )


def _protected(text: str, outlet_names: dict[str, set[str]]) -> str:
    """`text` with the spaces inside outlet names masked, so no cut falls inside a name."""
    for mention in mentions(text, outlet_names):
        end = mention.at + len(mention.name)
        text = text[: mention.at] + mention.name.replace(" ", _JOIN) + text[end:]
    return text


def _plain(text: str) -> str:
    return text.replace(_MASK, ",").replace(_JOIN, " ").replace(_ORDERED, "")


def _options(text: str) -> tuple[str, ...]:
    """The words a question offers for its answer ("consistent or inconsistent", "agree …, or
    do they present differing views"): the one meaning the reports agree, then the other. A
    closing "or do these claims align?" offers one word, and its denial."""
    at = text.lower().rfind(" or ")
    if at < 0:
        return ()
    head, tail = text[:at], text[at:]
    if not (_SAME.search(tail) or _DIFFER.search(tail)):
        return ()
    # The offered word is the one nearest the "or": "has it remained consistent or …".
    same = _SAME.search(tail) or _last(_SAME, head)
    differ = _DIFFER.search(tail) or _last(_DIFFER, head)
    if same and differ:
        return (same[0], differ[0])
    if same:
        return (same[0], f"do not {same[0]}")
    return ()


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = list(pattern.finditer(text))
    return found[-1] if found else None


def _without_choice(text: str) -> str:
    """The question without its closing alternative (", or do they present differing views")."""
    found = _ALTERNATIVE.search(text)
    return text[: found.start()] if found else text


def _opening(text: str) -> tuple[str, str]:
    """A question that opens with a clause, cut into that clause and its main clause."""
    if not _OPENER.match(text):
        return text, ""
    cuts = list(_MAIN.finditer(text))
    if not cuts:
        return text, ""
    return text[: cuts[-1].start()], text[cuts[-1].end() :]


def _between(text: str) -> list[str]:
    """ "Between the X report on … and the Y report on …": the two reports."""
    found = _BETWEEN.match(text)
    return [found["a"], found["b"]] if found else []


def _clauses(text: str) -> list[str]:
    """The question cut at its connectives ("while", "; ", ", and is", "compared to"), and
    at "before"/"after" between two clauses (`_ORDERED` marks the second)."""
    pieces, start = [], 0
    for cut in _CUT.finditer(text):
        pieces.append(text[start : cut.start()])
        start = cut.end()
    pieces.append(text[start:])
    ordered: list[str] = []
    for piece in pieces:
        order = _ORDER.search(piece)
        if order and not _OPENER.match(piece) and _own_words(piece[order.end() :]) >= MIN_WORDS:
            ordered += [piece[: order.start()], _ORDERED + piece[order.end() :]]
        else:
            ordered.append(piece)
    return [_trimmed(p) for p in ordered if _trimmed(p)]


def _trimmed(clause: str) -> str:
    """A clause without the connective left at either end ("…, or", "and …")."""
    return _CONNECTIVE.sub("", clause.strip(" ,;?")).strip(" ,;?")


def _by_outlet(clause: str, outlet_names: dict[str, set[str]]) -> list[str]:
    """A clause naming two reports with words about each between them, cut before the second."""
    named = mentions(_plain(clause), outlet_names)
    cuts = []
    for before, after in itertools.pairwise(named):
        between = clause[before.at + len(before.name) : after.at]
        if _own_words(between) >= MIN_WORDS:
            lead = _LEAD_IN.search(_plain(clause[: after.at]))
            cuts.append(lead.start() if lead else after.at)
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(clause[start:cut])
        start = cut
    pieces.append(clause[start:])
    return [_trimmed(p) for p in pieces if _trimmed(p)]


def _merged(clauses: list[str]) -> list[str]:
    """Clauses too short to ask anything joined to the one before (or after)."""
    merged: list[str] = []
    for clause in clauses:
        # "the report by The Age, which maintained that …": the clause describes the report.
        describes = _RELATIVE.match(clause) and merged and _names_outlet(merged[-1])
        if merged and (
            describes or _own_words(clause) < MIN_WORDS or _own_words(merged[-1]) < MIN_WORDS
        ):
            merged[-1] = f"{merged[-1]}, {clause}"
        else:
            merged.append(clause)
    return merged


def _names_outlet(clause: str) -> bool:
    return _JOIN in clause or bool(re.search(r"\b(?:article|report|piece)\b", clause, re.I))


def _own_words(clause: str) -> int:
    return sum(w.lower() not in _FRAMING for w in _WORD.findall(clause))


def _part(clause: str, outlet_names: dict[str, set[str]]) -> Part:
    named = tuple(mentions(clause, outlet_names))
    return Part(clause, named, tuple(foreign_outlets(clause, outlet_names)))


def _each_outlet(part: Part) -> list[Part]:
    """ "Did both A and B report X?": one part per outlet, each about X."""
    names = list(dict.fromkeys(m.name for m in part.outlets))
    if len(names) < 2 or part.missing:
        return [part]
    return [Part(part.text, part.outlets, (), name) for name in names]


def _attributed(parts: list[Part]) -> list[Part]:
    """A part that names outlets and little else ("according to A and B") names the outlets
    of the parts that name none, and is not a part of its own."""
    sources = [p for p in parts if (p.outlets or p.missing) and _attribution_only(p)]
    closing = _CLOSING.search(parts[-1].text) if parts else None
    if len(parts) < 2 or not (sources or closing):
        return parts
    if not sources:  # "…, as reported by A and B" closing the last clause: every clause's
        assert closing is not None
        sources = [Part(closing[0], parts[-1].outlets, parts[-1].missing)]
    outlets = tuple(m for p in sources for m in p.outlets)
    missing = tuple(m for p in sources for m in p.missing)
    tail = " ".join(p.text for p in sources).strip(" ,")
    return [
        p if p.outlets or p.missing else Part(f"{p.text} ({tail})", outlets, missing)
        for p in parts
        if p not in sources
    ]


def _attribution_only(part: Part) -> bool:
    text = part.text
    for name in [m.name for m in part.outlets] + list(part.missing):
        text = text.replace(name, " ")
    return bool(_ATTRIBUTION.match(text.lstrip(" ,"))) and _own_words(text) < MIN_WORDS + 2


def _relation(text: str, topic: str, parts: list[Part], ordered: bool) -> Relation:
    """What is asked of the parts: each to hold, an order in time, or agreement."""
    # What a report is said to say ("suggest that it has maintained …") is not what is asked.
    asked = topic or " ".join(_CLAIM.split(p.text, maxsplit=1)[0] for p in parts)
    differ, same = _DIFFER.search(asked), _SAME.search(asked)
    if differ and (not same or differ.start() < same.start()):
        return "changed" if _CHANGE.match(differ[0]) else "differ"
    if same:
        return "same"
    if len(parts) < 2:
        return "single"
    if ordered:
        return "order"
    return "all"
