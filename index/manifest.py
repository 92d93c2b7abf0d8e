"""The manifest: the source of truth for what is indexed, in one SQLite file per generation.

Chroma and BM25 are derived from it. Every update commits here in one transaction, so the
manifest never describes half an update; vectors it does not list are ignored and cleaned up.
"""

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from index.documents import Chunk, SourceDocument, content_hash

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT, published TEXT,
    url TEXT, author TEXT, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS names (
    name TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id)
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    seq INTEGER NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL,
    terms TEXT NOT NULL  -- BM25 terms as JSON: updates rebuild BM25 without re-tokenizing
);
CREATE TABLE IF NOT EXISTS signatures (
    doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id),
    minhash BLOB NOT NULL,  -- index/duplicates.py
    grp TEXT  -- the first doc_id of its group of near-duplicates; NULL when it has none
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS names_doc ON names(doc_id);
CREATE INDEX IF NOT EXISTS documents_newest ON documents(published DESC, title);
INSERT OR IGNORE INTO meta VALUES ('edits', '0');
"""
# Every change to the rows counts in meta 'edits'; the writer seals the count it leaves in
# 'sealed' as its transaction commits. A reader that finds them equal knows nothing but the
# writer touched the file, so it checks cheaply; a hand edit leaves them apart, and the reader
# hashes every document and has SQLite check every page.
_COUNTED = ("documents", "chunks", "names", "signatures")
_UNCOUNTED_META = "('edits', 'sealed', 'version', 'pending')"


def _trigger(table: str, event: str) -> str:
    row = "old" if event == "DELETE" else "new"
    when = f"WHEN {row}.key NOT IN {_UNCOUNTED_META} " if table == "meta" else ""
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_{event.lower()} AFTER {event} ON {table} {when}"
        "BEGIN UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'edits'; END;"
    )


TRIGGERS = "\n".join(
    _trigger(table, event)
    for table in (*_COUNTED, "meta")
    for event in ("INSERT", "UPDATE", "DELETE")
)


class ManifestError(RuntimeError):
    """The manifest cannot be read: damaged, hand-edited or from another version."""


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the index knows it (text included, so citations never reread files)."""

    doc_id: str
    title: str
    source: str | None
    published: str | None
    url: str | None
    author: str | None
    names: tuple[str, ...]
    chunks: int
    group: str | None = None  # shared by near-duplicate articles (index/duplicates.py)


class Manifest:
    """Read and change one generation's manifest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA + TRIGGERS)
        except sqlite3.DatabaseError as exc:
            raise ManifestError(
                f"The index manifest {path} is damaged ({exc}). "
                "Run `assistant index rebuild` to build a fresh index."
            ) from exc

    def close(self) -> None:
        self.release_snapshot()
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All changes inside commit together, with the version bumped, or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute(
                "INSERT INTO meta VALUES ('version', '1') ON CONFLICT(key) "
                "DO UPDATE SET value = CAST(value AS INTEGER) + 1"
            )
            if problems := self._row_problems():  # sealed means the rows agree: checked here
                raise ManifestError(f"An update would leave {'; '.join(problems)}.")
            self._seal()
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _seal(self) -> None:
        """Record that every edit so far is the writer's own (see TRIGGERS)."""
        self._db.execute(
            "INSERT INTO meta VALUES ('sealed', (SELECT value FROM meta WHERE key = 'edits')) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        )

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read inside one transaction: what is read is one version, however writers commit.

        The snapshot lasts until `release_snapshot` (or `close`), so later reads (a cited
        document's text) see the same version as the first.
        """
        self._db.execute("BEGIN")
        self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def release_snapshot(self) -> None:
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a value as the writer: the edit is sealed with it (outside a transaction too)."""
        self._db.execute(
            "INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
        self._seal()

    def settings_record(self) -> dict[str, object] | None:
        """What the stored vectors depend on, as recorded when the index was created."""
        raw = self.get_meta("settings")
        return None if raw is None else dict(json.loads(raw))

    @property
    def version(self) -> int:
        return int(self.get_meta("version") or 0)

    @staticmethod
    def current_version(path: Path) -> int | None:
        """The committed version of the manifest at `path`, read on a connection of its own
        (a reader's snapshot would show its own); None when it cannot be read."""
        try:
            with closing(sqlite3.connect(path, timeout=10)) as db:
                row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        except sqlite3.Error:
            return None
        return int(row[0]) if row else 0

    def names(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT name, doc_id FROM names").fetchall())

    def doc_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT doc_id FROM documents")}

    def add_document(
        self, document: SourceDocument, chunks: list[Chunk], terms: list[list[str]]
    ) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                document.doc_id,
                document.title,
                document.source,
                document.published,
                document.url,
                document.author,
                document.text,
            ),
        )
        self._db.executemany(
            "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c.chunk_id, c.doc_id, c.seq, c.start, c.end, json.dumps(t))
                for c, t in zip(chunks, terms, strict=True)
            ],
        )

    def unsigned_documents(self) -> list[tuple[str, str]]:
        """(doc_id, text) of documents without a near-duplicate signature yet."""
        rows = self._db.execute(
            "SELECT doc_id, text FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM signatures)"
        )
        return [(str(d), str(t)) for d, t in rows]

    def set_signature(self, doc_id: str, minhash: bytes) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO signatures (doc_id, minhash) VALUES (?, ?)", (doc_id, minhash)
        )

    def signatures(self) -> dict[str, bytes]:
        return {d: bytes(m) for d, m in self._db.execute("SELECT doc_id, minhash FROM signatures")}

    def set_groups(self, groups: list[list[str]]) -> None:
        """Record groups of near-duplicates; each is named after its first doc_id."""
        self._db.execute("UPDATE signatures SET grp = NULL")
        self._db.executemany(
            "UPDATE signatures SET grp = ? WHERE doc_id = ?",
            [(group[0], doc_id) for group in groups for doc_id in group],
        )

    def remove_document(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM signatures WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM names WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def set_name(self, name: str, doc_id: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO names VALUES (?, ?)", (name, doc_id))

    def remove_name(self, name: str) -> None:
        self._db.execute("DELETE FROM names WHERE name = ?", (name,))

    def chunk_ids(self, doc_ids: set[str] | None = None) -> list[str]:
        rows = self._db.execute("SELECT chunk_id, doc_id FROM chunks ORDER BY doc_id, seq")
        return [cid for cid, did in rows if doc_ids is None or did in doc_ids]

    def chunks(self) -> list[Chunk]:
        """Every chunk with its text, cut from the stored document text."""
        rows = self._db.execute(
            "SELECT c.chunk_id, c.doc_id, c.seq, c.start, c.end, d.text "
            "FROM chunks c JOIN documents d USING (doc_id) ORDER BY c.doc_id, c.seq"
        )
        return [Chunk(cid, did, seq, s, e, text[s:e]) for cid, did, seq, s, e, text in rows]

    def chunk_terms(self) -> tuple[list[str], list[list[str]]]:
        """Every chunk id with its BM25 terms, in a stable order."""
        rows = self._db.execute(
            "SELECT chunk_id, terms FROM chunks ORDER BY doc_id, seq"
        ).fetchall()
        return [cid for cid, _ in rows], [json.loads(terms) for _, terms in rows]

    def document_text(self, doc_id: str) -> str:
        row = self._db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise KeyError(doc_id)
        return str(row[0])

    def counts(self) -> tuple[int, int]:
        """How many documents and chunks the index holds."""
        (documents,) = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()
        (chunks,) = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()
        return int(documents), int(chunks)

    def documents(self, limit: int | None = None) -> list[DocumentRecord]:
        """The indexed documents with their names and chunk counts, newest first; the first
        `limit` of them when given."""
        rows = self._db.execute(
            "SELECT d.doc_id, d.title, d.source, d.published, d.url, d.author, "
            "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.doc_id), s.grp "
            "FROM documents d LEFT JOIN signatures s USING (doc_id) "
            "ORDER BY d.published DESC, d.title LIMIT ?",
            (-1 if limit is None else limit,),
        ).fetchall()
        names: dict[str, list[str]] = {}
        wanted = [row[0] for row in rows]
        for start in range(0, len(wanted), 500):  # SQLite limits the parameters of a query
            batch = wanted[start : start + 500]
            for name, doc_id in self._db.execute(
                "SELECT name, doc_id FROM names WHERE doc_id IN "
                f"({', '.join('?' * len(batch))}) ORDER BY name",
                batch,
            ):
                names.setdefault(doc_id, []).append(name)
        return [
            DocumentRecord(
                doc_id=row[0],
                title=row[1],
                source=row[2],
                published=row[3],
                url=row[4],
                author=row[5],
                names=tuple(names.get(row[0], ())),
                chunks=int(row[6]),
                group=row[7],
            )
            for row in rows
        ]

    def check(self) -> None:
        """Raise ManifestError when the file is damaged or its rows contradict each other.

        When only the writer changed the file since it was sealed, this reads a few meta rows
        whatever the archive's size: the writer checked the rows before it sealed them.
        Otherwise every row is checked, every document hashed and every page read.
        """
        try:
            problems = self._problems(full=not self._sealed())
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
        if problems:
            raise ManifestError(
                f"The index manifest {self.path} is damaged or was edited by hand "
                f"({'; '.join(problems)}). Run `assistant index rebuild` to build a fresh index."
            )

    def _sealed(self) -> bool:
        sealed = self.get_meta("sealed")
        return sealed is not None and sealed == self.get_meta("edits")

    def _problems(self, full: bool) -> list[str]:
        """What is wrong with the file: a missing build record, and when `full`, SQLite's own
        page check, rows that disagree and documents whose text no longer hashes to their id."""
        if full:
            (result,) = self._db.execute("PRAGMA quick_check").fetchone()
            if result != "ok":
                return [str(result).splitlines()[0]]
        problems = [] if self.settings_record() else ["no record of how it was built"]
        if not full:
            return problems
        problems += self._row_problems()
        rows = self._db.execute(
            "SELECT COUNT(*) FROM chunks c JOIN documents d USING (doc_id) "
            "WHERE c.start < 0 OR c.end > length(d.text) OR c.start >= c.end"
        )
        if count := rows.fetchone()[0]:
            problems.append(f"{count} chunks outside their document's text")
        # A document's id is the hash of its text: an edited text no longer matches it.
        rows = self._db.execute("SELECT doc_id, text FROM documents")
        if edited := sum(content_hash(text) != doc_id for doc_id, text in rows):
            problems.append(f"{edited} documents whose text changed after indexing")
        return problems

    def _row_problems(self) -> list[str]:
        """Rows that disagree with each other: what no writer may leave behind."""
        problems = []
        counts = {
            "chunks of missing documents": "SELECT COUNT(*) FROM chunks "
            "WHERE doc_id NOT IN (SELECT doc_id FROM documents)",
            "names of missing documents": "SELECT COUNT(*) FROM names "
            "WHERE doc_id NOT IN (SELECT doc_id FROM documents)",
            "documents without chunks": "SELECT COUNT(*) FROM documents "
            "WHERE doc_id NOT IN (SELECT doc_id FROM chunks)",
            "documents with chunks missing": "SELECT COUNT(*) FROM (SELECT doc_id FROM chunks "
            "GROUP BY doc_id HAVING MIN(seq) != 0 OR MAX(seq) + 1 != COUNT(*))",
        }
        for what, query in counts.items():
            if count := self._db.execute(query).fetchone()[0]:
                problems.append(f"{count} {what}")
        return problems
