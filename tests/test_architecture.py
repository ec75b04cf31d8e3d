"""The folders show the architecture: imports between the packages of ``automations`` point one way.

Each module's imports are read with ``ast`` (nothing is imported), resolved to the package they
land in, and checked against the direction ARCHITECTURE.md describes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "automations"

AUTOMATIONS = {"convocations", "packs", "minutes", "follow_ups", "annual_report", "digest", "alerts", "planning"}
EDGES = {"cli", "demo"}
# the shared base: the package's own top-level modules (errors, addresses, number_format, french)
BASE = "automations"
# what each lower layer may import besides itself
ALLOWED = {
    BASE: set(),
    "settings": {BASE},
    "transports": {BASE, "settings"},
    "registers": {BASE, "settings"},
    "documents": {BASE, "settings"},
    "onboarding": {BASE, "settings", "registers"},
    "engine": {BASE, "settings", "transports", "registers", "documents"},
    "domain": {BASE, "settings", "transports", "registers", "documents", "engine"},
}
# the one module of the engine that names the automations
REGISTRY = "automations.engine.registry"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str:
    """The package a module belongs to: ``automations.engine.journal`` -> ``engine``; top-level modules -> BASE."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()):
        return parts[1]
    return BASE


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every ``automations`` module (or package) this file imports, lazily or not, with its line."""
    module = module_name(path)
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "automations":
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(here[:len(here) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base.split(".")[0] != "automations":
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                is_module = (ROOT.parent / Path(*candidate.split("."))).with_suffix(".py").is_file() \
                    or (ROOT.parent / Path(*candidate.split("."))).is_dir()
                yield node.lineno, candidate if is_module else base


def edges() -> list[tuple[str, int, str, str]]:
    """(importing module, line, importing package, imported package) for each import across packages."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        module = module_name(path)
        for line, target in imported_modules(path):
            source, dest = package_of(module), package_of(target)
            if source != dest:
                found.append((module, line, source, dest))
    return found


def test_imports_resolve_to_existing_modules() -> None:
    # the checks below would pass vacuously on a misread import
    packages = {dest for _, _, _, dest in edges()}
    assert {"engine", "domain", "transports", "registers", "documents", BASE} <= packages
    assert len(edges()) > 100


def test_lower_layers_import_only_what_lies_below_them() -> None:
    wrong = [f"{module}:{line} ({source} -> {dest})" for module, line, source, dest in edges()
             if source in ALLOWED and dest not in ALLOWED[source] and module != REGISTRY]
    assert wrong == []


def test_transports_know_neither_automations_documents_nor_edges() -> None:
    wrong = [f"{module}:{line} -> {dest}" for module, line, source, dest in edges()
             if source == "transports" and dest in AUTOMATIONS | EDGES | {"documents", "domain", "engine"}]
    assert wrong == []


def test_engine_names_automations_only_in_the_registry() -> None:
    wrong = [f"{module}:{line} -> {dest}" for module, line, source, dest in edges()
             if source == "engine" and dest in AUTOMATIONS and module != REGISTRY]
    assert wrong == []
    # and the registry does name every automation
    assert {dest for module, _, _, dest in edges() if module == REGISTRY} >= AUTOMATIONS


def test_automations_never_import_the_edges() -> None:
    wrong = [f"{module}:{line} -> {dest}" for module, line, source, dest in edges()
             if source not in EDGES and dest in EDGES]
    assert wrong == []


def test_no_cycle_between_packages() -> None:
    # the registry's imports of the automations are the engine's one door to them, not a dependency
    graph: dict[str, set[str]] = {}
    for module, _, source, dest in edges():
        if module != REGISTRY:
            graph.setdefault(source, set()).add(dest)
    cycles = []

    def visit(package: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(package, ())):
            if nxt in path:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif len(path) < len(graph) + 1:
                visit(nxt, path + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []
