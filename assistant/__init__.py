"""Ask questions about a folder of news articles; every claim cites the passage it came from.

from assistant import answer
result = answer("Why is Russia engaging the Taliban?")
"""

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from assistant.answering.citations import Answer, Citation
from assistant.errors import AssistantError, InvalidQuestion, NotIndexed
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.service import Assistant

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

_default: "Assistant | None" = None


def __getattr__(name: str) -> Any:
    # The query stack (LlamaIndex, torch) loads on first use: `assistant index status` and
    # `assistant index update` with nothing to do must not pay for it.
    if name == "Assistant":
        from assistant.service import Assistant

        return Assistant
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


def _assistant() -> "Assistant":
    """One assistant per process, built from the environment on first use."""
    global _default
    if _default is None:
        from assistant.service import Assistant

        _default = Assistant(Settings())
    return _default


def answer(question: str, history: Sequence[dict[str, Any]] = ()) -> Answer:
    """Answer `question`, asked after the chat `history`, from the `ASSISTANT_*` index."""
    return _assistant().answer(question, history)


def stream(question: str, history: Sequence[dict[str, Any]] = ()) -> Iterator[str | Answer]:
    """Yield the answer's text as it is produced, then the final `Answer`."""
    return _assistant().stream(question, history)
