"""The arena cap that keeps a long-running server's memory bounded."""

import subprocess
import sys


def test_cap_takes_effect_in_a_fresh_process() -> None:
    # mallopt answers 1 when glibc accepts the cap; this machine runs glibc.
    code = (
        "from assistant.memory import cap_malloc_arenas;"
        "import sys; sys.exit(0 if cap_malloc_arenas() else 3)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
