"""dbt-athena's own functional tests, run against the local AWS twin: the twin's
conformance test, a reference nobody here wrote (`make twin-conformance`; a weekly
workflow, and on every change to the twin; not in `make test`).

- The tests are the locked dbt-athena's: its sdist on PyPI ships `tests/functional/`.
  It is downloaded once, checked against the lock's hashes (requirements/dev.txt) and
  unpacked into the user cache, as Trino is; nothing of it enters the repository.
  Their fixtures are dbt-tests-adapter's, which the lock holds.
- No test is edited. A test that needs more than this project's pins (a newer dbt-core)
  is skipped with the reason, by `twin_conformance_plugin.py`.
- The suite runs on a twin started here (or the running one `make twin` printed), with
  the environment the adapter's `test.env.example` names.
- It prints `dbt-athena functional suite on the twin: N passed, M failed, K skipped` and
  writes `docs/twin-conformance.md`: every test, its result, and the reason for each
  skip and failure. It fails when any test fails (Iceberg tests included: the twin runs
  Athena's Iceberg SQL since issue 33).

    ~/.cache/ecom-lakehouse/pypi/dbt_athena-1.11.1/   the unpacked sdist
"""

from __future__ import annotations

import html.parser
import importlib.metadata
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET  # nosec B405 # pytest's own junit report, written here
from dataclasses import dataclass
from pathlib import Path

from lakecore.errors import PipelineError
from lakecore.maven import cache_dir, download_checked
from lakehouse import PROJECT_DIR

PACKAGE = "dbt-athena"
LOCK = PROJECT_DIR / "requirements" / "dev.txt"
INDEX = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
REPORT = PROJECT_DIR / "docs" / "twin-conformance.md"
BUCKET = "dbt-functional"
# What the adapter's test.env.example asks for, pointed at the twin.
SUITE_ENV = {
    "DBT_TEST_ATHENA_S3_STAGING_DIR": f"s3://{BUCKET}/staging/",
    "DBT_TEST_ATHENA_S3_TMP_TABLE_DIR": f"s3://{BUCKET}/temporary-tables/",
    "DBT_TEST_ATHENA_REGION_NAME": "us-east-1",
    "DBT_TEST_ATHENA_DATABASE": "awsdatacatalog",
    "DBT_TEST_ATHENA_SCHEMA": "dbt_functional",
    "DBT_TEST_ATHENA_WORK_GROUP": "primary",
    "DBT_TEST_ATHENA_THREADS": "1",
    "DBT_TEST_ATHENA_POLL_INTERVAL": "0.2",
}


def lock_hashes(package: str, lock: Path = LOCK) -> tuple[str, set[str]]:
    """The locked version of `package` and the SHA-256 of each of its files."""
    text = lock.read_text(encoding="utf-8")
    entry = re.search(
        rf"^{re.escape(package)}==(\S+)((?:\s*\\\n\s+--hash=sha256:\w+)+)", text, re.M
    )
    if entry is None:
        raise PipelineError(f"{lock}: {package} is not in the lock; run `make lock`")
    return entry[1], set(re.findall(r"--hash=sha256:(\w+)", entry[2]))


class _Links(html.parser.HTMLParser):
    """The file links of a PEP 503 simple index page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def sdist_url(package: str, version: str, index: str = INDEX) -> str:
    """The URL of `package`'s sdist at `version`, from the package index's simple page."""
    import urllib.error
    import urllib.parse
    import urllib.request

    page = f"{index}/{package}/"
    try:
        with urllib.request.urlopen(page, timeout=60) as response:  # nosec B310 # the package index's https page
            links = _Links()
            links.feed(response.read().decode())
    except (urllib.error.URLError, OSError) as exc:
        raise PipelineError(
            f"cannot read {page} ({exc}); the conformance suite needs PyPI once"
        ) from None
    wanted = f"{package.replace('-', '_')}-{version}.tar.gz"
    for href in links.hrefs:
        url = urllib.parse.urljoin(page, href).split("#")[0]
        if url.rsplit("/", 1)[-1] == wanted:
            return url
    raise PipelineError(f"{page} lists no {wanted}: the suite comes from the sdist")


def adapter_tests(cache: Path | None = None, lock: Path = LOCK) -> Path:
    """The locked dbt-athena's sdist, unpacked into the cache once (its folder holds
    `tests/functional/`). The version is the lock's, and must be the installed one."""
    version, hashes = lock_hashes(PACKAGE, lock)
    installed = importlib.metadata.version(PACKAGE)
    if installed != version:
        raise PipelineError(
            f"{PACKAGE} {installed} is installed but the lock has {version}: run `make test` "
            "once (it installs the lock), then this again"
        )
    folder = (cache or cache_dir()) / "pypi" / f"{PACKAGE.replace('-', '_')}-{version}"
    if (folder / "tests" / "functional").is_dir():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".download-") as tmp:
        sdist = Path(tmp) / "sdist.tar.gz"
        download_checked(
            sdist_url(PACKAGE, version), sdist, hashes, "the conformance suite needs PyPI once"
        )
        with tarfile.open(sdist) as archive:
            archive.extractall(tmp, filter="data")
        (unpacked,) = [p for p in Path(tmp).iterdir() if p.is_dir()]
        os.replace(unpacked, folder)  # whole or not at all
    return folder


@dataclass(frozen=True)
class Outcome:
    test: str  # pytest's node id, relative to the sdist
    result: str  # passed, failed, error, skipped, xfailed
    reason: str = ""  # a skip's or a failure's, on one line


def read_junit(path: Path) -> list[Outcome]:
    """Every test of a pytest junit report, with its result and reason."""
    outcomes = []
    for case in ET.parse(path).getroot().iter("testcase"):  # nosec B314 # written by pytest here
        parts = case.get("classname", "").split(".")
        klass = parts[-1:] if parts[-1][:1].isupper() else []
        module = parts[: len(parts) - len(klass)]
        test = "::".join(["/".join(module) + ".py", *klass, case.get("name", "")])
        result, reason = "passed", ""
        for tag, name in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
            found = case.find(tag)
            if found is not None:
                reason = " ".join((found.get("message") or found.text or "").split())
                result = "xfailed" if found.get("type") == "pytest.xfail" else name
                break
        if result in ("failed", "error"):
            said = dbt_error(case.findtext("system-out") or "")
            reason = f"{said} ({reason})" if said else reason
        outcomes.append(Outcome(test, result, reason[:240]))
    return sorted(outcomes, key=lambda o: o.test)


# dbt's console output for a failed node: "Runtime Error in model m (models/m.sql)" (or
# Database, Compilation, ...), at times a bare "Runtime Error" below it, then on the next
# line what the adapter or Athena said.
_DBT_ERROR = re.compile(
    r"\b[A-Z][a-z]+ Error\b[^\n]*\n(?:\s*[A-Z][a-z]+ Error\s*\n)?\s*(\S.*)$", re.M
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def dbt_error(output: str) -> str:
    """The first error dbt printed in a test's output ('' when it printed none): what
    failed, where the test itself says only that dbt's exit state was not the expected."""
    found = _DBT_ERROR.search(_ANSI.sub("", output))
    return " ".join(found[1].split()) if found else ""


def summary_line(outcomes: list[Outcome]) -> str:
    count = {r: sum(o.result == r for o in outcomes) for r in ("passed", "skipped")}
    failed = sum(o.result in ("failed", "error") for o in outcomes)
    line = f"{count['passed']} passed, {failed} failed, {count['skipped']} skipped"
    xfailed = sum(o.result == "xfailed" for o in outcomes)
    return f"dbt-athena functional suite on the twin: {line}" + (
        f", {xfailed} xfailed" if xfailed else ""
    )


def failures(outcomes: list[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.result in ("failed", "error")]


def suite_command(junit: Path) -> list[str]:
    """pytest on the suite of the current folder, with the plugin, into `junit`."""
    return [
        *(sys.executable, "-m", "pytest", "tests/functional"),
        *("-p", "lakehouse.twin_conformance_plugin", "-p", "no:cacheprovider"),
        *("--color=no", f"--junitxml={junit}"),
        *("-o", "junit_logging=system-out"),  # dbt's output, for the failures' reasons
    ]


def run_suite(tests: Path, work: Path, workers: int = 2) -> tuple[list[Outcome], str]:
    """The suite in `tests` on a twin (the running one, or one started for it); returns
    every test's outcome and the twin's Trino version. pytest's output goes to
    `work/suite.log`."""
    import boto3

    from athena_twin import aws_sdk_pointed_at
    from lakehouse.twin_lake import project_twin

    junit, log = work / "junit.xml", work / "suite.log"
    with project_twin(work / "twin") as running, aws_sdk_pointed_at(running.env()):
        s3 = boto3.client("s3")
        if BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=BUCKET)
        with open(log, "w") as out:
            subprocess.run(  # nosec B603 # this interpreter's pytest, arguments built here
                [*suite_command(junit), "-n", str(workers)],
                cwd=tests, env={**os.environ, **SUITE_ENV}, stdout=out,
                stderr=subprocess.STDOUT, timeout=3600, check=False,
            )  # fmt: skip
        if not junit.exists():
            raise PipelineError(f"the suite wrote no report: see {log}")
        return read_junit(junit), running.trino_version


def write_report(outcomes: list[Outcome], run: dict, path: Path = REPORT) -> None:
    from lakehouse.display import markdown_templates

    icons = {"passed": "✅", "failed": "❌", "error": "❌", "skipped": "⏭️", "xfailed": "➖"}
    text = (
        markdown_templates(Path(__file__).parent)
        .get_template("twin_conformance.md.j2")
        .render(
            run=run,
            outcomes=outcomes,
            failed=failures(outcomes),
            icons=icons,
        )
    )
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def _checkout() -> str:
    """The commit the suite ran on, marked when the working tree had changes."""

    def git(*args: str) -> str:
        return subprocess.run(  # nosec B603 B607 # git, arguments built here
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs")
    return f"{commit} with uncommitted changes" if commit and changed else commit


def main(work: Path, workers: int = 2) -> int:
    """`make twin-conformance`: the suite on the twin, its line, the docs page; 1 when a
    test failed."""
    import time
    from datetime import UTC, datetime

    from lakehouse.display import console

    started = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    tests = adapter_tests()
    outcomes, trino = run_suite(tests, work, workers)
    commit = _checkout()
    run = {
        "date": datetime.now(UTC).date().isoformat(),
        "commit": commit or "(not a git checkout)",
        "versions": {
            p: importlib.metadata.version(p) for p in (PACKAGE, "dbt-core", "dbt-tests-adapter")
        },
        "trino": trino,
        "seconds": time.perf_counter() - started,
        "line": summary_line(outcomes),
    }
    write_report(outcomes, run)
    console.print(run["line"])
    failed = failures(outcomes)
    for o in failed:  # node ids hold [brackets]: printed as they are
        console.print(f"  ✗ {o.test}: {o.reason}", markup=False, soft_wrap=True)
    console.print(
        f"every test's result: {REPORT.relative_to(PROJECT_DIR)}; "
        f"pytest's output: {work / 'suite.log'}",
        soft_wrap=True,
    )
    return 1 if failed else 0


def command(args) -> int:
    """`lakehouse twin-conformance` (its arguments are lakehouse/cli.py's)."""
    from lakehouse.display import console

    console.rule("[bold]dbt-athena's functional tests on the local AWS twin")
    return main(Path(args.workdir).resolve(), args.workers)
