"""Keep the index in step with the docs folder as files appear, change or disappear."""

import threading
import time
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from index.pipeline import UpdateReport, update
from index.settings import IndexSettings

# Reading a file raises "opened"/"closed" events too; reacting to those would loop forever.
_CHANGES = {"created", "modified", "deleted", "moved"}


class _Changes(FileSystemEventHandler):
    """Remembers when the folder last changed, so updates wait for files to settle."""

    def __init__(self) -> None:
        self.last = 0.0
        self.pending = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGES:
            return
        path = str(getattr(event, "dest_path", "") or event.src_path)
        if Path(path).name.startswith("."):
            return  # uploads and editors write hidden temporary files first
        self.last = time.monotonic()
        self.pending.set()


def watch(
    settings: IndexSettings,
    on_report: Callable[[UpdateReport | Exception], None],
    settle_seconds: float = 2.0,
    stop: threading.Event | None = None,
) -> None:
    """Update once at start, then after every burst of changes once files are quiet."""
    stop = stop or threading.Event()
    changes = _Changes()
    observer = Observer()
    observer.schedule(changes, str(settings.docs_dir), recursive=True)
    observer.start()
    try:
        _update(settings, on_report)
        while not stop.is_set():
            if not changes.pending.wait(timeout=0.5):
                continue
            if time.monotonic() - changes.last < settle_seconds:
                continue
            changes.pending.clear()
            _update(settings, on_report)
    finally:
        observer.stop()
        observer.join()


def _update(settings: IndexSettings, on_report: Callable[[UpdateReport | Exception], None]) -> None:
    """One update; a failure is reported and the watcher keeps going."""
    try:
        on_report(update(settings))
    except Exception as exc:  # a watcher outlives one bad update
        on_report(exc)
