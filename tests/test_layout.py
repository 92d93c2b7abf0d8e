"""The layout keeps its directions: read from the source with `ast`, nothing is imported.

`python -m tests.test_layout [ROOT]` prints the graph between the parts of `assistant/` (its
packages and top-level modules) and `index`, for this checkout or another one at ROOT.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The query side from the bottom up; a part may import its own layer and those below it.
LAYERS = [
    {"errors", "settings", "prompts", "faults", "memory"},  # what every layer leans on
    {"retrieval"},
    {"answering"},
    {"generation"},
    {"service", "__init__"},  # `assistant.Assistant`, `assistant.answer`
    {"evaluation"},  # measures the service; keeps the chat's feedback
    {"web"},  # serves the service, records feedback
    {"cli", "terminal", "__main__"},  # the `assistant` command
]
LEVEL = {part: level for level, parts in enumerate(LAYERS) for part in parts}


def modules(root: Path, package: str) -> Iterator[tuple[str, Path]]:
    """Every module of `package` under `root`, by dotted name."""
    for path in sorted((root / package).rglob("*.py")):
        yield ".".join(path.relative_to(root).with_suffix("").parts), path


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules `path` imports, anywhere in it (lazy and type-checking imports too);
    `from package import module` counts as the module alone when `known` lists it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            named = {f"{base}.{alias.name}" for alias in node.names} & known
            found |= named or {base}
    return found


def part(module: str) -> str | None:
    """The part of the layout a module belongs to: `index`, or the package or top-level
    module of `assistant` it sits in; None outside both."""
    pieces = module.split(".")
    if pieces[0] == "index":
        return "index"
    if pieces[0] != "assistant":
        return None
    return pieces[1] if len(pieces) > 1 else "__init__"


def known_modules(root: Path) -> set[str]:
    return {name for package in ("assistant", "index") for name, _ in modules(root, package)}


def graph(root: Path) -> dict[str, set[str]]:
    """Which parts each part imports, within `assistant` and `index`."""
    known = known_modules(root)
    edges: dict[str, set[str]] = {}
    for package in ("assistant", "index"):
        for name, path in modules(root, package):
            source = part(name) or ""
            targets = {part(m) for m in imports(name, path, known)}
            edges.setdefault(source, set()).update(t for t in targets if t and t != source)
    return edges


def index_importing_assistant(root: Path) -> list[str]:
    known = known_modules(root)
    return [
        f"{name} imports {module}"
        for name, path in modules(root, "index")
        for module in sorted(imports(name, path, known))
        if part(module) not in (None, "index")
    ]


def gradio_outside_web(root: Path) -> list[str]:
    known = known_modules(root)
    return [
        f"{name} imports {module}"
        for package in ("assistant", "index")
        for name, path in modules(root, package)
        if not name.startswith("assistant.web.")
        for module in sorted(imports(name, path, known))
        if module == "gradio" or module.startswith("gradio.")
    ]


def upward(root: Path) -> list[str]:
    """Imports of a part from a layer above the importer's."""
    known = known_modules(root)
    return [
        f"{name} imports {module}"
        for name, path in modules(root, "assistant")
        for module in sorted(imports(name, path, known))
        if LEVEL.get(part(module) or "", -1) > LEVEL.get(part(name) or "", len(LAYERS))
    ]


def depth(edges: dict[str, set[str]]) -> int:
    """The longest chain of imports between parts (a cycle counts once)."""
    memo: dict[str, int] = {}

    def down(node: str, seen: frozenset[str]) -> int:
        if node in memo:
            return memo[node]
        below = [down(n, seen | {node}) for n in edges.get(node, ()) if n not in seen]
        memo[node] = 1 + max(below, default=0)
        return memo[node]

    return max((down(n, frozenset()) for n in edges), default=0)


def test_index_never_imports_assistant() -> None:
    assert index_importing_assistant(ROOT) == []


def test_only_the_web_package_imports_gradio() -> None:
    assert gradio_outside_web(ROOT) == []


def test_every_part_of_assistant_has_a_layer() -> None:
    parts = {part(name) for name, _ in modules(ROOT, "assistant")}
    assert parts - LEVEL.keys() == set()


def test_no_part_imports_one_above_it() -> None:
    assert upward(ROOT) == []


def test_the_checks_catch_each_wrong_direction(tmp_path: Path) -> None:
    def write(relative: str, text: str = "") -> None:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)

    write("assistant/service.py")
    write("assistant/retrieval/__init__.py")
    write(
        "assistant/retrieval/hybrid.py", "def f():\n    from assistant.service import Assistant\n"
    )
    write("assistant/answering/shown.py", "import gradio as gr\n")
    write("index/store.py", "from assistant.retrieval import hybrid\n")
    assert upward(tmp_path) == ["assistant.retrieval.hybrid imports assistant.service"]
    assert gradio_outside_web(tmp_path) == ["assistant.answering.shown imports gradio"]
    assert index_importing_assistant(tmp_path) == ["index.store imports assistant.retrieval.hybrid"]


def main(root: Path) -> None:
    edges = graph(root)
    for source in sorted(edges, key=lambda p: (LEVEL.get(p, -1), p)):
        print(f"{source} -> {', '.join(sorted(edges[source])) or '(nothing)'}")
    parts = sorted(p for p in edges if p != "index")
    print(f"{len(parts)} parts in assistant/, import chains up to {depth(edges)} parts long")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT)
