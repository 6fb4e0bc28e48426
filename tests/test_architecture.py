"""The package's shape, checked: data flows one way (no import cycles, function-local imports
included, neither between modules nor between the packages that are its layers), no module reaches
into another's private names, and no module outgrows its job."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "sortcanary"
MAX_LINES = 320


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(imported module, names taken from it) for every import in the file, at any depth."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module)
            names = [alias.name for alias in node.names]
            # `from . import x` imports the submodule x
            subs = [f"{target}.{n}" for n in names if (SRC / f"{target}.{n}".replace(".", "/")).exists()
                    or (SRC / (f"{target}.{n}".replace(".", "/") + ".py")).exists()]
            found += [(s, []) for s in subs] or [(target, names)]
    return [(m, names) for m, names in found if m.startswith("sortcanary")]


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: set() for name in modules}
    for name, path in modules.items():
        for imported, _ in _imports(path):
            target = imported
            while target not in modules and "." in target:  # `from pkg.mod import Class`
                target = target.rpartition(".")[0]
            if target != name and not name.startswith(target + "."):  # a package's own __init__ is not a cycle
                graph[name].add(target)
    return graph


def _package_of(module: str) -> str:
    """The layer a module belongs to: its package, a sub-folder of src/sortcanary (``sortcanary.plan``
    for ``sortcanary.plan.sortplan``, and for ``sortcanary.recordings.formats.nwb``); a module at the
    top (``sortcanary.taxonomy``) is a node of its own."""
    parts = module.split(".")
    if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir():
        return ".".join(parts[:2])
    return module


def _package_graph() -> dict[str, set[str]]:
    """The import graph between packages: one module of ``plan`` importing one of ``checks`` (at any
    depth, in a function too) is an edge plan -> checks."""
    graph: dict[str, set[str]] = {}
    for name, targets in _graph().items():
        source = _package_of(name)
        graph.setdefault(source, set())
        graph[source] |= {_package_of(t) for t in targets} - {source}
    for targets in list(graph.values()):
        for target in targets:
            graph.setdefault(target, set())
    return graph


def _fail_on_a_cycle(graph: dict[str, set[str]], what: str) -> None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail(f"{what} cycle: " + " -> ".join(path[path.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_import_graph_has_no_cycles():
    _fail_on_a_cycle(_graph(), "import")


def test_the_packages_import_each_other_one_way():
    """A cycle between two layers hides from the module graph when no single module closes it:
    plan.gpus importing checks.device while checks.sorter_params imported plan.sorters did."""
    _fail_on_a_cycle(_package_graph(), "package import")


# The layers below the plan: they read a job's plan, never the config (config.py's promise).
BELOW_THE_PLAN = ("checks", "jobs", "runner", "products")
CONFIG_NAMES = {"cfg", "config"}


def test_below_the_plan_no_module_reads_a_config_key():
    """A job hands the config to the plan that reads it (``plan_canary(cfg, ...)``); a key read
    below the plan (``cfg["sorter"]``, ``cfg.get(...)``) is a second place a config is read."""
    found = []
    for layer in BELOW_THE_PLAN:
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                target = node.value if isinstance(node, ast.Subscript) else (
                    node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "get" else None)
                if isinstance(target, ast.Name) and target.id in CONFIG_NAMES:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}: {ast.unparse(node)}")
    assert not found, found


def test_no_module_imports_a_private_name_from_another():
    offenders = [f"{path.relative_to(SRC)} imports {name} from {target}"
                 for path in PACKAGE.rglob("*.py") for target, names in _imports(path)
                 for name in names if name.startswith("_") and not name.startswith("__")]
    assert not offenders, offenders


def test_modules_stay_small():
    big = {str(p.relative_to(SRC)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"


def test_a_job_imports_the_classifiers_built_in_rules_only_when_something_failed():
    """What every job's processes import (the canary's and the full sort's scripts, the preflight's,
    the sorter's child) leaves out the built-in rules, whose patterns compile as they are imported:
    the classification package hands out each name from its own module, on first use."""
    code = ("import sys, sortcanary.jobs.canary, sortcanary.jobs.full_sort, sortcanary.jobs.preflight, "
            "sortcanary.runner.child, sortcanary.runner.watched; "
            "print(sorted(m for m in sys.modules if m.startswith('sortcanary.classification.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = set(ast.literal_eval(done.stdout.strip().splitlines()[-1]))
    assert imported and not imported & {"sortcanary.classification.decide", "sortcanary.classification.families"}, imported


def test_the_checker_sees_a_cycle(tmp_path, monkeypatch):
    """The cycle test above can fail: two modules importing each other are found."""
    pkg = tmp_path / "sortcanary"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\n")
    (pkg / "b.py").write_text("def f():\n    from .a import y\n")
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", pkg)
    with pytest.raises(pytest.fail.Exception, match="import cycle"):
        test_the_import_graph_has_no_cycles()


def test_the_checker_sees_a_cycle_between_packages(tmp_path, monkeypatch):
    """No module imports itself back, but package a needs b (inside a function) and b needs a."""
    pkg = tmp_path / "sortcanary"
    for folder in (pkg, pkg / "a", pkg / "b"):
        folder.mkdir()
        (folder / "__init__.py").write_text("")
    (pkg / "a" / "x.py").write_text("def f():\n    from ..b.y import g\n")
    (pkg / "b" / "y.py").write_text("from ..a.z import h\n")
    (pkg / "a" / "z.py").write_text("h = 1\n")
    monkeypatch.setattr(__import__(__name__), "SRC", tmp_path)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", pkg)
    test_the_import_graph_has_no_cycles()  # module by module, there is none
    with pytest.raises(pytest.fail.Exception, match=r"package import cycle: sortcanary\.a -> sortcanary\.b"):
        test_the_packages_import_each_other_one_way()
