"""Yes or No to a yes/no question: each part checked on its own evidence, combined by rule.

"No. Not found in the articles: “the TechCrunch article reports that …”. The Verge, 10
October 2023: “…” [1]": the verdict leads, then each part that was found, quoted from the best
sentence of its own search (which verifies by construction), with outlet and day. What is
decided, and how, is `verdicts.py`; this writes it. No model is asked: on dev questions its
judgment of each part added nothing to the rules (docs/answers.md).
"""

from collections.abc import Iterator

from assistant.answering import quoting, verdicts
from assistant.answering.citations import Answer, Asked, PartFinding
from assistant.answering.evidence import Evidence
from assistant.answering.gathering import Gathered
from assistant.answering.sentences import Sentence, with_context
from assistant.answering.verdicts import Signals
from assistant.prompts import render
from assistant.retrieval.parts import COMPARED, Part, Parts


def asks_verdict(parts: Parts, kind: str) -> bool:
    """Whether the question is answered Yes or No (or by one of two offered words)."""
    return kind == "verdict" or (kind == "choice" and bool(parts.options))


def signals(gathered: Gathered) -> Signals:
    """What the verdict reads: each part's evidence, and the dates of the articles it rests on."""
    evidence = _each(gathered)
    days = [e.sentences[0].sentence.passage.published if e.sentences else None for e in evidence]
    return Signals(
        parts=gathered.parts,
        support=[e.support if e.sentences else 0.0 for e in evidence],
        coverage=[e.best_coverage if e.sentences else 0.0 for e in evidence],
        order=verdicts.order_sign(gathered.parts, days),
    )


def stream(asked: Asked, gathered: Gathered) -> Iterator[str | Answer]:
    """Decide Yes or No by rule and tell it part by part."""
    read = signals(gathered)
    yes = verdicts.decide(read)
    quoted: list[tuple[Sentence, float]] = []
    findings, missing = [], []
    for part, evidence, found in zip(
        gathered.parts.parts, _each(gathered), read.found, strict=True
    ):
        if found and evidence.sentences:
            best = evidence.sentences[0]
            quoted.append((with_context(best.sentence), best.relevance))
            findings.append(PartFinding(part.text, True, (len(quoted),)))
        else:
            missing.append(part)
            findings.append(PartFinding(part.text, False, note=_why(part)))
    pieces, answer = quoting.told(
        asked,
        _lead(gathered.parts, yes, missing),
        quoted,
        gathered.evidence.support,
        short=_short(gathered.parts, yes),
        parts=findings if len(findings) > 1 or missing else [],
    )
    yield from pieces
    yield answer


def _each(gathered: Gathered) -> list[Evidence]:
    """Each part's own evidence; for a question of one part, the whole question's."""
    return [p.evidence for p in gathered.each] or [gathered.evidence]


def _lead(parts: Parts, yes: bool, missing: list[Part]) -> str:
    """The verdict, and for a No to parts that must all hold, those not found."""
    verdict = _short(parts, yes) + "."
    if yes or parts.relation in COMPARED or not missing:
        return verdict
    shown = "; ".join(f"\u201c{p.text}\u201d" for p in missing)
    return f"{verdict} {render('not_found', parts=shown)}"


def _short(parts: Parts, yes: bool) -> str:
    """Yes or No; for "agree or disagree", the offered word that holds."""
    if parts.options:
        agree = yes == (parts.relation == "same")
        return parts.options[0 if agree else 1].capitalize()
    return "Yes" if yes else "No"


def _why(part: Part) -> str:
    if part.unavailable:
        return render("outlet_missing", outlets=", ".join(part.missing))
    return ""
