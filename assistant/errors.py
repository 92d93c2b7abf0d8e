"""Errors a user can hit on the query side; each message says what to do."""


class AssistantError(Exception):
    """A problem with the question or the index that the user can fix."""


class UsageError(AssistantError):
    """What was asked for cannot be done as asked: the question, an argument or a setting."""


class InvalidQuestion(UsageError):
    """The question is empty or too long; nothing was searched."""


class NotIndexed(AssistantError):
    """There is no index, or it holds no documents."""


class InvalidSettings(UsageError):
    """An `ASSISTANT_*` variable or `.env` entry has a value that cannot be used."""


class IndexChanged(AssistantError):
    """Another process changed the index's vectors under a question, twice in a row."""
