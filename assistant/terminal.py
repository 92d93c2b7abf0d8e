"""`assistant chat`: a conversation in the terminal, with follow-ups and the sources at hand.

Each answer streams in one verified sentence at a time, then its numbered sources (outlet,
date, title); `/sources N` shows source N's passage in its article; `/exit` or Ctrl+D leaves.
"""

from collections.abc import Callable

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from assistant.answering.citations import Answer
from assistant.errors import AssistantError
from assistant.generation.followups import Message
from assistant.service import Assistant
from assistant.web.rendering import context_bounds

PROMPT = "you> "
HELP = "Ask about the articles. /sources N shows a source in its article; /exit or Ctrl+D leaves."


class Conversation:
    """One terminal conversation: its history and the last answer's sources."""

    def __init__(self, assistant: Assistant, console: Console) -> None:
        self.assistant = assistant
        self.console = console
        self.history: list[Message] = []
        self.last: Answer | None = None

    def run(self, read: Callable[[str], str] = input) -> None:
        self.console.print(f"[dim]{escape(HELP)}[/dim]")
        while True:
            try:
                line = read(PROMPT).strip()
            except EOFError:
                self.console.print()
                return
            except KeyboardInterrupt:  # drops the line being typed, as a shell does
                self.console.print()
                continue
            if line in ("/exit", "/quit"):
                return
            if line.startswith("/sources"):
                self.sources(line.removeprefix("/sources").strip())
            elif line.startswith("/"):
                self.console.print(f"[dim]{escape(HELP)}[/dim]")
            elif line:
                self.ask(line)

    def ask(self, question: str) -> None:
        answer = None
        try:
            for item in self.assistant.stream(question, self.history):
                if isinstance(item, Answer):
                    answer = item
                else:
                    self.console.print(Text(item), end="")  # a verified sentence, as it passes
        except AssistantError as error:
            self.console.print(Text(str(error), style="red"))
            return
        except KeyboardInterrupt:
            self.console.print("\n[dim](stopped)[/dim]")
            return
        assert answer is not None
        self.console.print()
        if answer.note:
            self.console.print(Text(f"({answer.note})", style="dim"))
        for part in answer.parts:
            self.console.print(Text(part.line(), style="dim"))
        if answer.searched_for and answer.searched_for != " ".join(question.split()):
            self.console.print(Text(f"Searched for: {answer.searched_for}", style="dim"))
        for c in answer.citations:
            line = Text(f"[{c.number}] ", style="bold")
            line.append(f"{c.outlet_and_day()} — {c.title}")
            self.console.print(line)
        self.history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]
        self.last = answer

    def sources(self, which: str) -> None:
        if self.last is None or not self.last.citations:
            self.console.print("[dim]No sources yet: ask a question first.[/dim]")
            return
        numbers = {c.number: c for c in self.last.citations}
        if not which.isdigit() or int(which) not in numbers:
            self.console.print(f"[dim]Which source? /sources 1 to {max(numbers)}.[/dim]")
            return
        citation = numbers[int(which)]
        try:
            text = self.assistant.document_text(citation, self.last.snapshot)
        except (AssistantError, KeyError):
            text = None
        heading = Text(f"[{citation.number}] {citation.title}", style="bold")
        heading.append(f"\n{citation.outlet_and_day()}  {citation.url or citation.path or ''}")
        self.console.print(heading)
        shown = Text()
        if text is None or text[citation.start : citation.end] != citation.passage:
            shown.append(citation.passage, style="reverse")
        else:
            low, high = context_bounds(text, citation.start, citation.end)
            shown.append(("…" if low else "") + text[low : citation.start])
            shown.append(text[citation.start : citation.end], style="reverse")
            shown.append(text[citation.end : high] + ("…" if high < len(text) else ""))
        self.console.print(shown)


def chat(assistant: Assistant) -> None:
    Conversation(assistant, Console(highlight=False)).run()
