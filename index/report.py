"""What an index update did, for the shell's summary and for scripted ingestion."""

from dataclasses import dataclass, field

from index.documents import LoadProblem


@dataclass
class UpdateReport:
    """What an update did, for the shell's summary and for scripted ingestion."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    failed: list[LoadProblem] = field(default_factory=list)
    warnings: list[LoadProblem] = field(default_factory=list)
    embedded_chunks: int = 0
    documents: int = 0
    chunks: int = 0
    rebuilt_because: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        rebuilt = f"rebuilt ({self.rebuilt_because}); " if self.rebuilt_because else ""
        return (
            f"{rebuilt}{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.removed)} removed, {len(self.renamed)} renamed, "
            f"{self.unchanged} unchanged, {len(self.failed)} failed; "
            f"{self.embedded_chunks} chunks embedded; index holds {self.documents} documents, "
            f"{self.chunks} chunks ({self.seconds:.1f} s)"
        )
