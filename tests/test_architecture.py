"""The layers read top to bottom: no module imports one from a layer above it (lazy imports included), no two
modules import each other (directly or round a longer loop), and the README's architecture table names the
same layers and packages as the map below.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "itp_toolkit"
README = PACKAGE.parent / "README.md"

LAYERS: list[tuple[str, list[str]]] = [
    ("model", ["model", "errors"]),
    ("formats and libraries", ["formats", "library"]),
    ("checks", ["checks"]),
    ("store", ["store", "services"]),
    ("compare and views", ["compare", "views"]),
    ("widgets", ["widgets"]),
    ("apps", ["apps"]),
    ("command line and server", ["cli", "server", "__main__"]),
]
"""The one layer map: the README's architecture table is checked against it."""
RANK = {top: rank for rank, (_, tops) in enumerate(LAYERS) for top in tops}
LOOSE_MODULES = {"errors", "__main__", "__init__"}
"""The only modules allowed directly in ``itp_toolkit/``: everything else lives in a package of its layer."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(absolute module, imported names) for every import of the toolkit in a module, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _module_name(path)
    package = own if path.name == "__init__.py" else own.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "itp_toolkit" or module.startswith("itp_toolkit."):
                yield module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("itp_toolkit."):
                    yield alias.name, []


def _reexports() -> dict[tuple[str, str], str]:
    """(package, name) -> the module a package's ``__init__`` takes that name from."""
    out = {}
    for module, path in MODULES.items():
        if path.name != "__init__.py":
            continue
        for source, names in _imports(path):
            for name in names:
                out[(module, name)] = source
    return out


def _dependencies() -> dict[str, set[str]]:
    """Module -> the toolkit modules it really needs: ``from pkg import Name`` counts as an import of the
    module
    that defines Name (following the package's re-export), not of the package's ``__init__``."""
    reexports = _reexports()
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        for source, names in _imports(path):
            targets = set()
            for name in names or [""]:
                if f"{source}.{name}" in MODULES:
                    targets.add(f"{source}.{name}")
                elif (source, name) in reexports:
                    targets.add(reexports[(source, name)])
                else:
                    targets.add(source)
            graph[module] |= {t for t in targets if t in MODULES and t != module}
    return graph


def test_every_module_belongs_to_a_layer_and_lives_in_a_package():
    tops = {_top(m) for m in MODULES}
    assert tops <= set(RANK) | {"__init__"}, (
        f"assign these to a layer in {__file__}: {sorted(tops - set(RANK))}"
    )
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.stem not in LOOSE_MODULES)
    assert not loose, f"put these modules into the package of their layer: {loose}"


def test_no_module_imports_from_a_layer_above_it():
    violations = []
    for module, path in MODULES.items():
        top = _top(module)
        if top == "__init__":
            continue
        for source, _names in _imports(path):
            imported = _top(source)
            if imported in RANK and RANK[imported] > RANK[top]:
                violations.append(
                    f"{module} ({LAYERS[RANK[top]][0]}) imports {source} ({LAYERS[RANK[imported]][0]})"
                )
    assert not violations, "\n".join(violations)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_loop_and_nothing_else():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles_between_modules():
    cycles = _cycles(_dependencies())
    assert not cycles, "modules that import each other (lazily or not):\n" + "\n".join(
        " <-> ".join(c) for c in cycles
    )


def _readme_architecture_rows() -> list[tuple[str, list[str]]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("layer", "") or set(cells[0]) <= set("-: "):
            continue
        packages = re.findall(r"`itp_toolkit\.(\w+)`|`(\w+)`", cells[1])
        rows.append((cells[0], [a or b for a, b in packages]))
    return rows


def test_readme_architecture_table_names_the_layers_and_packages_of_the_layer_map():
    expected = [(name, [t for t in tops if t != "__main__"]) for name, tops in LAYERS]
    assert _readme_architecture_rows() == expected


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
