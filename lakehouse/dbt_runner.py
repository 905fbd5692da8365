"""The one way this project runs dbt: the profile, its settings, the invocation, and the
summary of what ran.

dbt runs in-process through its programmatic runner with an explicit `--project-dir`,
`--profiles-dir`, `--target` and `--vars`, so neither the working directory nor the
environment is ever changed. The values the profile and the sources read (the lake root,
the schema prefix, the staging warehouse, the Athena settings) go in `--vars`; each var
falls back to an environment variable for dbt run by hand (profiles.example.yml). The
AWS SDK's own settings (endpoint, credentials, region) are the process's environment,
which a command sets before it starts any thread (athena_twin.aws_sdk_pointed_at).

    dbt = Dbt(Lake.open("lake"))
    result = dbt.invoke(["build"])
    summary = summarize(result)

Several commands in a row (the demo: freshness, build, docs) parse the project once:
`dbt.parsed()` parses it and returns a Dbt whose commands all reuse that manifest.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lakecore.errors import PipelineError
from lakecore.lake import Lake
from lakehouse import PROJECT_DIR, dbt_manifest

# The schema prefix of a local build (main_core, main_analytics, ...); the PR check
# builds beside it under other prefixes.
DEFAULT_SCHEMA = "main"


def example_profiles(project_dir: Path) -> Path:
    """`.dbt/` holding a copy of the project's profiles.example.yml, refreshed whenever
    the example changes (the folder `.sqlfluff`'s dbt templater reads too)."""
    folder = project_dir / ".dbt"
    example = project_dir / "profiles.example.yml"
    copy = folder / "profiles.yml"
    if not copy.exists() or copy.read_bytes() != example.read_bytes():
        folder.mkdir(exist_ok=True)
        # Written aside and renamed: a dbt starting meanwhile reads the old or the new.
        partial = folder / f".profiles.yml.{os.getpid()}"
        shutil.copyfile(example, partial)
        os.replace(partial, copy)
    return folder


def default_target_path(project_dir: Path) -> Path:
    """Where dbt writes its artefacts when no --target-path is given: DBT_TARGET_PATH
    (dbt's own variable; relative to the project) if set, else the project's target/."""
    configured = os.environ.get("DBT_TARGET_PATH")
    return project_dir / configured if configured else project_dir / "target"


def profiles_dir(project_dir: Path) -> Path:
    """Where dbt finds profiles.yml: DBT_PROFILES_DIR if you set one, a profiles.yml in
    the project folder if you wrote one, else the example's copy in `.dbt/`."""
    if os.environ.get("DBT_PROFILES_DIR"):
        return Path(os.environ["DBT_PROFILES_DIR"])
    if (project_dir / "profiles.yml").exists():
        return project_dir
    return example_profiles(project_dir)


class _PathsOnce(list):
    """A search path list that ignores a path it already holds: boto3 appends its own
    data folder to the loader of every session it creates."""

    def append(self, path) -> None:
        if path not in self:
            super().append(path)


_shared_loaders: dict[str | None, object] = {}


def share_botocore_loader() -> None:
    """One botocore data loader per process, for every boto3 session dbt-athena opens.

    dbt-athena creates a boto3 session for every node it runs, and each new session
    reads and parses botocore's service models again (endpoints, Athena, Glue, S3, STS:
    megabytes of JSON) and lists its data folders. Profiled on the local twin, that was
    half of dbt's CPU in an Athena build. A botocore session normally shares one loader
    between all its clients and threads; this shares it between sessions as well, so the
    models are parsed once per process. Credentials, regions and endpoints stay per
    session. Idempotent."""
    import botocore.loaders
    import botocore.session

    if botocore.session.create_loader is not botocore.loaders.create_loader:
        return  # already shared (or replaced by someone else: leave it)
    lock = threading.Lock()

    def shared_loader(search_path_string=None):
        with lock:
            loader = _shared_loaders.get(search_path_string)
            if loader is None:
                loader = botocore.loaders.create_loader(search_path_string)
                loader._search_paths = _PathsOnce(loader.search_paths)
                _shared_loaders[search_path_string] = loader
            return loader

    botocore.session.create_loader = shared_loader


def split_vars(args: Sequence[str]) -> tuple[list[str], dict]:
    """The arguments without their `--vars`, and the vars they gave (a YAML mapping, as
    dbt reads it), so the profile's settings join them in one `--vars`."""
    import yaml

    rest: list[str] = []
    given: dict = {}
    items = iter(args)
    for arg in items:
        if arg == "--vars" or arg.startswith("--vars="):
            text = arg.partition("=")[2] if "=" in arg else next(items, "")
            value = yaml.safe_load(text) if text.strip() else {}
            if not isinstance(value, dict):
                raise PipelineError(f"--vars {text!r} is not a mapping: give `{{name: value}}`")
            given.update(value)
        else:
            rest.append(arg)
    return rest, given


@dataclass(frozen=True)
class Dbt:
    """dbt on one lake, for one project folder, target and schema prefix."""

    lake: Lake
    project_dir: Path = PROJECT_DIR
    target: str = "local"
    schema: str = DEFAULT_SCHEMA
    target_path: Path | None = None  # dbt's artefacts (default: the project's target/)
    profiles: Path | None = None  # default: profiles_dir(project_dir)
    # More of the profile's settings, by var name (warehouse, athena_schema, ...).
    settings: Mapping[str, str] = field(default_factory=dict)
    # The parsed project every command reuses (see parsed()); None: each command parses.
    parsed_manifest: object | None = field(default=None, compare=False, repr=False)

    def profile_vars(self) -> dict[str, str]:
        """What the profile and the sources read through var()."""
        return {"lake_root": self.lake.root, "schema_prefix": self.schema, **self.settings}

    def with_settings(self, **settings: str) -> Dbt:
        """This dbt with more profile settings (the parsed manifest kept: keep them to
        the connection, such as the warehouse file, or drop it)."""
        return dataclasses.replace(self, settings={**self.settings, **settings})

    @property
    def artefacts(self) -> Path:
        return self.target_path or default_target_path(self.project_dir)

    def invoke(self, args: Sequence[str]):
        """Run one dbt command; returns dbt's result (`.success`, `.result`). A dbt that
        cannot run at all (a broken profile, a project that does not parse) is a
        PipelineError; failing models and tests are the caller's to report."""
        from dbt.cli.main import dbtRunner

        args, given = split_vars(args)
        command = [
            *args,
            *("--vars", json.dumps({**self.profile_vars(), **given}, sort_keys=True)),
            *("--project-dir", str(self.project_dir)),
            *("--profiles-dir", str(self.profiles or profiles_dir(self.project_dir))),
            *("--target", self.target),
        ]
        if self.target_path is not None:
            command += ["--target-path", str(self.target_path)]
        if self.target == "athena":
            share_botocore_loader()
        result = dbtRunner(manifest=self.parsed_manifest).invoke(command)
        if result.exception is not None:
            raise PipelineError(f"dbt {args[0]} could not run: {result.exception}")
        return result

    def parsed(self) -> Dbt:
        """This dbt with the project parsed once, for several commands in a row. A command
        given a parsed manifest does not parse again: `--vars` it brings that the parse
        did not see have no effect on the models' SQL, so keep them the same (or parse
        again); the profile's connection settings (the warehouse file) may differ. The manifest's schemas are this Dbt's: a Dbt
        with other schemas (dataclasses.replace) must drop it (`parsed_manifest=None`)."""
        # manifest.json is left as the last command wrote it (the parse's own is not
        # compiled: a docs site reading it would lose the compiled SQL).
        result = self.invoke(["parse", "--no-write-json"])
        if not result.success:
            raise PipelineError("dbt parse failed: see the dbt output above")
        return dataclasses.replace(self, parsed_manifest=result.result)

    def manifest(self) -> dict:
        return dbt_manifest.load(self.artefacts / "manifest.json")


@dataclass(frozen=True)
class NodeResult:
    resource_type: str  # model, test, unit_test, seed, snapshot, source, exposure, ...
    unique_id: str
    name: str
    relation_name: str | None
    status: str  # success, pass, warn, fail, error, skipped, no-op, ...
    message: str
    failures: int | None = None  # a test's failing rows (None for other nodes)

    @property
    def label(self) -> str:
        """`fct_orders`, or `olist.orders` for a source."""
        return self.unique_id.split(".", 2)[-1]


@dataclass
class RunSummary:
    """What one dbt command did, node by node: the one reading of dbt's results."""

    success: bool
    nodes: list[NodeResult]
    # The published build's results, reused: nothing it read had changed (publish.is_current).
    reused: bool = False

    def of(self, resource_type: str, *statuses: str) -> list[NodeResult]:
        return [
            n
            for n in self.nodes
            if n.resource_type == resource_type and (not statuses or n.status in statuses)
        ]

    @property
    def relations(self) -> list[str]:
        """The models' relations, in the order dbt ran them."""
        return [n.relation_name for n in self.of("model") if n.relation_name]

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail")]

    def count(self, *statuses: str) -> int:
        return sum(n.status in statuses for n in self.nodes)

    @property
    def data_tests(self) -> tuple[int, int]:
        """(passed, total) of the data tests."""
        tests = self.of("test")
        return sum(t.status == "pass" for t in tests), len(tests)


def summarize(result) -> RunSummary:
    nodes = [
        NodeResult(
            resource_type=str(r.node.resource_type),
            unique_id=r.node.unique_id,
            name=r.node.name,
            relation_name=getattr(r.node, "relation_name", None),
            status=str(r.status),
            message=" ".join(str(getattr(r, "message", "") or "").split()),
            failures=getattr(r, "failures", None),
        )
        for r in (result.result.results if result.result else [])
    ]
    return RunSummary(success=bool(result.success), nodes=nodes)
