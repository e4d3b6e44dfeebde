"""The package's modules import each other in one direction only: a walk over every import in
the source (module level and inside functions alike) finds no circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "graphql_passwordreset"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path, modules: set[str]) -> set[str]:
    """The package's modules that ``path`` imports, wherever in the file the import stands."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # "from . import x" and "from .a import b" may name modules or attributes.
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {target for target in targets if target in modules and target != name}
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    paths = [p for p in root.rglob("*.py") if "migrations" not in p.parts]
    modules = {module_name(path, root) for path in paths}
    return {module_name(path, root): imports_of(path, root, modules) for path in paths}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the list of modules around it, or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target, [*path, target])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [start])
            if cycle:
                return cycle
    return None


def test_no_module_of_the_package_imports_one_that_imports_it_back() -> None:
    graph = import_graph(ROOT)
    assert len(graph) > 20 and graph[f"{PACKAGE}.services"]  # the walk really read the package
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("delivery", {"services", "mutations", "relay", "schema", "mixins"}),
        ("checks", {"services", "delivery", "models", "throttling", "mixins"}),
        ("conf", {"checks", "services", "models", "delivery"}),
    ],
)
def test_plumbing_modules_stay_light(module: str, forbidden: set[str]) -> None:
    """delivery.py is plumbing (it imports no services); checks.py reads conf, nothing heavier."""
    imported = import_graph(ROOT)[f"{PACKAGE}.{module}"]
    assert not imported & {f"{PACKAGE}.{name}" for name in forbidden}, imported


def test_the_walk_finds_a_circle_when_there_is_one(tmp_path: Path) -> None:
    package = tmp_path / PACKAGE
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from . import b\n")
    (package / "b.py").write_text("from .c import thing\n")
    (package / "c.py").write_text("from graphql_passwordreset.a import f\nthing = 1\n")
    cycle = find_cycle(import_graph(package))
    assert cycle is not None and set(cycle) == {f"{PACKAGE}.{m}" for m in "abc"}, cycle
