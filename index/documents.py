"""The unit the index stores: one article's text and its metadata, identified by content."""

import hashlib
import re
from dataclasses import dataclass, field


def content_hash(text: str) -> str:
    """Identify a document by its text, so a renamed or re-ingested copy is recognized."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def unpaired_surrogates_replaced(text: str) -> str:
    """`text` with lone surrogates (JSON's "\\ud800" can carry them) as U+FFFD: they cannot
    be stored or tokenized, and one must not cost the rest of the text."""
    return _SURROGATE.sub("\ufffd", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_value(value: object) -> str | None:
    """Metadata as one line of text (names for JSON-LD people and outlets); None when empty."""
    if isinstance(value, str):
        return " ".join(unpaired_surrogates_replaced(value).split()) or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, dict):
        return clean_value(value.get("name"))
    if isinstance(value, list):
        return ", ".join(n for v in value if (n := clean_value(v))) or None
    return None


@dataclass(frozen=True)
class SourceDocument:
    """An article as loaded from the docs folder, before chunking."""

    name: str  # path relative to the docs folder; "file.json#3" for an item inside a file
    text: str
    title: str
    source: str | None = None
    published: str | None = None  # ISO 8601 date or datetime, as given by the article
    url: str | None = None
    author: str | None = None

    @property
    def doc_id(self) -> str:
        return content_hash(self.text)

    def metadata(self) -> dict[str, str]:
        """Metadata as stored beside every chunk (Chroma accepts no None values)."""
        fields = {
            "title": self.title,
            "source": self.source,
            "published": self.published,
            "url": self.url,
            "author": self.author,
        }
        return {k: v for k, v in fields.items() if v}


@dataclass(frozen=True)
class Chunk:
    """A passage of one document: `document.text[start:end] == text` always holds."""

    chunk_id: str
    doc_id: str
    seq: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be read, or was read with a caveat, and why."""

    name: str
    reason: str


@dataclass
class LoadResult:
    """What a folder yielded: documents, files that failed, and warnings on files that loaded."""

    documents: list[SourceDocument] = field(default_factory=list)
    errors: list[LoadProblem] = field(default_factory=list)
    warnings: list[LoadProblem] = field(default_factory=list)
