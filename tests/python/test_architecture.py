"""The shape of the Python rooms, checked on the source (no import is run):

- imports point one way: the shared base `lakecore` imports no other room; `datagen`,
  `ingestion` and `glue_etl` import only the base; the twin, `athena_twin`, imports no
  other room either (an Athena/Glue/S3 emulator any dbt-athena project could use: what
  it needs of the project comes as arguments); `deployment` imports the base and the
  twin (it deploys to the twin's moto); only `lakehouse` (orchestration) imports the
  others, and nothing imports `lakehouse`;
- no import cycle between modules, counting the imports inside functions;
- no source file outside the tests grows past 450 lines;
- no function grows past 60 lines, except declarative tables (the CLI's argument
  definitions: calls and assignments, no branch, no loop but over a literal list);
- the process environment is written in two named places only: dbt gets its settings
  as vars, never through `os.environ` changed around (or under) its threads.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.python.conftest import PROJECT_DIR

ROOMS = ("lakecore", "athena_twin", "datagen", "ingestion", "glue_etl", "deployment", "lakehouse")
# Which rooms each room may import (itself always).
ALLOWED = {
    "lakecore": set(),
    "athena_twin": set(),
    "datagen": {"lakecore"},
    "ingestion": {"lakecore"},
    "glue_etl": {"lakecore"},
    "deployment": {"lakecore", "athena_twin"},
    "lakehouse": {"lakecore", "athena_twin", "datagen", "ingestion", "glue_etl", "deployment"},
}
MAX_LINES = 450
MAX_FUNCTION_LINES = 60
# Long because they are declarative tables: checked to hold no branch or loop.
DECLARATIVE = {"lakehouse.cli.build_parser"}
# The only functions that write os.environ, and why.
ENVIRONMENT_WRITERS = {
    # The AWS SDK reads its endpoint and credentials from the environment only: pointed
    # at the twin once per command, before threads start.
    "athena_twin.aws_sdk_pointed_at",
    # SPARK_LOCAL_IP (if unset) for the JVM the launcher is about to start.
    "glue_etl.spark.local_spark",
}
ENVIRONMENT_METHODS = ("pop", "update", "setdefault", "clear", "popitem", "putenv", "unsetenv")


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the rooms."""
    found = {}
    for room in ROOMS:
        for path in sorted((PROJECT_DIR / room).rglob("*.py")):
            parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules a file imports, anywhere in it (functions included)."""
    package = ".".join(path.relative_to(PROJECT_DIR).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the file's package
                base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1],
                                 *([base] if base else [])])  # fmt: skip
            # `from pkg import mod` imports the submodule when there is one.
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(path, modules) - {name} for name, path in modules.items()}


def test_imports_point_one_way():
    wrong = []
    for module, imported in _graph().items():
        room = module.split(".")[0]
        for target in imported:
            other = target.split(".")[0]
            if other != room and other not in ALLOWED[room]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))


def test_the_rule_is_checked_on_real_imports():
    """The checker sees what it must: lazy imports inside functions count too."""
    graph = _graph()
    assert "glue_etl.pipeline" in graph["lakehouse.stages"]  # imported inside a function
    assert "lakecore.contract" in graph["glue_etl.transforms"]
    assert "lakehouse.pr_check.diff" in graph["lakehouse.pr_check.checks"]
    assert "athena_twin.trino" in graph["athena_twin"]
    assert "athena_twin" in graph["deployment.local"]  # imported inside a function


def test_no_import_cycle():
    graph = _graph()
    seen: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_no_source_file_is_too_long():
    long = {
        str(path.relative_to(PROJECT_DIR)): n
        for path in [*_modules().values(), *(PROJECT_DIR / "bench").glob("*.py")]
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, long


def _long_functions() -> dict[str, ast.FunctionDef]:
    files = {**_modules(), **{f"bench.{p.stem}": p for p in (PROJECT_DIR / "bench").glob("*.py")}}
    found = {}
    for module, path in files.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_function and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                found[f"{module}.{node.name}"] = node
    return found


def test_no_function_is_too_long():
    long = _long_functions()
    assert set(long) - DECLARATIVE == set(), "over 60 lines"
    assert set(long) >= DECLARATIVE, "a declarative table no longer needs its exception"
    for name in DECLARATIVE:
        # Statements that decide or repeat; a loop over a literal list of names is a table.
        branches = [
            n
            for n in ast.walk(long[name])
            if isinstance(n, ast.If | ast.While | ast.Try)
            or (isinstance(n, ast.For) and not isinstance(n.iter, ast.Tuple | ast.List))
        ]
        assert not branches, f"{name} is no longer a declarative table"


def _writes_environment(node: ast.AST) -> bool:
    def is_environ(x: ast.AST) -> bool:
        return isinstance(x, ast.Attribute) and x.attr == "environ"

    if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
        targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        return any(isinstance(t, ast.Subscript) and is_environ(t.value) for t in targets)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        on_os = isinstance(owner, ast.Name) and owner.id == "os"
        return node.func.attr in ENVIRONMENT_METHODS and (is_environ(owner) or on_os)
    return False


def _environment_writers() -> set[str]:
    found = set()
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Top-level functions and methods; what a nested function does is its outer one's.
        outer = [
            node
            for top in tree.body
            for node in (top.body if isinstance(top, ast.ClassDef) else [top])
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        ]
        for function in outer:
            if any(_writes_environment(n) for n in ast.walk(function)):
                found.add(f"{module}.{function.name}")
        body = [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)]
        if any(_writes_environment(n) for top in body for n in ast.walk(top)):
            found.add(f"{module} (module level)")
    return found


def test_only_named_functions_write_the_environment():
    """dbt's settings travel as `--vars` (lakehouse/dbt_runner.py); the environment is
    the process's, written only where a library reads nothing else."""
    found = _environment_writers()
    assert found - ENVIRONMENT_WRITERS == set(), "writes os.environ: pass the value instead"
    assert found == ENVIRONMENT_WRITERS, "a listed writer no longer writes: drop it"
    assert _writes_environment(ast.parse("os.environ['X'] = '1'").body[0])
    assert _writes_environment(ast.parse("os.environ.pop('X', None)").body[0].value)
    assert not _writes_environment(ast.parse("os.environ.get('X')").body[0].value)
