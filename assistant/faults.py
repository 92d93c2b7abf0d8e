"""Failures outside the question, turned into messages that say what to do.

A damaged index and an unreachable Chroma server are not bugs to show as a traceback: the chat
and the API show these messages, and the next question tries again, so answering resumes by
itself once the server is back.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from assistant.errors import AssistantError
from index.manifest import ManifestError
from index.settings import IndexSettings
from index.store import StoreUnreachable


class IndexDamaged(AssistantError):
    """The manifest or the generation pointer cannot be trusted; a rebuild fixes it."""


class StoreUnavailable(AssistantError):
    """The Chroma server does not answer, or answers with an error."""


@contextmanager
def explained(settings: IndexSettings) -> Iterator[None]:
    """Re-raise index and vector-store failures as AssistantErrors whose message has the fix."""
    import httpx
    from chromadb.errors import ChromaError

    try:
        yield
    except ManifestError as exc:
        raise IndexDamaged(str(exc)) from exc
    except sqlite3.DatabaseError as exc:  # the manifest was damaged after it was opened
        raise IndexDamaged(
            f"The index manifest can no longer be read ({exc}). "
            "Run `assistant index rebuild` to build a fresh index."
        ) from exc
    except StoreUnreachable as exc:
        raise StoreUnavailable(f"{exc} Questions are answered again once it is back.") from exc
    except (httpx.TransportError, ChromaError) as exc:
        if not settings.chroma_host:
            raise
        raise StoreUnavailable(store_message(settings, exc)) from exc


def store_message(settings: IndexSettings, exc: Exception) -> str:
    """What went wrong with the Chroma server, and that answering resumes once it is back."""
    from chromadb.errors import NotFoundError

    where = f"{settings.chroma_host}:{settings.chroma_port}"
    if isinstance(exc, NotFoundError):
        return (
            f"The Chroma server at {where} does not hold this index's vectors ({exc}); was it "
            "started with another --path? Restart it on the folder it had, or run "
            "`assistant index rebuild` to store them again."
        )
    return (
        f"The Chroma server at {where} is not answering ({type(exc).__name__}: {exc}). "
        f"Start it again (`chroma run --path DIR --port {settings.chroma_port}`); questions "
        "are answered again as soon as it is back, without restarting the assistant."
    )
