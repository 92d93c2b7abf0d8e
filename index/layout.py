"""Where an index lives on disk, and the atomic switch between its generations.

A generation is one complete index: a manifest, a BM25 index and a Chroma collection. The file
`CURRENT` names the live one; a rebuild fills a new generation and replaces `CURRENT` in one
`os.replace`, so a crash at any moment leaves either the old index or the new one.
"""

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from index.manifest import ManifestError

POINTER = "CURRENT"


@dataclass(frozen=True)
class Generation:
    """One complete index: its folder on disk and its Chroma collection."""

    root: Path
    collection: str

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.sqlite"

    @property
    def bm25_dir(self) -> Path:
        return self.root / "bm25"


def chroma_dir(data_dir: Path) -> Path:
    """The embedded Chroma store, shared by all generations of one data folder."""
    return data_dir / "chroma"


def current(data_dir: Path) -> Generation | None:
    """The live generation, or None when nothing was ever built here."""
    pointer = data_dir / POINTER
    if not pointer.exists():
        return None
    try:
        record = json.loads(pointer.read_text(encoding="utf-8"))
        return Generation(root=data_dir / record["folder"], collection=record["collection"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestError(
            f"The index pointer {pointer} is damaged ({exc}). "
            "Run `assistant index rebuild` to build a fresh index."
        ) from exc


def new_generation(data_dir: Path, prefix: str) -> Generation:
    """A fresh, empty generation folder with a collection name no other index uses."""
    tag = uuid.uuid4().hex[:10]
    root = data_dir / f"gen-{tag}"
    root.mkdir(parents=True)
    collection = f"{prefix}-{tag}"
    (root / "collection").write_text(collection, encoding="utf-8")
    return Generation(root=root, collection=collection)


def switch_to(data_dir: Path, generation: Generation) -> None:
    """Make `generation` the live index in one atomic, durable step."""
    record = {"folder": generation.root.name, "collection": generation.collection}
    tmp = data_dir / f".{POINTER}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, data_dir / POINTER)
    _fsync_dir(data_dir)


def stale_generations(data_dir: Path, keep: Path | None = None) -> list[Generation]:
    """Generations that are neither live nor `keep`: superseded, or left by a crashed rebuild."""
    try:
        live = current(data_dir)
    except ManifestError:
        return []  # with the pointer damaged, no generation can be called stale
    stale = []
    for path in sorted(data_dir.glob("gen-*")):
        if not path.is_dir() or path == keep or (live is not None and path == live.root):
            continue
        marker = path / "collection"
        collection = marker.read_text(encoding="utf-8").strip() if marker.exists() else ""
        stale.append(Generation(root=path, collection=collection))
    return stale


def remove_folder(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
