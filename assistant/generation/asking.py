"""What shape of answer a question asks for: a verdict, a choice, a short fact, or a reason.

A question asking for a verdict or a name gets its direct answer first ("Yes. …",
"Sam Bankman-Fried. …"); one asking why or how gets an explanation. News questions often put
the verdict's verb after a clause ("After The Verge reported …, did Wired …?"), so the first
auxiliary verb that opens the question or follows a comma decides.
"""

import re
from typing import Literal

Kind = Literal["verdict", "choice", "fact", "explanation"]

_AUXILIARY = (
    r"is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|shall|may|might|must"
)
# An auxiliary verb opening the question or a clause of it: "Did …", "After …, did …".
_VERDICT = re.compile(rf"(?:^|[,;:]\s*)(?:and\s+|but\s+|so\s+)?({_AUXILIARY})\b", re.IGNORECASE)
# "… agree or disagree", "… consistent or inconsistent": the answer is one of the options.
_CHOICE = re.compile(r"\b(or|whether)\b", re.IGNORECASE)
_FACT = re.compile(
    r"^(?:.*?[,;:]\s*)?(who|whom|whose|which|what|when|where|how\s+(?:many|much|long|old|far))\b",
    re.IGNORECASE,
)
_EXPLANATION = re.compile(r"^(?:.*?[,;:]\s*)?(why|how)\b", re.IGNORECASE)
# "What did TechCrunch report about Flexport?": an account of what was said, not a name.
_ACCOUNT = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have|had)\b[^?]{0,60}?\b(?:report\w*|"
    r"say|said|saying|writ\w*|wrote|announc\w*|reveal\w*|claim\w*|suggest\w*|stat\w*|"
    r"not\w*|describ\w*|t[eo]l[dl]\w*|mention\w*|cover\w*|happen\w*)\b",
    re.IGNORECASE,
)


def kind(question: str) -> Kind:
    """The answer `question` asks for; an explanation when nothing more specific fits."""
    text = " ".join(question.split())
    if _ACCOUNT.match(text):
        return "explanation"
    verdict = _VERDICT.search(text)
    fact = _FACT.search(text)
    explanation = _EXPLANATION.search(text)
    starts = {
        "verdict": verdict.start(1) if verdict else None,
        "fact": fact.start(1) if fact else None,
        "explanation": explanation.start(1) if explanation else None,
    }
    found = {name: at for name, at in starts.items() if at is not None}
    if not found:
        return "explanation"
    first = min(found, key=lambda name: found[name])
    if first == "verdict":
        assert verdict is not None
        asks_between = _CHOICE.search(text, verdict.end())
        return "choice" if asks_between else "verdict"
    return "fact" if first == "fact" else "explanation"
