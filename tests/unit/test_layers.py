"""The package's layers, read from the source: imports only go down (ui -> analytics -> data),
no module imports itself back through others, Streamlit appears only in the ui layer, the page
scripts and app.py, and no import hides inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "northstar"
LAYERS = {"data": 0, "analytics": 1, "ui": 2}
# `python -m` commands: like app.py they sit above every layer, and nothing imports them
COMMANDS = {"northstar.load", "northstar.digest", "northstar.brief"}


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> tuple[set[str], set[str], bool]:
    """(northstar modules imported at the top, imports made inside functions, uses Streamlit)."""
    tree = ast.parse(path.read_text())
    top: set[str] = set()
    local: set[str] = set()
    streamlit = False
    functions = [node for node in ast.walk(tree)
                 if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    inside = {id(inner) for function in functions for inner in ast.walk(function)
              if inner is not function}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        streamlit |= any(name.split(".")[0] == "streamlit" for name in names)
        ours = {name for name in names if name.split(".")[0] == "northstar"}
        if id(node) in inside and ours:
            local |= ours
        top |= ours
    return top, local, streamlit


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def resolve(name: str, known: dict[str, Path]) -> str | None:
    """The module an imported name lives in (`northstar.data.months.add_months` -> its module)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def layer(name: str) -> int | None:
    parts = name.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def importer_layer(name: str) -> int:
    """The layer a module imports from: a command sits above every layer, like app.py."""
    return max(LAYERS.values()) + 1 if name in COMMANDS else layer(name) or 0


def graph() -> dict[str, set[str]]:
    known = modules()
    edges = {}
    for name, path in known.items():
        top, _, _ = imports(path)
        edges[name] = {target for target in (resolve(item, known) for item in top)
                       if target and target != name and target != "northstar"
                       and not name.startswith(target + ".")}
    return edges


def test_every_module_sits_in_a_layer():
    loose = [name for name in modules()
             if name != "northstar" and name not in COMMANDS and layer(name) is None]
    assert loose == [], "put modules in northstar/data, northstar/analytics or northstar/ui"


def test_nothing_imports_a_command():
    importers = [f"{source} imports {target}" for source, targets in graph().items()
                 for target in targets if target in COMMANDS]
    assert importers == []


def test_imports_only_go_down():
    upward = [f"{source} imports {target}" for source, targets in graph().items()
              for target in targets
              if target not in COMMANDS and (layer(target) or 0) > importer_layer(source)]
    assert upward == []


def test_no_import_cycle():
    edges = graph()
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join(trail[trail.index(target):] + [target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_streamlit_only_in_the_ui_layer():
    below = [name for name, path in modules().items()
             if imports(path)[2] and layer(name) != LAYERS["ui"]]
    assert below == []


def test_no_import_inside_a_function():
    hidden = {name: sorted(imports(path)[1]) for name, path in modules().items()
              if imports(path)[1]}
    for script in [*(REPO_ROOT / "views").glob("*.py"), REPO_ROOT / "app.py"]:
        if imports(script)[1]:
            hidden[script.name] = sorted(imports(script)[1])
    assert hidden == {}


def test_pages_use_the_package_and_never_each_other():
    for script in (REPO_ROOT / "views").glob("*.py"):
        top, _, _ = imports(script)
        assert not any(name.startswith("views") for name in top), script.name


def test_a_command_sits_above_every_layer():
    assert importer_layer("northstar.brief") > layer("northstar.ui.page_queries")
    assert importer_layer("northstar.data.registry.access") == layer("northstar.data.registry.access")


def test_the_checks_see_a_violation():
    # the graph reads real imports: the ui runner imports the data layer's named queries
    assert "northstar.data.db.query_runner" in graph()["northstar.ui.page_queries"]
    assert layer("northstar.ui.page_queries") > layer("northstar.data.db.query_runner")
