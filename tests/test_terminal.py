"""`assistant chat` in a pseudo-terminal, as a person types: a question, a follow-up, a source."""

import sys

import pexpect
import pytest

from assistant.settings import Settings
from tests.servers import assistant_env

pytestmark = pytest.mark.slow

PROMPT = "you> "


def terminal_env(settings: Settings) -> dict[str, str]:
    return assistant_env(settings.docs_dir, settings.data_dir, TERM="dumb")  # plain text out


def spawn_chat(settings: Settings, **options: object) -> pexpect.spawn:
    """`assistant chat` in a pseudo-terminal, in a folder where no project .env applies."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "assistant.cli", "chat"],
        env=terminal_env(settings),
        cwd=str(settings.data_dir.parent),
        encoding="utf-8",
        use_poll=True,  # select() cannot watch descriptors past 1024
        **options,
    )


def test_a_conversation_in_the_terminal(seeds_settings: Settings):
    chat = spawn_chat(seeds_settings, timeout=180, dimensions=(50, 200))
    try:
        chat.expect_exact(PROMPT)
        chat.sendline("Why is Russia engaging the Taliban?")
        chat.expect_exact(PROMPT)
        answer, sources = chat.before.split("\n[1] ", 1)
        assert "Taliban" in answer and "[1]" in answer
        assert sources.startswith("undated — Russia offers Taliban help against ISIS-K")

        chat.sendline("and what about trade?")
        chat.expect_exact(PROMPT)
        reply = chat.before
        assert "Searched for: and what about trade? (Russia, Taliban)" in reply
        assert "trade" in reply.split("Searched for:")[0].lower()

        chat.sendline("/sources 1")
        chat.expect_exact(PROMPT)
        shown = chat.before
        assert "[1] Russia offers Taliban help against ISIS-K" in shown
        assert len(shown.split()) > 20  # the passage, with its article around it

        chat.sendline("/sources 99")
        chat.expect(r"Which source\? /sources 1 to \d+")
        chat.expect_exact(PROMPT)

        chat.sendline("/exit")
        chat.expect(pexpect.EOF)
    finally:
        chat.close(force=True)
    assert chat.exitstatus == 0


def test_ctrl_d_leaves(seeds_settings: Settings):
    chat = spawn_chat(seeds_settings, timeout=120)
    chat.expect_exact(PROMPT)
    chat.sendeof()
    chat.expect(pexpect.EOF)
    chat.close()
    assert chat.exitstatus == 0
