"""The `assistant eval` commands: retrieval and answers on a benchmark, readers' feedback."""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.settings import Settings


def add_eval(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """`assistant eval retrieval|answers|feedback`."""
    evaluate = commands.add_parser(
        "eval", help="measure retrieval or answers on a benchmark, or sum up readers' feedback"
    )
    kinds = evaluate.add_subparsers(dest="kind", required=True)
    rated = kinds.add_parser("feedback", help="the chat's thumbs up and down, summed up")
    rated.add_argument(
        "--export",
        type=Path,
        help="write the answers rated down as benchmark questions (fill in each `answer`)",
    )
    rated.set_defaults(run=_feedback)
    for name, text in [
        (
            "retrieval",
            "score the top 10 chunks: ours, plain dense and BM25 (MultiHop-RAG metric); "
            "count the gold facts in the evidence our top passages hand the writer",
        ),
        ("answers", "answer questions; report accuracy, refusals, exact citations and latency"),
    ]:
        kind = kinds.add_parser(name, help=text)
        kind.add_argument("--corpus", type=Path, required=True, help="JSON list of articles")
        kind.add_argument("--queries", type=Path, required=True, help="JSON list of questions")
        kind.add_argument("--out", type=Path, help="write every question's results as JSON")
        kind.add_argument(
            "--limit", type=_count, help="at most N questions, taking each question type in turn"
        )
        kind.add_argument(
            "--seed",
            type=int,
            help="sample in an order shuffled by this seed (default: file order)",
        )
        kind.add_argument(
            "--data-dir", type=Path, help="index folder (default .index-eval/<corpus hash>)"
        )
        kind.set_defaults(run=_eval)
        if name == "answers":
            kind.add_argument(
                "--concurrency",
                type=_count,
                default=1,
                help="questions answered at once (faster runs; latency then counts waiting)",
            )


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation.benchmark import load_questions
    from assistant.evaluation.indexing import build_index, eval_settings

    questions = load_questions(args.queries)
    measured = eval_settings(settings, args.corpus, args.data_dir)
    print(build_index(measured).summary(), file=sys.stderr)
    report: Any
    if args.kind == "retrieval":
        from assistant.evaluation.retrieval import evaluate_retrieval

        report = evaluate_retrieval(measured, questions, args.limit, args.seed)
    else:
        from assistant.evaluation.answers import evaluate_answers

        report = evaluate_answers(measured, questions, args.limit, args.seed, args.concurrency)
    print("\n".join(report.lines()))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1), "utf-8")
        print(f"Wrote {args.out}", file=sys.stderr)
    return 0


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation import feedback

    kept = feedback.load(settings)
    print(f"Feedback in {feedback.feedback_path(settings)}")
    print("\n".join(kept.lines()))
    if args.export:
        questions = feedback.as_questions(kept.down)
        args.export.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(questions, ensure_ascii=False, indent=1)
        args.export.write_text(text, encoding="utf-8")
        print(
            f"Wrote {len(questions)} questions to {args.export}: write the right answer into "
            f"each `answer`, then `assistant eval answers --queries {args.export} ...`",
            file=sys.stderr,
        )
    return 0


def _count(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive count")
    return value
