"""Compare the docs folder with the manifest: what to embed, what to drop, what to report."""

from dataclasses import dataclass, field

from index.documents import LoadResult, SourceDocument


@dataclass
class Plan:
    """The difference between what is indexed and what the folder holds now."""

    names: dict[str, str]  # every name -> doc_id, as the manifest should record after the update
    to_embed: list[SourceDocument]  # documents whose content is not indexed yet
    to_remove: set[str]  # doc_ids no name refers to any more
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (name, same content as)
    unchanged: int = 0
    changes_anything: bool = False


def _kept_despite_failure(name: str, failed: set[str]) -> bool:
    """A file that failed to load this time keeps what was indexed from it: nothing is lost."""
    return name in failed or name.split("#", 1)[0] in failed


def make_plan(indexed: dict[str, str], loaded: LoadResult) -> Plan:
    """Diff names and content hashes; identical content is embedded once whatever its names."""
    failed = {problem.name for problem in loaded.errors}
    by_name = {doc.name: doc for doc in loaded.documents}
    names = {name: doc.doc_id for name, doc in by_name.items()}
    names.update({n: d for n, d in indexed.items() if _kept_despite_failure(n, failed)})
    indexed_ids = set(indexed.values())
    wanted_ids = set(names.values())
    first_by_id: dict[str, SourceDocument] = {}
    for doc in loaded.documents:
        first_by_id.setdefault(doc.doc_id, doc)
    plan = Plan(
        names=names,
        to_embed=[doc for i, doc in first_by_id.items() if i not in indexed_ids],
        to_remove=indexed_ids - wanted_ids,
    )
    plan.changes_anything = names != indexed
    _classify(plan, indexed, by_name)
    return plan


def _classify(plan: Plan, indexed: dict[str, str], by_name: dict[str, SourceDocument]) -> None:
    gone = {n: d for n, d in indexed.items() if n not in plan.names}
    gone_by_id = {d: n for n, d in gone.items()}
    owner: dict[str, str] = {}
    for name, doc in sorted(by_name.items()):
        if name in indexed:
            if indexed[name] == doc.doc_id:
                plan.unchanged += 1
            else:
                plan.changed.append(name)
        elif doc.doc_id in gone_by_id:
            plan.renamed.append((gone_by_id.pop(doc.doc_id), name))
        elif doc.doc_id in owner or doc.doc_id in indexed.values():
            pass  # reported as a duplicate below
        else:
            plan.added.append(name)
        if doc.doc_id in owner:
            plan.duplicates.append((name, owner[doc.doc_id]))
        owner.setdefault(doc.doc_id, name)
    renamed_from = {old for old, _ in plan.renamed}
    plan.removed = sorted(n for n in gone if n not in renamed_from)
