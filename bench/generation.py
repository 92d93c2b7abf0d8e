"""Measure generated answers: latency, time to first token, speed, and what verification keeps.

    .venv/bin/python bench/generation.py seed [--backend llamacpp]
    .venv/bin/python bench/generation.py dev [--questions 50] [--data-dir DIR]

`seed` answers the seed question over seeds/ three times (after one warm-up) and prints the
median latency and time to first streamed piece. `dev` answers MultiHop-RAG dev questions
(each type in turn) over the 609-article corpus and reports time to first token, tokens per
second (streamed pieces; llama.cpp streams one token per piece), and the share of generated
sentences verification kept. Other backends take their address and model from ASSISTANT_LLM_*.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from assistant import Answer, Assistant, Settings
from assistant.benchmark import load_questions, sample
from assistant.evaluation import build_index, eval_settings
from index.pipeline import update

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "multihop-rag"
SEED_QUESTION = "Why is Russia engaging the Taliban?"


def timed(assistant: Assistant, question: str) -> tuple[Answer, float, float | None, int]:
    """The answer, seconds in total, seconds to the first piece, and pieces streamed."""
    start, first, pieces = time.perf_counter(), None, 0
    answer = None
    for item in assistant.stream(question):
        if isinstance(item, Answer):
            answer = item
        else:
            first = first if first is not None else time.perf_counter() - start
            pieces += 1
    assert answer is not None
    return answer, time.perf_counter() - start, first, pieces


def seed(settings: Settings) -> None:
    with tempfile.TemporaryDirectory() as data:
        settings = settings.model_copy(update={"docs_dir": ROOT / "seeds", "data_dir": Path(data)})
        update(settings)
        assistant = Assistant(settings)
        timed(assistant, SEED_QUESTION)  # loads the embedder and the model
        runs = [timed(assistant, SEED_QUESTION) for _ in range(3)]
    total = statistics.median(r[1] for r in runs)
    first = statistics.median(r[2] or r[1] for r in runs)
    print(f"{settings.llm}: seed question, median of 3: {total:.2f} s, first piece {first:.2f} s")
    print(f"answer: {runs[-1][0].text!r}")


def dev(settings: Settings, count: int, data_dir: Path | None) -> None:
    settings = eval_settings(settings, DATA / "corpus.json", data_dir)
    build_index(settings)
    questions = [q for q in load_questions(DATA / "queries-dev.json") if q.answerable]
    assistant = Assistant(settings)
    firsts, speeds, kept, generated, refused = [], [], 0, 0, 0
    for question in sample(questions, count):
        answer, total, first, pieces = timed(assistant, question.query)
        checks = answer.verification
        generated += len(checks)
        kept += sum(c.supported for c in checks)
        refused += answer.refused
        if first is not None and pieces > 1 and checks:
            firsts.append(first)
            speeds.append((pieces - 1) / max(total - first, 1e-6))
    print(f"{settings.llm} on {count} answerable MultiHop-RAG dev questions:")
    print(f"  time to first token: median {statistics.median(firsts):.2f} s")
    print(f"  streamed tokens per second: median {statistics.median(speeds):.1f}")
    print(f"  generated sentences: {generated}, kept by verification: {kept}", end="")
    print(f" ({kept / max(generated, 1):.1%})")
    print(f"  answers refused: {refused} of {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["seed", "dev"])
    parser.add_argument("--backend", default=None, help="overrides ASSISTANT_LLM")
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    settings = Settings()
    if args.backend:
        settings = settings.model_copy(update={"llm": args.backend})
    if args.what == "seed":
        seed(settings)
    else:
        dev(settings, args.questions, args.data_dir)


if __name__ == "__main__":
    main()
