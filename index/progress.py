"""Progress of long work: a bar on a terminal, a line every few seconds in a log, or nothing.

A run that prints nothing for minutes cannot be told from a hung one, so work that is not
shown on a terminal (CI, `> run.log`) still says how far it is and how long is left.
"""

import sys
import time
from types import TracebackType
from typing import TextIO

from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

LOG_EVERY = 10.0  # seconds between lines when the output is not a terminal


class Progress:
    """Counts work done out of `total` on stderr; `note` carries running figures."""

    def __init__(
        self, total: int, label: str, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total, self.label, self.done, self.note = total, label, 0, ""
        self._stream = stream or sys.stderr
        self._bar: RichProgress | None = None
        self._log = enabled and total > 0 and not self._stream.isatty()
        self._started = self._logged = time.monotonic()
        if enabled and total and not self._log:
            from rich.console import Console

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[note]}"),
                console=Console(file=self._stream),
                transient=True,
            )
            self._task = self._bar.add_task(label, total=total, note="")

    def __enter__(self) -> "Progress":
        self._started = self._logged = time.monotonic()
        if self._bar is not None:
            self._bar.start()
        return self

    def advance(self, amount: int, note: str | None = None) -> None:
        """`amount` more done; `note` replaces the running figures shown beside the count."""
        self.done += amount
        if note is not None:
            self.note = note
        if self._bar is not None:
            self._bar.update(self._task, advance=amount, note=self.note)
        elif self._log and time.monotonic() - self._logged >= LOG_EVERY:
            self._line()

    def line(self) -> str:
        """'Answering: 37/200 (18%), 6.2 min so far, about 21 min left; accuracy 0.62'."""
        elapsed = time.monotonic() - self._started
        share = self.done / self.total if self.total else 1.0
        left = elapsed / self.done * (self.total - self.done) if self.done else None
        text = f"{self.label}: {self.done:,}/{self.total:,} ({share:.0%}), "
        text += f"{_duration(elapsed)} so far"
        if left is not None and self.done < self.total:
            text += f", about {_duration(left)} left"
        return f"{text}; {self.note}" if self.note else text

    def _line(self) -> None:
        self._logged = time.monotonic()
        print(self.line(), file=self._stream, flush=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._log and self.done:
            self._line()


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
