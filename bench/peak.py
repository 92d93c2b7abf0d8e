"""Run a module as `python -m` would, then write the process's own peak memory to a file.

    python -m bench.peak OUT_FILE MODULE [ARGS...]

`wait4`'s `ru_maxrss` is no use for this: Linux carries the parent's peak across fork and
exec, so a child of a large benchmark process reports the parent's memory. VmHWM is the
high-water mark of the child's own address space.
"""

import atexit
import runpy
import sys
from pathlib import Path


def peak_mb() -> float:
    """This process's resident-memory high-water mark, in MB."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    out, module, *args = sys.argv[1:]
    atexit.register(lambda: Path(out).write_text(f"{peak_mb():.1f}", encoding="utf-8"))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
