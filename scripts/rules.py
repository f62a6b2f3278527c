"""Rules the code keeps by itself: module and function size, and imports that point one way.

Run by ``scripts/check.py``; ``--graph`` prints the package import graph instead.

Layers, highest first. A package may import its own layer or lower ones, never a higher one,
and the packages' import graph has no cycle, so two packages of one layer never import each
other both ways. ``coffer_casino`` (the reference operator) imports nothing of Coffer but the
public signing module, and only the CLI starts it.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50
LAYERS: list[list[str]] = [
    ["coffer.cli", "coffer.__main__"],
    ["coffer.app"],
    ["coffer.api", "coffer.web", "coffer.jobs"],
    ["coffer.runtime", "coffer.models", "coffer.migrate", "coffer.migrations"],
    ["coffer.staff", "coffer.retention", "coffer.reconcile"],
    ["coffer.play"],
    ["coffer.rounds", "coffer.shipping", "coffer.history", "coffer.orders"],
    ["coffer.loot"],
    ["coffer.inventory"],
    ["coffer.catalog"],
    ["coffer.fairness"],
    ["coffer.seamless", "coffer.ledger", "coffer.webhooks", "coffer.limits"],
    ["coffer.players"],
    ["coffer.operators"],
    ["coffer.audit", "coffer.throttle"],
    ["coffer.client"],
    ["coffer.kit", "coffer.signing", "coffer"],
]
CASINO = "coffer_casino"
CASINO_MAY_IMPORT = {"coffer.signing", "coffer.client"}
CASINO_IMPORTED_BY = {"coffer.cli"}
# Released migrations are frozen history: their size is what Alembic generated.
EXEMPT_FROM_FUNCTION_SIZE = ("src/coffer/migrations/versions/",)


def python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def package_of(module: str) -> str:
    """``coffer.rounds.steps`` → ``coffer.rounds``; top-level modules are their own package."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "coffer" and len(parts) > 1 else parts[0]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT / "src").with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # ``from coffer import signing`` imports coffer.signing
                submodule = f"{node.module}.{alias.name}"
                yield node.lineno, submodule if _is_module(submodule) else node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def _is_module(name: str) -> bool:
    base = ROOT / "src" / Path(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def layer_of(package: str) -> int | None:
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    return None


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in python_files("src"):
        source = package_of(module_name(path))
        for _, target in imports_of(ast.parse(path.read_text(encoding="utf-8"))):
            if target.split(".")[0] in ("coffer", CASINO) and package_of(target) != source:
                graph.setdefault(source, set()).add(package_of(target))
    return graph


def import_problems() -> list[str]:
    problems = []
    for path in python_files("src"):
        module = module_name(path)
        source = package_of(module)
        rel = path.relative_to(ROOT)
        for line, target in imports_of(ast.parse(path.read_text(encoding="utf-8"))):
            if target.split(".")[0] not in ("coffer", CASINO):
                continue
            problem = _import_problem(source, package_of(target), target)
            if problem:
                problems.append(f"{rel}:{line}: {module} imports {target}: {problem}")
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(package_graph())]
    return problems


def _import_problem(source: str, target_package: str, target: str) -> str | None:
    if source == target_package:
        return None
    if source == CASINO:
        ok = target_package in CASINO_MAY_IMPORT or target_package == CASINO
        return None if ok else "the reference casino may import only coffer.signing and .client"
    if target_package == CASINO:
        ok = source in CASINO_IMPORTED_BY
        return None if ok else "only the CLI starts the reference casino"
    here, there = layer_of(source), layer_of(target_package)
    if here is None:
        return f"{source} is in no layer; add it to LAYERS in scripts/rules.py"
    if there is None:
        return f"{target_package} is in no layer; add it to LAYERS in scripts/rules.py"
    if there < here:
        return f"{target_package} is a higher layer than {source}; imports point down"
    return None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every package that can reach itself, with one path back to it."""
    found = []
    for start in sorted(graph):
        path = _path_back(graph, start)
        if path and min(path) == start:  # report each cycle once
            found.append(path)
    return found


def _path_back(graph: dict[str, set[str]], start: str) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def size_problems() -> list[str]:
    problems = []
    for path in python_files("src", "tests"):
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if lines > MAX_MODULE_LINES and "/migrations/versions/" not in rel:
            problems.append(f"{rel}: {lines} lines (at most {MAX_MODULE_LINES}); split it by topic")
        if rel.startswith(EXEMPT_FROM_FUNCTION_SIZE):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    problems.append(
                        f"{rel}:{node.lineno}: {node.name} has {size} lines "
                        f"(at most {MAX_FUNCTION_LINES}); split it"
                    )
    return problems


def main(argv: list[str]) -> int:
    if "--graph" in argv:
        for source, targets in sorted(package_graph().items()):
            print(f"{source} -> {', '.join(sorted(targets))}")
        return 0
    problems = size_problems() + import_problems()
    for problem in problems:
        print(problem)
    print(f"{len(problems)} rule problems" if problems else "sizes and imports keep the rules")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
