"""The `assistant` command: ask, serve, and manage the index."""

import argparse
import json
import os
import sys
import traceback
import warnings
from dataclasses import asdict
from pathlib import Path

from assistant.evaluation.commands import add_eval
from assistant.memory import cap_malloc_arenas
from assistant.settings import Settings

EXIT_FAILED = 1  # some files could not be indexed, or the command could not run
EXIT_USAGE = 2  # the question, the arguments or a setting were not usable


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    cap_malloc_arenas()  # before any thread starts: `serve` and `index watch` run for days
    args = _parser().parse_args(argv)
    debug = args.debug or os.environ.get("ASSISTANT_DEBUG", "") not in ("", "0")
    try:
        settings = _settings()
        if getattr(args, "docs", None):
            settings = settings.model_copy(update={"docs_dir": Path(args.docs)})
        return int(args.run(args, settings))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from assistant.errors import AssistantError, UsageError

        if debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        if not isinstance(exc, AssistantError) and not debug:
            print("(run with --debug, or ASSISTANT_DEBUG=1, to see where)", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILED


def _settings() -> Settings:
    """The settings from the environment and .env; a bad value is the user's to fix."""
    from pydantic import ValidationError

    from assistant.errors import InvalidSettings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"ASSISTANT_{'__'.join(str(p).upper() for p in e['loc'])}: {e['msg']}"
            for e in exc.errors()
        )
        raise InvalidSettings(f"A setting is not valid ({problems}).") from exc


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description=__doc__,
        epilog="Exit codes: 0 done, 1 failed (the message says how to fix it), 2 usage error.",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show the traceback of an unexpected error (also ASSISTANT_DEBUG=1)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    ask = commands.add_parser("ask", help="answer a question, then list the numbered sources")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.set_defaults(run=_ask)

    chat = commands.add_parser("chat", help="a conversation in the terminal, with follow-ups")
    chat.set_defaults(run=_chat)

    serve = commands.add_parser("serve", help="serve the chat UI and the HTTP API")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to bind (default 7860)")
    serve.add_argument(
        "--insecure",
        action="store_true",
        help="allow an address other than 127.0.0.1 without ASSISTANT_AUTH (see SECURITY.md)",
    )
    serve.set_defaults(run=_serve)

    index = commands.add_parser("index", help="build, update or inspect the index")
    actions = index.add_subparsers(dest="action", required=True)
    for name, run, text in [
        ("build", _update, "create the index, or bring it up to date with the docs folder"),
        ("update", _update, "embed new and changed documents, drop removed ones"),
        ("rebuild", _rebuild, "build a fresh index and switch to it when complete"),
        ("watch", _watch, "update whenever files in the docs folder appear, change or vanish"),
    ]:
        action = actions.add_parser(name, help=text)
        action.add_argument("--docs", help="docs folder (default: ASSISTANT_DOCS_DIR or seeds/)")
        action.set_defaults(run=run)
    actions.add_parser("status", help="documents, chunks, model and location").set_defaults(
        run=_status
    )
    add_eval(commands)
    return parser


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.answering.citations import Answer
    from assistant.service import Assistant, ModelMissing

    warnings.simplefilter("ignore", ModelMissing)  # said below, as a sentence
    assistant = Assistant(settings)
    result = None
    for item in assistant.stream(args.question):
        if isinstance(item, Answer):
            result = item
        elif not args.json:
            print(item, end="", flush=True)  # each verified sentence as it passes
    assert result is not None
    if assistant.notice:
        print(f"notice: {assistant.notice}", file=sys.stderr)
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
        return 0
    print()
    if result.note:
        print(f"\n({result.note})")
    if result.parts:
        print("\nParts of the question:\n" + "\n".join(p.line() for p in result.parts))
    if result.citations:
        print("\nSources:")
    for citation in result.citations:
        where = citation.url or citation.path or ""
        print(f"[{citation.number}] {citation.label()}  {where}")
        print(f"    chars {citation.start}-{citation.end}: “{' '.join(citation.passage.split())}”")
    return 0


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.service import Assistant, ModelMissing
    from assistant.terminal import chat

    warnings.simplefilter("ignore", ModelMissing)
    assistant = Assistant(settings)
    assistant.llm()
    if assistant.notice:
        print(f"notice: {assistant.notice}", file=sys.stderr)
    chat(assistant)
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.web.ui import serve

    server = settings.server.model_copy(
        update={k: v for k, v in {"host": args.host, "port": args.port}.items() if v}
    )
    serve(settings.model_copy(update={"server": server}), insecure=args.insecure)
    return 0


def _update(args: argparse.Namespace, settings: Settings) -> int:
    from index.pipeline import update

    return _report(update(settings, progress=True))


def _rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from index.pipeline import rebuild

    return _report(rebuild(settings, progress=True))


def _watch(args: argparse.Namespace, settings: Settings) -> int:
    from index.pipeline import UpdateReport
    from index.watch import watch

    def show(result: UpdateReport | Exception) -> None:
        if isinstance(result, UpdateReport):
            _report(result)
        else:
            print(f"error: {result}", file=sys.stderr)
        sys.stdout.flush()

    print(f"Watching {settings.docs_dir} (Ctrl+C to stop)", flush=True)
    watch(settings, show)
    return 0


def _report(report: object) -> int:
    from index.pipeline import UpdateReport

    assert isinstance(report, UpdateReport)
    for problem in report.warnings:
        print(f"warning: {problem.name}: {problem.reason}", file=sys.stderr)
    for problem in report.failed:
        print(f"failed: {problem.name}: {problem.reason}", file=sys.stderr)
    for old, new in report.renamed:
        print(f"renamed: {old} -> {new}")
    for name, same in report.duplicates:
        print(f"duplicate: {name} has the same content as {same}; indexed once")
    print(report.summary())
    return EXIT_FAILED if report.failed else 0


def _status(args: argparse.Namespace, settings: Settings) -> int:
    from index.status import status

    print("\n".join(status(settings).lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
