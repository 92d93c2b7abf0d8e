"""Read a model's draft as it streams: the direct answer and each finished sentence, in order.

The local model writes JSON constrained to a schema (`{"answer": …, "sentences": [{"text": …,
"cites": [n, …]}]}`), so a sentence is complete the moment its object closes and can be checked
while the rest is written. A backend that cannot constrain its output may write plain text
with [n] markers instead; then a sentence is complete once the next one starts.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from index.sentences import CLOSE

_STRING = r'"(?:[^"\\]|\\.)*"'
_ANSWER = re.compile(rf'"answer"\s*:\s*({_STRING})')
_SENTENCE = re.compile(
    rf'\{{\s*"text"\s*:\s*({_STRING})\s*,\s*"cites"\s*:\s*\[([^\]]*)\]\s*\}}'
    rf'|\{{\s*"cites"\s*:\s*\[([^\]]*)\]\s*,\s*"text"\s*:\s*({_STRING})\s*\}}'
)
_MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")
# A free-text sentence ends at . ! ? (with quotes and markers after it) before the next one.
_END = re.compile(rf"[.!?]+[{CLOSE}]*(?:\s*\[[\d,\s]+\])*(?=\s)|\n+")


@dataclass(frozen=True)
class Claim:
    """One sentence of the draft, without markers, and the evidence numbers it cites."""

    text: str
    cited: tuple[int, ...]  # as written, including numbers of evidence that does not exist


class DraftReader:
    """Fed the draft piece by piece; hands out the answer and the sentences once complete."""

    def __init__(self) -> None:
        self.draft = ""
        self.answer: str | None = None
        self._claims = 0  # sentences handed out so far
        self._text_end = 0  # free text: where the last handed-out sentence ended

    @property
    def structured(self) -> bool:
        return self.draft.lstrip().startswith("{")

    def feed(self, delta: str) -> Iterator[Claim]:
        """The sentences completed by `delta`."""
        self.draft += delta
        yield from self._ready(final=False)

    def finish(self) -> Iterator[Claim]:
        """The sentences left when the draft ends (a free-text draft's last one)."""
        yield from self._ready(final=True)

    def _ready(self, final: bool) -> Iterator[Claim]:
        if not self.draft.strip():
            return
        if self.structured:
            yield from self._structured()
        else:
            yield from self._free_text(final)

    def _structured(self) -> Iterator[Claim]:
        if self.answer is None and (found := _ANSWER.search(self.draft)):
            self.answer = " ".join(_decoded(found.group(1)).split())
        matches = list(_SENTENCE.finditer(self.draft))
        for match in matches[self._claims :]:
            text = _decoded(match.group(1) or match.group(4))
            numbers = match.group(2) if match.group(1) else match.group(3)
            cited = tuple(int(n) for n in re.findall(r"\d+", numbers or ""))
            self._claims += 1
            if claim := _claim(text, cited):
                yield claim
        self._claims = len(matches)

    def _free_text(self, final: bool) -> Iterator[Claim]:
        cuts = [m.end() for m in _END.finditer(self.draft, self._text_end)]
        if final:
            cuts.append(len(self.draft))
        for cut in cuts:
            piece = self.draft[self._text_end : cut]
            self._text_end = cut
            cited = tuple(int(n) for g in _MARKER.findall(piece) for n in g.split(","))
            if claim := _claim(_MARKER.sub(" ", piece), cited):
                yield claim


def _claim(text: str, cited: tuple[int, ...]) -> Claim | None:
    """A claim from raw sentence text: markers out, spacing tidied; None when it says nothing."""
    text = " ".join(_MARKER.sub(" ", text).split())
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    if not any(ch.isalnum() for ch in text):
        return None
    return Claim(text, tuple(dict.fromkeys(cited)))


def _decoded(literal: str) -> str:
    try:
        return str(json.loads(literal))
    except ValueError:
        return literal.strip('"')
