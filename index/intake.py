"""Accept files into the docs folder: safe names, size and type limits, nothing outside it."""

import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from index.loaders import SUPPORTED_SUFFIXES


class IntakeError(ValueError):
    """A file that cannot be accepted, with the reason and what to do."""


def safe_name(name: str) -> str:
    """A plain file name: no folders, no leading dots, only portable characters."""
    base = unicodedata.normalize("NFKC", name.replace("\\", "/")).split("/")[-1]
    base = re.sub(r"[^\w.\- ]+", "_", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem.strip("._ "):
        raise IntakeError(f"{name!r} is not a usable file name; rename it, e.g. article.txt.")
    return f"{stem[:120]}.{suffix.lower()}"


def accept(source: Path, original_name: str, docs_dir: Path, max_mb: float) -> Path:
    """Copy an uploaded file into `docs_dir` under a safe name; never overwrite another file."""
    name = safe_name(original_name)
    suffix = Path(name).suffix
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise IntakeError(f"{original_name}: {suffix} files are not supported (use {kinds}).")
    size_mb = source.stat().st_size / 2**20  # the same megabyte as the loaders' limit
    if size_mb > max_mb:
        raise IntakeError(
            f"{original_name}: {size_mb:.2f} MB is over the {max_mb:g} MB limit "
            "(ASSISTANT_MAX_FILE_MB)."
        )
    docs_dir.mkdir(parents=True, exist_ok=True)
    target = _free_path(docs_dir.resolve(), name)
    # Copy under a hidden name, then rename: the watcher and loaders never see half a file.
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    os.close(fd)
    shutil.copyfile(source, tmp)
    os.replace(tmp, target)
    return target


def remove(names: list[str], docs_dir: Path) -> list[Path]:
    """Delete files of the docs folder by their indexed names; refuses paths outside it.

    Every name is checked before anything is deleted, so a bad name deletes nothing.
    """
    root = docs_dir.resolve()
    paths = [_file_of(name, root) for name in names]
    removed = []
    for path in dict.fromkeys(paths):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def _file_of(name: str, root: Path) -> Path:
    """The file behind an indexed name; "items.json#3" is item 3 of items.json."""
    path = (root / name).resolve()
    if not path.is_file() and "#" in name:
        path = (root / name.rsplit("#", 1)[0]).resolve()
    if not path.is_relative_to(root) or path == root:
        raise IntakeError(f"{name!r} is not a file of the docs folder.")
    return path


def _free_path(folder: Path, name: str) -> Path:
    target = folder / name
    stem, suffix = target.stem, target.suffix
    counter = 2
    while target.exists():
        target = folder / f"{stem}-{counter}{suffix}"
        counter += 1
    return target
