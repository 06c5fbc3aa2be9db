"""The package's imports point one way: the graph of its modules' imports has no cycle, and no
module imports inside a function to dodge one (lazy imports of moto's own heavy modules aside)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mock_lookoutvision"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    if node.level == 0:
        base = node.module or ""
        return [base] if base.startswith("mock_lookoutvision") else []
    package = module.split(".") if is_package else module.split(".")[:-1]
    package = package[: len(package) - node.level + 1]
    base = ".".join([*package, node.module] if node.module else package)
    # ``from . import models`` names a module; ``from .x import name`` names one in x.
    return [f"{base}.{alias.name}" for alias in node.names] if node.module is None else [base]


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found: set[str] = set()
        for node in tree.body:  # module level only: TYPE_CHECKING blocks are not run
            if isinstance(node, ast.ImportFrom):
                found.update(_resolve(module, path.name == "__init__.py", node))
        graph[module] = {name for name in found if name != module}
    return graph


def test_module_imports_have_no_cycle() -> None:
    graph = _imports()
    assert "mock_lookoutvision.pipeline" in graph["mock_lookoutvision.moto_hook"]
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        raise AssertionError(f"import cycle: {cycle.args[1]}") from None
    assert order.index("mock_lookoutvision.models") < order.index("mock_lookoutvision.pipeline")


def test_no_function_imports_the_package_itself() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (
                        inner.level > 0 or (inner.module or "").startswith("mock_lookoutvision")
                    ):
                        offenders.append(f"{path.name}:{inner.lineno}")
    assert offenders == []


def test_the_fault_concern_sits_below_its_users() -> None:
    # faults.py holds the fault types, their checking and queue; the handle's verbs, the
    # per-account controls and the pipeline use it, and it uses none of them.
    graph = _imports()
    faults = "mock_lookoutvision.faults"
    for user in ("handle", "controls", "pipeline", "control_routes"):
        assert faults in graph[f"mock_lookoutvision.{user}"], user
    assert graph[faults] <= {
        "mock_lookoutvision.api_model",
        "mock_lookoutvision.control_errors",
        "mock_lookoutvision.errors",
    }
