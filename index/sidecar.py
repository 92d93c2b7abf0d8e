"""Metadata kept beside an article: `story.meta.json` describes `story.html` (or .txt, .pdf, ...).

For files that carry no metadata of their own (plain text, PDFs, saved pages without meta tags),
a sidecar gives the title, source, published date, url or author. Its fields take precedence
over what the file itself says.
"""

import json
from pathlib import Path

SIDECAR_SUFFIX = ".meta.json"


def sidecar_path(article: Path) -> Path:
    """Where the sidecar of `article` lives: same folder, same stem, `.meta.json`."""
    return article.with_name(article.stem + SIDECAR_SUFFIX)


def read_sidecar(article: Path) -> dict[str, object]:
    """The sidecar's fields, or nothing when there is none; a broken one raises SidecarError."""
    path = sidecar_path(article)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise SidecarError(f"its sidecar {path.name} is not readable JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise SidecarError(f"its sidecar {path.name} must hold one JSON object")
    return {str(k).lower(): v for k, v in data.items()}


class SidecarError(ValueError):
    """A sidecar that exists but cannot be used; reported against its article."""
