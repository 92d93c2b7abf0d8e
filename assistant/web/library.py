"""The document library: what the index holds, and adding or deleting articles in it."""

import re
from pathlib import Path

from assistant.answering.citations import day_of
from assistant.errors import AssistantError
from assistant.faults import explained
from assistant.retrieval.corpus import not_indexed_message
from assistant.settings import Settings
from assistant.web.rendering import literal, message_markdown
from index import intake
from index.loaders import SUPPORTED_SUFFIXES, LoadError
from index.manifest import DocumentRecord, ManifestError
from index.pipeline import UpdateReport, update
from index.status import documents, indexed_names, status

HEADERS = ["Title", "Source", "Date", "Chunks", "Files", "Same story as"]
# The newest articles the Documents tab lists: a page of an archive of any size loads as fast.
TABLE_ROWS = 200
FILE_TYPES = sorted(SUPPORTED_SUFFIXES)

# An item of a file of news items, as the loaders name it.
_ITEM = re.compile(r"(.+\.jsonl?)#\d+", re.IGNORECASE)


def status_line(settings: Settings) -> str:
    """One Markdown line on what the index holds, or how to fill it when it is empty."""
    try:
        held = status(settings)
    except ManifestError as error:  # the message says to rebuild; the page must still load
        return f"**Index:** {message_markdown(str(error))}"
    if held.documents == 0:
        return f"**Index:** {message_markdown(not_indexed_message(settings))}"
    return (
        f"**Index:** {_count(held.documents, 'document')} · {_count(held.chunks, 'chunk')} · "
        f"embedding model `{held.model}`"
    )


def listing(settings: Settings, limit: int = TABLE_ROWS) -> tuple[list[list[str | int]], list[str]]:
    """The Documents tab's table rows and delete list, from one read of the newest `limit`."""
    try:
        records = documents(settings, limit)
    except ManifestError:
        return [], []  # the status line says what is wrong
    return _rows(records), _files(records)


def document_rows(settings: Settings, limit: int = TABLE_ROWS) -> list[list[str | int]]:
    """One row per indexed document, newest first and at most `limit`: title, source, date,
    chunks, files, and its near-duplicates (among those shown)."""
    return listing(settings, limit)[0]


def deletable_names(settings: Settings, limit: int = TABLE_ROWS) -> list[str]:
    """The files behind the newest `limit` documents, those the table shows; a JSON file
    stands for all of its items. The list does not grow with the archive (the delete box
    takes any other file's name typed in)."""
    return listing(settings, limit)[1]


def _rows(records: list[DocumentRecord]) -> list[list[str | int]]:
    groups: dict[str, list[DocumentRecord]] = {}
    for record in records:
        if record.group:
            groups.setdefault(record.group, []).append(record)
    return [
        [
            record.title,
            record.source or "—",
            day_of(record.published),
            record.chunks,
            ", ".join(record.names),
            "; ".join(
                f"{other.source or other.title}, {day_of(other.published)}"
                for other in groups.get(record.group or "", [])
                if other.doc_id != record.doc_id
            ),
        ]
        for record in records
    ]


def _files(records: list[DocumentRecord]) -> list[str]:
    return sorted({_file_of(name) for record in records for name in record.names})


def upload(settings: Settings, files: list[tuple[Path, str]]) -> str:
    """Copy (temporary path, original name) uploads into the docs folder, then update once."""
    if not files:
        return "Choose one or more files to upload first."
    added: list[str] = []
    lines: list[str] = []
    for path, original in files:
        try:
            target = intake.accept(path, original, settings.docs_dir, settings.max_file_mb)
        except intake.IntakeError as error:
            lines.append(f"**Rejected:** {message_markdown(str(error))}")
        except OSError as error:  # the browser's upload vanished or cannot be read
            lines.append(
                f"**Rejected:** {literal(original)}: could not be read ({error.strerror})."
            )
        else:
            added.append(target.name)
    if not added:
        return "\n\n".join([*lines, "Nothing was added; the index is unchanged."])
    report, problem = _update(settings)
    if report is None:
        return "\n\n".join(
            [*lines, f"Copied {_names(added)}, but the index was not updated: {problem}"]
        )
    unreadable = _drop_unreadable(settings, report, added)
    kept = [name for name in added if name not in unreadable]
    if kept:
        lines.insert(0, f"**Added:** {_names(kept)}")
    lines += _same_text_lines(report, kept)
    lines += [f"**Not added:** {literal(f'{n}: {r}')}" for n, r in unreadable.items()]
    lines += _other_failures(report, unreadable)
    return "\n\n".join([*lines, f"**Index:** {report.summary()}"])


def delete(settings: Settings, names: list[str]) -> str:
    """Delete the files behind `names` from the docs folder, then update the index once."""
    if not names:
        return "Choose the files to delete first."
    items = _item_counts(settings)
    removed: list[str] = []
    lines: list[str] = []
    for file in dict.fromkeys(_file_of(name) for name in names):
        try:
            gone = intake.remove([file], settings.docs_dir)
        except intake.IntakeError as error:
            lines.append(f"**Refused:** {message_markdown(str(error))} Nothing was deleted for it.")
            continue
        if not gone:
            lines.append(f"**Not found:** {_names([file])} is not in the docs folder.")
            continue
        removed.append(file)
        chose_item = any(n != file and _file_of(n) == file for n in names)
        if chose_item or items.get(file, 0) > 1:
            lines.append(_whole_file_note(file, items.get(file, 0)))
    if not removed:
        return "\n\n".join([*lines, "Nothing was deleted; the index is unchanged."])
    report, problem = _update(settings)
    summary = (
        f"**Index:** {report.summary()}" if report else f"The index was not updated: {problem}"
    )
    return "\n\n".join([f"**Deleted:** {_names(removed)}", *lines, summary])


def _whole_file_note(file: str, items: int) -> str:
    """Say that a file of several news items went as a whole: items cannot be deleted alone."""
    every = f"all {items} of its items" if items > 1 else "every item in it"
    return f"Deleting {_names([file])} removed the whole file, with {every}."


def _update(settings: Settings) -> tuple[UpdateReport | None, str]:
    """Run one index update; on an error the user can fix, None and that error's message."""
    try:
        with explained(settings):
            return update(settings), ""
    except (LoadError, AssistantError) as error:
        return None, message_markdown(str(error))


def _drop_unreadable(settings: Settings, report: UpdateReport, added: list[str]) -> dict[str, str]:
    """Delete uploads the loaders could not read: kept, they would fail every update unseen."""
    unreadable = {p.name: p.reason for p in report.failed if p.name in added}
    for name in unreadable:
        # Never indexed, so removing the file changes nothing the index holds.
        (settings.docs_dir / name).unlink(missing_ok=True)
    return unreadable


def _same_text_lines(report: UpdateReport, uploaded: list[str]) -> list[str]:
    """Uploads whose text is already indexed under another name: they add no document."""
    # The plan names whichever copy sorts first as the original; the upload may be either.
    pairs = [(a, b) if _file_of(a) in uploaded else (b, a) for a, b in report.duplicates]
    return [
        f"{_names([name])} has the same text as {_names([same])}; it is indexed once."
        for name, same in pairs
        if _file_of(name) in uploaded
    ]


def _other_failures(report: UpdateReport, reported: dict[str, str]) -> list[str]:
    """Files already in the folder that failed to load; what was indexed from them is kept."""
    return [
        f"**Could not read** {literal(f'{p.name}: {p.reason}')}"
        for p in report.failed
        if p.name not in reported
    ]


def _item_counts(settings: Settings) -> dict[str, int]:
    """How many indexed names each file has (a JSON file has one per news item)."""
    counts: dict[str, int] = {}
    for name in indexed_names(settings):
        counts[_file_of(name)] = counts.get(_file_of(name), 0) + 1
    return counts


def _file_of(name: str) -> str:
    """The file behind an indexed name: "file.json#3" is item 3 of file.json; a hand-placed
    "notes#1.txt" is a file of its own."""
    item = _ITEM.fullmatch(name)
    return item[1] if item else name


def _names(names: list[str]) -> str:
    """File names as code, unless a backtick in a hand-placed file's name would end the span."""
    return ", ".join(literal(name) if "`" in name else f"`{name}`" for name in names)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
