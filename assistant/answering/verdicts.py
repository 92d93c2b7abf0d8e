"""Yes or No to a question of parts, decided by rules over what each part's evidence shows.

What rules can decide is decided by rules. A part whose own search finds nothing that
addresses it is not found, and a question whose parts must all hold is then answered No.
Before/after compares the publication dates of the articles the parts rest on. Otherwise the
question's own words carry the verdict: which relation it asks (each part holds, the reports
agree, differ, or changed over time), its polarity ("Was X inconsistent with Y?" is No when
they agree) and whether a part says a report did *not* do something, weighed with how much of
each part's rare words its evidence holds. The weights are a logistic regression fitted on
MultiHop-RAG dev questions by `bench/calibrate_verdicts.py` (`verdicts.json` beside this
module); docs/answers.md says what each signal adds, and why the model's own judgment of each
part is not among them.
"""

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from assistant.retrieval.parts import COMPARED, Parts

WEIGHTS = Path(__file__).with_name("verdicts.json")
FEATURES = (
    "bias",
    "relation_all",
    "relation_order",
    "relation_same",
    "relation_differ",
    "relation_changed",
    "relation_single",
    "negated_same",  # "was there no consistency"
    "negated_differ",  # "was there no change", "did not differ"
    "claim_negated",  # a part says a report did *not* do something
    "differ_asserted",  # "does A suggest a different view than B": a difference claimed, not asked
    "order",
    "coverage_min",  # the least of each part's rare words its best evidence sentence holds
)
# A part is not found when its best evidence sentence addresses it less than PART_FOUND
# (meaning and rare words, as the refusal gate scores a question), holds less than
# PART_COVERAGE of its rare words, or is weak on both counts: a claim about something its
# report does not mention. On MultiHop-RAG dev questions the rule fires at about the base rate
# of No (their false parts are things a report mentions but says otherwise, which no word
# count separates), so it is set where it fires rarely there; see docs/answers.md.
PART_FOUND = 0.30
PART_COVERAGE = 0.15
WEAK_SUPPORT = 0.45
WEAK_COVERAGE = 0.25
# "Does A suggest a different approach than B?" claims a difference the question's author read
# in the reports; "Was the reporting inconsistent between A and B?" asks whether there is one.
_ASSERTED = re.compile(
    r"\b(?:a|an)\s+(?:\w+\s+)?(?:different|contrasting|differing|distinct|contradictory|"
    r"inconsistent|conflicting)\b|\bdifferently\b",
    re.I,
)
_NEGATED = re.compile(r"\b(?:no|not|never|without|fail\w*|lack\w*|neither|nor|none)\b", re.I)


@dataclass(frozen=True)
class Signals:
    """What one question's parts show, as the verdict reads it."""

    parts: Parts
    support: list[float]  # how well each part's best evidence sentence addresses it
    coverage: list[float]  # share of each part's rare words its best evidence sentence holds
    order: int  # +1 the parts' dates are in the order asked, -1 the reverse, 0 not asked

    @property
    def found(self) -> list[bool]:
        return [
            s >= PART_FOUND and c >= PART_COVERAGE and (s >= WEAK_SUPPORT or c >= WEAK_COVERAGE)
            for s, c in zip(self.support, self.coverage, strict=True)
        ]

    @property
    def claim_negated(self) -> bool:
        return self.parts.relation not in COMPARED and bool(_NEGATED.search(self.parts.question))

    def features(self) -> np.ndarray:
        """The row the calibrated weights multiply, named by FEATURES."""
        relation, negated = self.parts.relation, self.parts.negated
        values = {
            "bias": 1.0,
            "relation_all": float(relation == "all"),
            "relation_order": float(relation == "order"),
            "relation_same": float(relation == "same"),
            "relation_differ": float(relation == "differ"),
            "relation_changed": float(relation == "changed"),
            "relation_single": float(relation == "single"),
            "negated_same": float(negated and relation == "same"),
            "negated_differ": float(negated and relation in ("differ", "changed")),
            "claim_negated": float(self.claim_negated),
            "differ_asserted": float(
                relation == "differ" and bool(_ASSERTED.search(self.parts.question))
            ),
            "order": float(self.order),
            "coverage_min": min(self.coverage, default=0.0),
        }
        return np.asarray([values[name] for name in FEATURES], dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    """The fitted weights and the probability of Yes above which the verdict is Yes."""

    weights: np.ndarray
    threshold: float

    def probability(self, signals: Signals) -> float:
        return float(1.0 / (1.0 + math.exp(-float(signals.features() @ self.weights))))


@cache
def calibration(path: Path = WEIGHTS) -> Calibration:
    """The weights `bench/calibrate_verdicts.py` fitted; a file for other features is refused."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError(
            f"{path} was fitted on other features; run `python -m bench.calibrate_verdicts`."
        )
    return Calibration(np.asarray(data["weights"], dtype=np.float64), float(data["threshold"]))


def ruled(signals: Signals) -> bool | None:
    """Yes (True) or No where a rule decides, else None."""
    relation = signals.parts.relation
    if relation not in COMPARED and not all(signals.found):
        return False  # a part that must hold was not found
    if relation == "order" and signals.order:
        # "Did A report it before B?": the dates say; "did A fail to …" turns it round.
        return (signals.order > 0) != signals.claim_negated
    return None


def decide(signals: Signals, fitted: Calibration | None = None) -> bool:
    """Yes (True) or No for the question the signals describe: by rule where one applies,
    else by the calibrated weights."""
    by_rule = ruled(signals)
    if by_rule is not None:
        return by_rule
    fitted = fitted or calibration()
    return fitted.probability(signals) >= fitted.threshold


def order_sign(parts: Parts, days: list[str | None]) -> int:
    """+1 when the first two parts' articles were published in the order the question asks,
    -1 when in the reverse order, 0 when it asks no order or a day is missing or the same."""
    if parts.relation != "order" or len(days) < 2 or not days[0] or not days[1]:
        return 0
    first, second = days[0][:10], days[1][:10]
    if first == second:
        return 0
    asked = parts.question.lower()
    before = re.search(r"\b(?:before|prior to|earlier than)\b", asked)
    after = re.search(r"\b(?:after|later than)\b", asked)
    asks_before = before is not None and (after is None or before.start() < after.start())
    return 1 if (first < second) == asks_before else -1
