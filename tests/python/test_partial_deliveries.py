"""Every combination of the four sources a lake can be fed (Olist, the clickstream,
Retailrocket, Walmart: 15 non-empty ones) lands, cleans and builds the whole project,
as a user who has only some of the downloads would run it.

Each combination is a new lake fed only that combination's files from one tiny
generated delivery, run through the CLI in-process (`ingest`, `clean`, a full
`transform`). Every data test passes, except the tests of references from one source
into another that the lake was not fed: then only those fail, the build publishes
nothing, and its one-line error names the missing source. Two sources point into Olist:
the clickstream (its purchases, sessions and events name Olist orders, customers and
products) and the generated Retailrocket catalog feed (each item names its Olist product,
`olist_product_id`, which dim_product_history keeps; a real Retailrocket download has no
such property, so it points nowhere). An empty source means zero: the reconciliation
tests say so (tests/dbt/). dbt's unit tests are left out: they read their own fixtures,
never the lake.
"""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from lakecore.contract import DATASETS
from lakehouse import cli, dbt_manifest
from tests.python.conftest import dbt_target

pytestmark = [pytest.mark.e2e, pytest.mark.spark, pytest.mark.xdist_group("partial")]

SOURCES = ("olist", "clickstream", "retailrocket", "walmart")
COMBINATIONS = [c for n in range(1, 5) for c in itertools.combinations(SOURCES, n)]
# Which source's data points into which: source -> the source it references.
REFERENCES = {"clickstream": "olist", "retailrocket": "olist"}


def delivery_of(generated: Path, sources: tuple[str, ...], to: Path) -> Path:
    """The files of `sources` only, from a generated delivery."""
    to.mkdir(parents=True)
    for dataset in DATASETS.values():
        if dataset.source in sources:
            for name in dataset.file_names:
                shutil.copy2(generated / name, to / name)
    return to


def failed_tests() -> tuple[dict[str, set[str]], list[str]]:
    """The last build's failed tests, each with the dbt sources it reads; and any
    other node that failed."""
    target = dbt_target()
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = dbt_manifest.load(target / "manifest.json")
    failed = [r["unique_id"] for r in results if r["status"] in ("fail", "error")]
    tests = {
        uid: dbt_manifest.upstream_sources(manifest, uid)
        for uid in failed
        if uid.startswith("test.")
    }
    return tests, [uid for uid in failed if not uid.startswith("test.")]


def test_every_combination_of_sources_lands_cleans_and_builds(spark, tiny_raw, tmp_path, capsys):
    assert len(COMBINATIONS) == 15
    wrong: dict[str, str] = {}
    failing_from: set[str] = set()  # the sources whose references were seen to fail
    for sources in COMBINATIONS:
        name = "+".join(sources)
        lake = tmp_path / name / "lake"
        delivery = delivery_of(tiny_raw, sources, tmp_path / name / "delivery")
        for step in (["ingest", "--source", str(delivery)], ["clean"]):
            assert cli.main(["--lake", str(lake), *step]) == 0, (name, step)
        capsys.readouterr()
        code = cli.main(
            ["--lake", str(lake), "transform", "--", "--exclude-resource-type", "unit_test"]
        )
        said = capsys.readouterr()
        tests, others = failed_tests()
        dangling = {s for s in sources if REFERENCES.get(s, s) not in sources}
        if others:
            wrong[name] = f"nodes other than tests failed: {others}"
        elif dangling:
            missing = {REFERENCES[s] for s in dangling}
            named = [f"which this lake was never fed: its data points into {m}" for m in missing]
            if code == 0 or not tests:
                wrong[name] = f"built, although {sorted(dangling)} point into {sorted(missing)}"
            elif any(not (read & missing and read & dangling) for read in tests.values()):
                wrong[name] = f"a failed test is not a reference into {sorted(missing)}: {tests}"
            elif not all(line in said.err + said.out for line in named):
                wrong[name] = f"the error does not name {sorted(missing)}: {said.err[-600:]!r}"
            failing_from.update(s for read in tests.values() for s in read & dangling)
        elif code != 0 or tests:
            wrong[name] = f"exit {code}, failed tests {sorted(tests)}"
    assert not wrong, "\n".join(f"{k}: {v}" for k, v in wrong.items())
    # Each reference was seen to fail where its target is missing.
    assert failing_from == set(REFERENCES), failing_from
