"""Bounded memory for long-running processes (`serve`, `index watch`).

glibc gives each thread that allocates its own malloc arena, up to eight per core, and keeps
freed memory in them. Every index version opens its own Chroma view, whose worker threads come
and go, so a server that follows updates for days kept growing: 1,061 to 1,276 MB over 60
updates in `bench/churn.py`'s setup, against 933 to 941 MB with two arenas.

Within the arenas, each version's arrays and vectors leave free pages between live blocks that
malloc keeps for reuse; `give_back_free_memory` returns them to the system once per new version.
"""

import ctypes
from typing import Any

_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's malloc.h


def cap_malloc_arenas(arenas: int = 2) -> bool:
    """Let at most `arenas` malloc arenas serve this process; False where libc is not glibc."""
    return _glibc("mallopt", _M_ARENA_MAX, arenas)


def give_back_free_memory() -> bool:
    """Return the pages malloc holds free to the system (`malloc_trim`): True when some were
    given back, False when none were or libc is not glibc. Costs milliseconds: call it when
    large structures have been let go."""
    return _glibc("malloc_trim", 0)


def _glibc(function: str, *args: Any) -> bool:
    """Call one of glibc's malloc tunings; False where this libc has none (musl, others)."""
    try:
        # The process's own symbols: no library search (which runs ldconfig) on start-up.
        return bool(getattr(ctypes.CDLL(None), function)(*args))
    except (OSError, AttributeError):
        return False
