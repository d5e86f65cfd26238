"""The package's layout holds: no import cycle, no import running back up the layers, a small top level.

The layers, lowest first; a module may import its own subpackage and any lower
layer, never a higher one or a sibling on its own layer. Imports under
``if TYPE_CHECKING:`` are annotations only and are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "generator" / "reglament"
LAYERS: list[set[str]] = [
    {"diagnostics", "perf", "ru", "htmlsafe"},
    {"errors"},
    {"model"},
    {"morphology", "sandbox", "source"},
    {"variant"},
    {"check"},
    {"project", "render"},
    {"diff"},
    {"pdf"},
    {"site"},
    {"publish", "editor"},
    {"word", "ack"},
    {"cli"},
]
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}
TOP_LEVEL_LIMIT = 10


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.parts[-1] == "__init__" else rel.parts
    return ".".join(parts)


def _runtime_imports(tree: ast.Module) -> list[tuple[str, int]]:
    """(imported reglament module, line) for every import that runs (not under ``if TYPE_CHECKING:``)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skipped.update(id(sub) for stmt in node.body for sub in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "reglament":
            for alias in node.names:
                found.append(
                    (f"{node.module}.{alias.name}" if node.module == "reglament" else node.module, node.lineno)
                )
        elif isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "reglament"]
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target, _ in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in modules and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_every_room_has_a_layer():
    rooms = {_room(m) for m in _graph()} - {"reglament"}
    assert rooms <= set(LAYER), f"give these a layer in tests/test_layout.py: {sorted(rooms - set(LAYER))}"


def test_no_import_runs_up_the_layers_or_sideways():
    wrong = []
    for module, targets in _graph().items():
        here = _room(module)
        for target in targets:
            there = _room(target)
            if here != there and here in LAYER and there in LAYER and LAYER[there] >= LAYER[here]:
                wrong.append(f"{module} → {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target] if target in path else [node, target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def test_no_library_import_inside_functions_except_the_cli():
    """Imports inside functions hid the old cycle; only the CLI imports lazily (start-up time)."""
    inside = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "cli.py" and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.ImportFrom) and (sub.module or "").startswith("reglament"):
                        inside.append(f"{path.relative_to(REPO)}:{sub.lineno}")
    assert not inside, "move these imports to the top of their module:\n" + "\n".join(inside)


def test_top_level_is_small():
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= TOP_LEVEL_LIMIT, top
