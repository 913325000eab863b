"""The layers read top to bottom: no module imports one from a layer above it (lazy imports included).

model -> checks -> store -> compare -> widgets -> apps -> cli, with the plain file/data helpers beside the model.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "itp_toolkit"

LAYERS: list[tuple[str, set[str]]] = [
    ("model", {"model", "errors"}),
    ("files and data", {"files", "privacy", "library_interventions", "editing", "export", "fhir", "validation", "library"}),
    ("checks", {"checks", "rubrics"}),
    ("store", {"store", "workspace", "drafting", "migrations"}),
    ("compare", {"compare", "reports", "views"}),
    ("widgets", {"widgets"}),
    ("apps", {"apps"}),
    ("cli", {"cli", "__main__"}),
]
RANK = {top: rank for rank, (_, tops) in enumerate(LAYERS) for top in tops}


def _top(module_path: Path) -> str:
    rel = module_path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imported_tops(path: Path) -> set[str]:
    """Top-level itp_toolkit subpackages a module imports, resolving relative imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if package_parts[-1] != "__init__":
        package_parts = package_parts[:-1]
    else:
        package_parts = package_parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
                if target[:1] == ["itp_toolkit"] and len(target) == 1:
                    found.update(alias.name for alias in node.names)
                elif target[:1] == ["itp_toolkit"]:
                    found.add(target[1])
            elif node.module and node.module.startswith("itp_toolkit."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("itp_toolkit."):
                    found.add(alias.name.split(".")[1])
    return found


def test_every_module_belongs_to_a_layer():
    tops = {_top(p) for p in PACKAGE.rglob("*.py")} - {"__init__"}
    assert tops <= set(RANK), f"assign these to a layer in {__file__}: {sorted(tops - set(RANK))}"


def test_no_module_imports_from_a_layer_above_it():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        top = _top(path)
        if top == "__init__":
            continue
        for imported in _imported_tops(path):
            if imported in RANK and RANK[imported] > RANK[top]:
                violations.append(f"{path.relative_to(PACKAGE.parent)} ({LAYERS[RANK[top]][0]}) imports "
                                  f"{imported} ({LAYERS[RANK[imported]][0]})")
    assert not violations, "\n".join(violations)


def test_the_model_does_no_io_and_knows_no_framework():
    forbidden = {"sqlalchemy", "ipywidgets", "yaml", "pandas", "matplotlib", "open"}
    for path in (PACKAGE / "model").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module.split(".")[0]]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                names = [node.func.id] if node.func.id == "open" else []
            assert not (set(names) & forbidden), f"{path.name} uses {set(names) & forbidden}"
