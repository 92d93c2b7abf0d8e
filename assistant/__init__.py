"""Ask questions about a folder of news articles; every claim cites the passage it came from.

from assistant import answer
result = answer("Why is Russia engaging the Taliban?")
"""

from collections.abc import Iterator

from assistant.citations import Answer, Citation
from assistant.errors import AssistantError, InvalidQuestion, NotIndexed
from assistant.service import Assistant
from assistant.settings import Settings

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "InvalidQuestion",
    "NotIndexed",
    "Settings",
    "answer",
    "stream",
]

_default: Assistant | None = None


def _assistant() -> Assistant:
    """One assistant per process, built from the environment on first use."""
    global _default
    if _default is None:
        _default = Assistant(Settings())
    return _default


def answer(question: str) -> Answer:
    """Answer `question` from the index described by `ASSISTANT_*` settings."""
    return _assistant().answer(question)


def stream(question: str) -> Iterator[str | Answer]:
    """Yield the answer's text as it is produced, then the final `Answer`."""
    return _assistant().stream(question)
