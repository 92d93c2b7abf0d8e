"""Read the docs folder into SourceDocuments: text, Markdown, HTML, PDF, Word and JSON items."""

import codecs
import json
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from index.dates import iso_date
from index.documents import (
    LoadProblem,
    LoadResult,
    SourceDocument,
    clean_value,
    unpaired_surrogates_replaced,
)
from index.plausible import implausible
from index.sidecar import SIDECAR_SUFFIX, SidecarError, read_sidecar

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".json", ".jsonl"})

_ALIASES = {
    "title": ("title",),
    "source": ("source", "site", "outlet"),
    "published": ("published", "published_at", "date"),
    "url": ("url",),
    "author": ("author",),
}
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)
_FRONT_MATTER_LINE = re.compile(r"\s*(#.*)?|[A-Za-z_][\w-]*[ \t]*:.*")
_MD_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
# python-docx's blank template stamps every file it creates with these; they say nothing
# about the article, so they must not pass for its author and publication date.
_DOCX_TEMPLATE_AUTHOR = "python-docx"
_DOCX_TEMPLATE_CREATED = datetime.fromisoformat("2013-12-23T23:15:00+00:00")

Meta = dict[str, object]


class LoadError(Exception):
    """A file that cannot become a document; the message tells the user what is wrong with it."""


def load_folder(docs_dir: Path, max_file_mb: float = 20.0) -> LoadResult:
    """Load every supported file under docs_dir; a file that fails is reported, not fatal."""
    if not docs_dir.is_dir():
        what = "is not a folder" if docs_dir.exists() else "does not exist"
        raise LoadError(
            f"Docs folder {docs_dir} {what}: create it and put articles in it, "
            "or set ASSISTANT_DOCS_DIR to the folder that holds them."
        )
    result = LoadResult()
    for path in _supported_files(docs_dir):
        name = path.relative_to(docs_dir).as_posix()
        warnings: list[LoadProblem] = []
        try:
            documents = _load_within_limit(path, name, max_file_mb, warnings)
            documents = _with_sidecar(path, documents)
        except LoadError as exc:
            result.errors.append(LoadProblem(name, str(exc)))
            continue
        except Exception as exc:  # a parser bug on one odd file must not stop the whole folder
            reason = f"could not be read ({type(exc).__name__}: {exc})"
            result.errors.append(LoadProblem(name, reason))
            continue
        result.documents.extend(documents)
        result.warnings.extend(warnings)
    return result


def _supported_files(docs_dir: Path) -> list[Path]:
    """Files with a supported suffix, skipping hidden files and folders, in sorted path order."""
    found: list[Path] = []
    for root, dirs, files in os.walk(docs_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for file in files:
            if file.startswith(".") or file.lower().endswith(SIDECAR_SUFFIX):
                continue  # a sidecar describes its article; it is not an article itself
            if Path(file).suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(Path(root) / file)
    return sorted(found, key=lambda p: p.relative_to(docs_dir).parts)


def _with_sidecar(path: Path, documents: list[SourceDocument]) -> list[SourceDocument]:
    """The documents with the fields their `<stem>.meta.json` sets, which take precedence."""
    try:
        given = {k: v for k, v in _pick_fields(read_sidecar(path)).items() if v is not None}
    except SidecarError as exc:
        raise LoadError(str(exc)) from exc
    if not given:
        return documents
    fields: dict[str, Any] = {k: clean_value(v) for k, v in given.items() if k != "published"}
    if "published" in given:
        fields["published"] = iso_date(given["published"])
    return [replace(doc, **{k: v for k, v in fields.items() if v}) for doc in documents]


def _load_within_limit(
    path: Path, name: str, max_file_mb: float, warnings: list[LoadProblem]
) -> list[SourceDocument]:
    """Load one file unless it is bigger than the configured limit."""
    try:
        size_mb = path.stat().st_size / 2**20
    except OSError as exc:
        raise LoadError(f"could not be read: {exc.strerror or exc}") from exc
    if size_mb > max_file_mb:
        raise LoadError(
            f"{size_mb:.1f} MB is over the {max_file_mb:g} MB limit; "
            "raise ASSISTANT_MAX_FILE_MB to index it"
        )
    return load_file(path, name, warnings)


def load_file(path: Path, name: str, warnings: list[LoadProblem]) -> list[SourceDocument]:
    """Load one file; name is its posix path relative to the docs folder."""
    suffix = path.suffix.lower()
    try:
        match suffix:
            case ".txt" | ".md":
                return [_load_text(path, name, warnings)]
            case ".html" | ".htm":
                return [_load_html(path, name, warnings)]
            case ".pdf":
                return [_load_pdf(path, name)]
            case ".docx":
                return [_load_docx(path, name)]
            case ".json":
                return _load_json(path, name, warnings)
            case ".jsonl":
                return _load_jsonl(path, name, warnings)
    except OSError as exc:
        raise LoadError(f"could not be read: {exc.strerror or exc}") from exc
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    raise LoadError(f"unsupported file type {suffix!r}; supported: {supported}")


def _read_text(path: Path, name: str, warnings: list[LoadProblem]) -> str:
    """Decode a text file as UTF-8 (or UTF-16 with a BOM), refusing binary files."""
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    sample = data[:8192]
    controls = sum(1 for b in sample if (b < 32 and b not in b"\t\n\r\f\v") or b == 127)
    if b"\x00" in sample or controls > len(sample) * 0.05:
        raise LoadError("looks like a binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(LoadProblem(name, "not valid UTF-8; decoded with replacement characters"))
        return data.decode("utf-8-sig", errors="replace")


def _load_text(path: Path, name: str, warnings: list[LoadProblem]) -> SourceDocument:
    """Plain text or Markdown, with optional `key: value` front matter between `---` lines."""
    text = _read_text(path, name, warnings)
    meta: Meta = {}
    match = _FRONT_MATTER.match(text)
    # A leading `---` may be a rule above prose; only key: value lines make front matter.
    if match and all(_FRONT_MATTER_LINE.fullmatch(line) for line in match[1].splitlines()):
        meta = _front_matter(match[1])
        text = text[match.end() :]
    heading = _MD_HEADING.search(text) if path.suffix.lower() == ".md" else None
    if heading and not meta.get("title"):
        meta["title"] = heading[1]
    if not meta.get("title"):
        meta["title"] = _headline(text) or _title_from_name(name, text)
    return _document(name, text, meta)


def _headline(text: str) -> str | None:
    """The first line, when it reads as a headline: short, not a sentence, more text after."""
    first, _, rest = text.strip().partition("\n")
    first = first.strip()
    words = first.split()
    if not rest.strip() or not 2 <= len(words) <= MAX_HEADLINE_WORDS:
        return None
    return None if first.endswith((".", ",", ";", ":")) else first


def _front_matter(block: str) -> Meta:
    """Parse simple `key: value` lines, mapping aliases (site, date, ...) to our field names."""
    raw: dict[str, object] = {}
    for line in block.splitlines():
        key, _, value = line.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        raw.setdefault(key.strip().lower(), value)
    return _pick_fields(raw)


def _pick_fields(item: dict[str, object]) -> Meta:
    """Our metadata fields from a mapping that may use alternative key names."""
    return {
        field: next((item[k] for k in keys if clean_value(item.get(k))), None)
        for field, keys in _ALIASES.items()
    }


def _load_html(path: Path, name: str, warnings: list[LoadProblem]) -> SourceDocument:
    """A web page: the article's paragraphs, without navigation, scripts or boilerplate."""
    from index.html_text import extract  # format libraries load on first use: see pipeline.py

    text, meta = extract(_read_text(path, name, warnings))
    return _document(name, text, meta)


def _load_pdf(path: Path, name: str) -> SourceDocument:
    """A PDF's text layer, page by page, with title and author from its metadata."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    try:
        reader = PdfReader(path)
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        meta: Meta = {"title": info.title, "author": info.author} if info else {}
    except FileNotDecryptedError as exc:
        raise LoadError("the PDF is password-protected; save an unprotected copy") from exc
    except Exception as exc:  # pypdf raises many error types on damaged files
        raise LoadError(f"not a readable PDF: {exc}") from exc
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise LoadError("the PDF has no text layer (a scanned document?); run OCR on it first")
    return _document(name, text, meta)


def _load_docx(path: Path, name: str) -> SourceDocument:
    """A Word document's non-empty paragraphs, with title and author from its properties."""
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx surfaces zip, XML and key errors on bad files
        raise LoadError(f"not a readable Word document: {exc}") from exc
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    props = document.core_properties
    headings = (p.text for p in paragraphs if p.style and p.style.name in ("Title", "Heading 1"))
    meta: Meta = {
        "title": clean_value(props.title) or next(headings, None),
        "author": None if props.author == _DOCX_TEMPLATE_AUTHOR else props.author,
        "published": None if props.created == _DOCX_TEMPLATE_CREATED else props.created,
    }
    return _document(name, "\n\n".join(p.text for p in paragraphs), meta)


def _load_json(path: Path, name: str, warnings: list[LoadProblem]) -> list[SourceDocument]:
    """A news item, a list of them, or an object holding the list under articles/items/data."""
    try:
        data = json.loads(_read_text(path, name, warnings))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise LoadError(f"not valid JSON: {exc.msg} at {where}") from exc
    if isinstance(data, dict):
        listed = next((data[k] for k in ("articles", "items", "data") if k in data), None)
        data = listed if isinstance(listed, list) else [data]
    if not isinstance(data, list):
        raise LoadError("expected a news item object or a list of them")
    return _news_items(name, list(enumerate(data)), warnings)


def _load_jsonl(path: Path, name: str, warnings: list[LoadProblem]) -> list[SourceDocument]:
    """One news item per non-empty line; item i is the i-th non-empty line, bad ones skipped."""
    lines = enumerate(_read_text(path, name, warnings).splitlines(), 1)
    items: list[tuple[int, object]] = []
    for i, (line_no, line) in enumerate((n, s) for n, s in lines if s.strip()):
        try:
            items.append((i, json.loads(line)))
        except json.JSONDecodeError as exc:
            reason = f"line {line_no}: not valid JSON ({exc.msg}); skipped"
            warnings.append(LoadProblem(name, reason))
    return _news_items(name, items, warnings)


def _news_items(
    name: str, items: list[tuple[int, object]], warnings: list[LoadProblem]
) -> list[SourceDocument]:
    """Documents for the items that carry a body; the others become warnings."""
    documents, unusable = [], []
    for i, item in items:
        if not isinstance(item, dict):
            warnings.append(LoadProblem(f"{name}#{i}", "not a JSON object; skipped"))
        elif (body := _pick_body(item)) is None:
            warnings.append(LoadProblem(f"{name}#{i}", "empty body; skipped"))
        else:
            meta = _pick_fields(item)
            try:
                documents.append(_document(f"{name}#{i}", body, meta))
            except LoadError as exc:  # one bad item must not cost the file's other items
                title = clean_value(meta.get("title"))
                about = f" (\u201c{title}\u201d)" if title else ""
                unusable.append(LoadProblem(f"{name}#{i}", f"item {i}{about}: {exc}; skipped"))
    warnings.extend(unusable)
    if not documents:
        if unusable:
            raise LoadError(f"none of its news items could be indexed: {unusable[-1].reason}")
        raise LoadError("no news items with text (expected objects with a title and a body)")
    return documents


def _pick_body(item: dict[str, object]) -> str | None:
    """An item's article text, under body, text or content."""
    for key in ("body", "text", "content"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


MAX_HEADLINE_WORDS = 16


def _document(name: str, text: str, meta: Mapping[str, object]) -> SourceDocument:
    """A document with cleaned metadata; the title falls back to the file name in words."""
    text = unpaired_surrogates_replaced(text).strip()
    if not text:
        raise LoadError("no text")
    if reason := implausible(text):
        raise LoadError(reason)
    return SourceDocument(
        name=name,
        text=text,
        title=clean_value(meta.get("title")) or _title_from_name(name),
        source=clean_value(meta.get("source")),
        published=iso_date(meta.get("published")),
        url=clean_value(meta.get("url")),
        author=clean_value(meta.get("author")),
    )


def _title_from_name(name: str, text: str = "") -> str:
    """The file name in words, cased as the article writes them: 'russia-offers-taliban-help-
    against-isis-k.txt' -> 'Russia offers Taliban help against ISIS-K'; items add ' #i'."""
    file, _, item = name.partition("#")
    parts = [p for p in re.split(r"[-_\s]+", PurePosixPath(file).stem) if p]
    written = _written_forms(text)
    words: list[str] = []
    while parts:
        pair = "-".join(parts[:2]).lower()
        if len(parts) > 1 and pair in written:  # "isis-k" is written "ISIS-K"
            words.append(written[pair])
            parts = parts[2:]
        else:
            words.append(written.get(parts[0].lower(), parts[0].lower()))
            parts = parts[1:]
    title = " ".join(words) or file
    return title[:1].upper() + title[1:] + (f" #{item}" if item else "")


def _written_forms(text: str) -> dict[str, str]:
    """How the text writes each word: lower case if it ever does, else its commonest form."""
    forms: dict[str, Counter[str]] = {}
    for word in re.findall(r"[\w][\w'\u2019-]*", text):
        forms.setdefault(word.lower(), Counter())[word] += 1
    return {
        lower: lower if lower in seen else seen.most_common(1)[0][0]
        for lower, seen in forms.items()
    }
