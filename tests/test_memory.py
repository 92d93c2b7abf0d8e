"""What keeps a long-running server's memory bounded: the arena cap and giving pages back."""

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


def test_free_pages_between_live_blocks_go_back_to_the_system() -> None:
    # 2,000 blocks of 64 KB live on malloc's heap; every other one is freed, leaving holes of
    # whole pages that malloc keeps until it is told to give them back.
    code = """
import sys
from pathlib import Path
from assistant.memory import give_back_free_memory

def rss_mb():
    status = Path("/proc/self/status").read_text()
    return int(next(l.split()[1] for l in status.splitlines() if l.startswith("VmRSS"))) / 1024

blocks = [bytearray(b"x" * 65536) for _ in range(2000)]
del blocks[::2]
before = rss_mb()
gave = give_back_free_memory()
print(gave, before - rss_mb())
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    gave, dropped_mb = done.stdout.split()
    assert gave == "True" and float(dropped_mb) > 40  # about 62 MB of holes
