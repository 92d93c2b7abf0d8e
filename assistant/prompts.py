"""Prompt and message templates, kept as files in `prompts/` and filled in one place."""

import string
from functools import cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@cache
def template(name: str) -> str:
    """The raw text of `prompts/<name>.txt`."""
    path = PROMPTS_DIR / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise RuntimeError(f"Prompt template {path} is missing; reinstall the project.") from exc


def placeholders(name: str) -> set[str]:
    """The `{names}` a template expects."""
    return {field for _, field, _, _ in string.Formatter().parse(template(name)) if field}


def render(name: str, **values: object) -> str:
    """Fill a template; a missing or unexpected value is a programming error, raised at once."""
    expected = placeholders(name)
    if set(values) != expected:
        raise KeyError(f"prompt {name!r} expects {sorted(expected)}, got {sorted(values)}")
    return template(name).format(**values)
