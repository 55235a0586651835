"""The shape of the code, as DESIGN.md draws it: apps depend downward only, and no module
imports itself back through others.

The imports are read with `ast` from the source (nothing is imported). Every import that runs
counts, at module level or inside a function, because a lazy import that closes a loop is still
a loop a reader has to hold in their head. Imports under `if TYPE_CHECKING:` name types for mypy
only and never run, so they are left out (a model may name the type of its reverse relation). Tests are left out (a test may build
its fixtures from any app); migrations are in.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent

# Bottom to top. An app may import the apps on lower lines only; apps on one line are siblings
# and do not import each other. `bench` is last because nothing at run time may import it.
LAYERS: list[set[str]] = [
    {"lib"},  # plain helpers, no models
    {"platform"},  # what every app shares: outbox and worker, rate limits, tokens, API helpers
    {"directory"},  # the registry: institutions, functions, programs as the plan names them
    {"catalog"},  # today's programs on top of directory's
    {"search"},  # analysis, the index, ranking
    {"cases", "events"},
    {"matching"},
    {"interop"},  # formats in and out, the plan's loader
    {"reports", "staff", "ops"},
    {"api"},  # only mounts the apps' routers
    {"ui", "formats", "urls", "wsgi", "cli", "settings", "checks"},  # the project's own glue
    {"bench"},  # benchmarks: the product never imports them
]
LEVEL = {app: i for i, apps in enumerate(LAYERS) for app in apps}
# settings and the project-wide checks are read by everything (through django.conf).
READ_BY_ALL = {"settings", "checks"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).parts
        if "tests" in rel or path.name == "conftest.py":
            continue
        out[_module_name(path)] = path
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that `name` (a dotted import target) falls in."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, module: str, modules: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    type_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node.test)
                 for stmt in node.body for inner in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from pkg import name` may name a submodule: count it when one exists.
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            if not target.startswith("madoguchi."):
                continue
            hit = _resolve(target, modules)
            if hit and hit != module:
                found.add(hit)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _sources()
    return {m: _imports(p, m, modules) for m, p in modules.items()}


def _app(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "madoguchi"


def test_every_app_has_a_layer() -> None:
    apps = {_app(m) for m in _sources()} - {"madoguchi"}
    assert apps <= set(LEVEL), f"apps without a layer in LAYERS: {sorted(apps - set(LEVEL))}"


def test_apps_import_only_apps_below_them() -> None:
    wrong = []
    for module, targets in _graph().items():
        here = _app(module)
        for target in targets:
            there = _app(target)
            if there == here or there in READ_BY_ALL or "madoguchi" in (here, there):
                continue
            if LEVEL[there] >= LEVEL[here]:
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports that run up or sideways:\n" + "\n".join(sorted(wrong))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def test_no_module_imports_itself_back() -> None:
    cycles = _cycles(_graph())
    assert not cycles, "import circles:\n" + "\n".join(" ↔ ".join(c) for c in cycles)


def test_the_checker_sees_a_circle_when_there_is_one() -> None:
    graph = {"madoguchi.a.x": {"madoguchi.a.y"}, "madoguchi.a.y": {"madoguchi.a.z"},
             "madoguchi.a.z": {"madoguchi.a.x"}, "madoguchi.a.w": {"madoguchi.a.x"}}
    assert _cycles(graph) == [["madoguchi.a.x", "madoguchi.a.y", "madoguchi.a.z"]]


def test_the_checker_reads_lazy_and_relative_imports(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from madoguchi.cases.x import T\n"
                      "def f():\n    from madoguchi.search.index import BM25\n", encoding="utf-8")
    modules = {"madoguchi.search.index": source, "madoguchi.cases.m": source, "madoguchi.cases.x": source}
    assert _imports(source, "madoguchi.cases.m", modules) == {"madoguchi.search.index"}


def test_every_app_is_drawn_downward() -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for module, targets in _graph().items():
        for target in targets:
            if _app(module) != _app(target):
                edges[_app(module)].add(_app(target))
    # directory depends on nothing of ours but the shared plumbing (DESIGN.md).
    assert edges["directory"] <= {"lib", "platform", "settings", "checks"}, edges["directory"]
    assert edges["lib"] <= {"settings"}, edges["lib"]
