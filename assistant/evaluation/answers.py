"""Measure answers on a MultiHop-RAG-style benchmark, as a reader would judge them.

Accuracy follows three rules: a null question (the articles do not hold the answer) is correct
when refused; a Yes/No gold answer is correct when the answer's first sentence states that
verdict; any other gold answer is correct when it occurs in the answer's text, ignoring case
and punctuation. Beside it: answerable questions refused, citations that are exact spans, the
share of generated sentences verification kept, the time to the first verified sentence and
to the whole answer, and the model's speed.
"""

import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answering.citations import Answer
from assistant.evaluation import benchmark
from assistant.evaluation.benchmark import Question
from assistant.service import Assistant
from assistant.settings import Settings
from index.progress import Progress

VERDICTS = {"yes", "no"}
_WORD = re.compile(r"[^\w\s]")


def normalized(text: str) -> str:
    """Lower case, punctuation removed, spaces collapsed: how answers are compared."""
    return " ".join(_WORD.sub(" ", text.lower()).split())


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def gold_kind(question: Question) -> str:
    """'null', 'yes', 'no' or 'other': which rule scores the question."""
    if question.question_type == benchmark.NULL:
        return "null"
    answer = normalized(question.answer)
    return answer if answer in VERDICTS else "other"


def correct(question: Question, answer: Answer) -> bool:
    """Whether `answer` is right by the rules of the module docstring."""
    kind = gold_kind(question)
    if kind == "null":
        return answer.refused
    if answer.refused:
        return False
    if kind in VERDICTS:
        return normalized(first_sentence(answer.text)).split()[:1] == [kind]
    return f" {normalized(question.answer)} " in f" {normalized(answer.text)} "


@dataclass
class AnswerRun:
    """One question's answer, whether each citation is an exact span, and its timing."""

    question: Question
    answer: Answer
    exact: list[bool]
    seconds: float
    first_seconds: float | None  # to the first verified piece of text; None when refused

    @property
    def correct(self) -> bool:
        return correct(self.question, self.answer)


@dataclass
class AnswerReport:
    """Accuracy and its companions, by question type and by gold answer kind."""

    runs: list[AnswerRun]
    backend: str

    def summary(self) -> dict[str, Any]:
        groups = {
            group: _group(runs)
            for group, runs in benchmark.by_type(self.runs, lambda r: r.question.question_type)
        }
        kinds = {
            f"gold {kind}": _group([r for r in self.runs if gold_kind(r.question) == kind])
            for kind in ("yes", "no", "other")
        }
        answered = [r for r in self.runs if not r.answer.refused]
        return {
            "backend": self.backend,
            "groups": groups | {k: v for k, v in kinds.items() if v["questions"]},
            "first_sentence_s": _percentiles([r.first_seconds for r in answered]),
            "answer_s": _percentiles([r.seconds for r in self.runs]),
            "tokens_per_s": _median_timing(self.runs, "predicted_per_second"),
            "prompt_tokens_per_s": _median_timing(self.runs, "prompt_per_second"),
            # llama.cpp counts in `prompt_n` only the tokens it read, not those it reused.
            "prompt_tokens": _median_timing(self.runs, "prompt_n", "cache_n"),
            "prompt_tokens_read": _median_timing(self.runs, "prompt_n"),
            "generated_tokens": _median_timing(self.runs, "predicted_n"),
        }

    def lines(self) -> list[str]:
        summary = self.summary()
        lines = [
            f"Answers ({self.backend}): {len(self.runs):,} questions",
            f"{'questions':<18} {'n':>5} {'accuracy':>9} {'refused':>8} "
            f"{'answerable refused':>19} {'citations exact':>16} {'sentences kept':>15}",
        ]
        for group, g in summary["groups"].items():
            exact = f"{g['citations_exact']}/{g['citations']}"
            kept = f"{g['sentences_kept']}/{g['sentences']}" if g["sentences"] else "-"
            answerable = (
                "-" if g["answerable_refused"] is None else f"{g['answerable_refused']:.2f}"
            )
            lines.append(
                f"{group:<18} {g['questions']:>5} {g['accuracy']:>9.3f} {g['refused']:>8.2f} "
                f"{answerable:>19} {exact:>16} {kept:>15}"
            )
        first, whole = summary["first_sentence_s"], summary["answer_s"]
        lines.append(
            f"first verified sentence: p50 {first['p50']:.1f} s, p95 {first['p95']:.1f} s; "
            f"whole answer: p50 {whole['p50']:.1f} s, p95 {whole['p95']:.1f} s"
        )
        if summary["tokens_per_s"]:
            lines.append(
                f"model: {summary['tokens_per_s']:.1f} tokens/s generating, "
                f"{summary['prompt_tokens_per_s']:.1f} tokens/s reading prompts of "
                f"{summary['prompt_tokens']:.0f} tokens ({summary['prompt_tokens_read']:.0f} read, "
                f"the rest reused), writing {summary['generated_tokens']:.0f} tokens (medians)"
            )
        return lines

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "questions": [_record(r) for r in self.runs]}


def _group(runs: list[AnswerRun]) -> dict[str, Any]:
    exact = [e for r in runs for e in r.exact]
    checks = [c for r in runs for c in r.answer.verification]
    answerable = [r for r in runs if gold_kind(r.question) != "null"]
    n = len(runs) or 1
    return {
        "questions": len(runs),
        "accuracy": sum(r.correct for r in runs) / n,
        "refused": sum(r.answer.refused for r in runs) / n,
        "answerable_refused": (
            sum(r.answer.refused for r in answerable) / len(answerable) if answerable else None
        ),
        "citations": len(exact),
        "citations_exact": sum(exact),
        "sentences": len(checks),
        "sentences_kept": sum(c.supported for c in checks),
    }


def _percentiles(values: list[float | None]) -> dict[str, float]:
    seconds = [v for v in values if v is not None]
    return {f"p{q}": float(np.percentile(seconds, q)) if seconds else 0.0 for q in (50, 95)}


def _median_timing(runs: list[AnswerRun], *keys: str) -> float:
    """The median over answers that report `keys[0]` of the sum of `keys` (missing ones 0)."""
    values = [
        sum(float(r.answer.timings.get(k, 0.0)) for k in keys)
        for r in runs
        if keys[0] in r.answer.timings
    ]
    return float(np.median(values)) if values else 0.0


def answer_one(assistant: Assistant, question: Question) -> AnswerRun:
    """Answer as the chat does, streaming, and time the first verified piece."""
    started = time.perf_counter()
    first, answer = None, None
    for item in assistant.stream(question.query):
        if isinstance(item, Answer):
            answer = item
        elif first is None:
            first = time.perf_counter() - started
    seconds = time.perf_counter() - started
    assert answer is not None
    exact = [
        assistant.document_text(c, answer.snapshot)[c.start : c.end] == c.passage
        for c in answer.citations
    ]
    return AnswerRun(question, answer, exact, seconds, None if answer.refused else first)


def evaluate_answers(
    settings: Settings,
    questions: list[Question],
    limit: int | None = None,
    seed: int | None = None,
    concurrency: int = 1,
) -> AnswerReport:
    """Answer a sample of the questions (null ones too); `concurrency` > 1 skews latency."""
    chosen = benchmark.sample(questions, limit, seed)
    assistant = Assistant(settings)
    if chosen:
        assistant.answer(chosen[0].query)  # loads index and model; not timed
    backend = settings.llm if assistant.llm() is not None else "extractive"
    with Progress(len(chosen), "Answering") as bar, ThreadPoolExecutor(concurrency) as pool:
        runs: list[AnswerRun] = []
        for run in pool.map(lambda q: answer_one(assistant, q), chosen):
            runs.append(run)
            bar.advance(1, _running(runs))
    return AnswerReport(runs, backend)


def _running(runs: list[AnswerRun]) -> str:
    """The figures so far, as the progress line shows them."""
    right = sum(r.correct for r in runs)
    seconds = float(np.median([r.seconds for r in runs]))
    return f"accuracy {right / len(runs):.2f} ({right}/{len(runs)}), answer p50 {seconds:.1f} s"


def _record(run: AnswerRun) -> dict[str, Any]:
    return {
        "query": run.question.query,
        "question_type": run.question.question_type,
        "gold_answer": run.question.answer,
        "answer": run.answer.text,
        "short": run.answer.short,
        "correct": run.correct,
        "refused": run.answer.refused,
        "searched_for": run.answer.searched_for,
        "support": run.answer.support,
        "seconds": run.seconds,
        "first_seconds": run.first_seconds,
        "verification": [
            {"text": c.text, "cited": c.cited, "support": c.support, "supported": c.supported}
            for c in run.answer.verification
        ],
        "citations": [
            {"doc_id": c.doc_id, "start": c.start, "end": c.end, "passage": c.passage, "exact": e}
            for c, e in zip(run.answer.citations, run.exact, strict=True)
        ],
    }
