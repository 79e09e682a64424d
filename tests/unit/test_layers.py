"""The package's layers, read from the source: imports only go down (ui -> analytics -> data ->
nothing), no module imports itself back through others, Streamlit appears only in the ui layer,
the page scripts and app.py, and no import hides inside a function. The page scripts (views/)
use only the three layers; the benchmark (bench/) may use anything, and nothing imports it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "northstar"
LAYERS = {"data": 0, "analytics": 1, "ui": 2}
# `python -m` commands: like app.py they sit above every layer, and nothing imports them
COMMANDS = {"northstar.load", "northstar.digest", "northstar.brief", "northstar.alerts"}


BENCH = REPO_ROOT / "bench"
# what runs the app or ships with it: none of it may import the benchmark
SHIPPED = [PACKAGE, REPO_ROOT / "views", REPO_ROOT / "app.py", REPO_ROOT / "serve.py",
           REPO_ROOT / "deploy", REPO_ROOT / "tools"]


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
    for script in [*(REPO_ROOT / "views").glob("*.py"), REPO_ROOT / "app.py",
                   REPO_ROOT / "serve.py"]:
        if imports(script)[1]:
            hidden[script.name] = sorted(imports(script)[1])
    assert hidden == {}


def test_pages_use_the_package_and_never_each_other():
    for script in (REPO_ROOT / "views").glob("*.py"):
        top, _, _ = imports(script)
        assert not any(name.startswith("views") for name in top), script.name


def python_files(place: Path) -> list[Path]:
    return [place] if place.is_file() else sorted(place.rglob("*.py"))


def all_imports(path: Path) -> set[str]:
    """Every module a file imports, Northstar's or not, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_pages_import_only_the_three_layers():
    known = modules()
    wrong = {}
    for script in sorted((REPO_ROOT / "views").glob("*.py")):
        top, local, _ = imports(script)
        targets = {resolve(name, known) or name for name in top | local}
        outside = sorted(target for target in targets
                         if target in COMMANDS or layer(target) is None)
        if outside:
            wrong[script.name] = outside
    assert wrong == {}, "pages import northstar.data, .analytics or .ui only"


def test_nothing_that_ships_imports_the_benchmark():
    importers = {}
    for place in SHIPPED:
        for path in python_files(place):
            found = sorted(name for name in all_imports(path)
                           if name == "bench" or name.startswith("bench."))
            if found:
                importers[str(path.relative_to(REPO_ROOT))] = found
    assert importers == {}


def test_the_benchmark_sits_above_everything():
    # it reads the package's layers freely (the page registry, the analytics, the data layer)
    used = {name for path in python_files(BENCH) for name in all_imports(path)
            if name.startswith("northstar.")}
    layers_used = {layer(name) for name in used}
    assert {LAYERS["data"], LAYERS["analytics"]} <= layers_used


def test_each_command_has_one_module_of_its_name():
    # `python -m northstar.load` is the only load.py, `northstar.digest` the only digest.py
    stems = {name.rpartition(".")[2] for name in COMMANDS}
    twins = sorted(str(path.relative_to(REPO_ROOT)) for path in PACKAGE.rglob("*.py")
                   if path.stem in stems and module_name(path) not in COMMANDS)
    assert twins == []


def test_the_data_layer_is_split_into_folders_that_say_what_they_are():
    folders = {path.parent.name for path in (PACKAGE / "data").glob("*/__init__.py")}
    assert {"db", "importer", "model", "workspace", "registry", "demo"} <= folders
    # the query runner, the model and the page registry each live in their folder
    for module in ["db.query_runner", "db.data_source", "importer.run", "model.churn_model",
                   "registry.pages", "registry.access", "demo.generator"]:
        assert (PACKAGE / "data" / module.replace(".", "/")).with_suffix(".py").is_file(), module


def test_a_command_sits_above_every_layer():
    assert importer_layer("northstar.brief") > layer("northstar.ui.page_queries")
    access = "northstar.data.registry.access"
    assert importer_layer(access) == layer(access) == LAYERS["data"]


def test_the_checks_see_a_violation():
    # the graph reads real imports: the pages' runner imports the data layer's query runner
    assert "northstar.data.db.query_runner" in graph()["northstar.ui.page_queries"]
    assert layer("northstar.ui.page_queries") > layer("northstar.data.db.query_runner")
