"""`make twin-conformance`'s own parts, on a small suite of our own (the real one is
dbt-athena's and runs on the twin in its own workflow, not in `make test`): the plugin
skips what needs newer pins with the reason, every result and reason is read back from
pytest's junit report, Iceberg failures are told apart, the page lists every test; and
the suite comes from the locked dbt-athena's sdist, refused when its hash is not the
lock's."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from lakecore.errors import PipelineError
from lakehouse import twin_conformance as conformance
from lakehouse.twin_conformance_plugin import NEEDS_NEWER

SUITE = {
    # The file and class the plugin skips (the real suite's node id).
    "test_empty.py": """
        class TestAthenaEmptySeedFlag:
            def test_seed_empty_creates_table_with_zero_rows(self):
                assert False, "would fail: the plugin must skip it"

            def test_seed_without_empty_loads_all_rows(self):
                pass  # runs on the pins: not skipped
        """,
    "test_basic.py": """
        import pytest

        class TestBasicHive:
            def test_passes(self):
                assert 1 + 1 == 2

            def test_fails(self):
                assert "a|b" == "c", "a | in the reason"

            def test_dbt_fails(self):
                # What dbt prints when a node fails; the test only sees the exit state.
                print("\x1b[0m12:00:00    Runtime Error in model m (models/m.sql)")
                print("  Runtime Error")
                print("    SYNTAX_ERROR: line 2:15: mismatched input 'columns'")
                assert False, "dbt exit state did not match expected"

            def test_dbt_fails_without_a_bare_header(self):
                print("\x1b[0m12:00:00    Runtime Error in model iceberg_model (models/i.sql)")
                print("  NOT_SUPPORTED: the local AWS twin cannot run this statement")
                assert False, "dbt exit state did not match expected"

        @pytest.mark.parametrize("table_type", ["hive", "iceberg"])
        def test_on_schema_change(table_type):
            assert table_type == "hive", f"{table_type} fails"

        @pytest.mark.skip(reason="needs Lake Formation")
        def test_skipped():
            pass

        @pytest.mark.xfail(reason="known")
        def test_xfail():
            assert False
        """,
    "test_incremental_iceberg.py": """
        def test_merge():
            raise RuntimeError("no Iceberg yet")
        """,
}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    root = tmp_path_factory.mktemp("suite")
    adapter = root / "tests" / "functional" / "adapter"
    adapter.mkdir(parents=True)
    for name, body in SUITE.items():
        (adapter / name).write_text(textwrap.dedent(body))
    junit = root / "junit.xml"
    subprocess.run(
        conformance.suite_command(junit),
        cwd=root, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    return {
        o.test.removeprefix("tests/functional/adapter/"): o for o in conformance.read_junit(junit)
    }


def test_every_result_and_reason_is_read_back(outcomes):
    assert {name: o.result for name, o in outcomes.items()} == {
        "test_basic.py::TestBasicHive::test_dbt_fails": "failed",
        "test_basic.py::TestBasicHive::test_dbt_fails_without_a_bare_header": "failed",
        "test_basic.py::TestBasicHive::test_fails": "failed",
        "test_basic.py::TestBasicHive::test_passes": "passed",
        "test_basic.py::test_on_schema_change[hive]": "passed",
        "test_basic.py::test_on_schema_change[iceberg]": "failed",
        "test_basic.py::test_skipped": "skipped",
        "test_basic.py::test_xfail": "xfailed",
        "test_empty.py::TestAthenaEmptySeedFlag::test_seed_empty_creates_table_with_zero_rows": (
            "skipped"
        ),
        "test_empty.py::TestAthenaEmptySeedFlag::test_seed_without_empty_loads_all_rows": "passed",
        "test_incremental_iceberg.py::test_merge": "failed",
    }
    assert "a | in the reason" in outcomes["test_basic.py::TestBasicHive::test_fails"].reason
    assert outcomes["test_basic.py::test_skipped"].reason.endswith("needs Lake Formation")
    # A failure dbt printed is the reason, before what the test said.
    assert outcomes["test_basic.py::TestBasicHive::test_dbt_fails"].reason == (
        "SYNTAX_ERROR: line 2:15: mismatched input 'columns' "
        "(AssertionError: dbt exit state did not match expected assert False)"
    )
    reason = outcomes["test_basic.py::TestBasicHive::test_dbt_fails_without_a_bare_header"].reason
    assert reason.startswith("NOT_SUPPORTED: the local AWS twin cannot run this statement (")
    skipped = outcomes[
        "test_empty.py::TestAthenaEmptySeedFlag::test_seed_empty_creates_table_with_zero_rows"
    ].reason
    assert "dbt seed --empty" in skipped and "pins" in skipped
    assert all(n.startswith("tests/functional/adapter/test_empty.py::") for n in NEEDS_NEWER)


def test_every_failure_counts_and_the_page_lists_every_test(outcomes, tmp_path):
    found = list(outcomes.values())
    failed = [o.test.rsplit("/", 1)[-1] for o in conformance.failures(found)]
    assert sorted(failed) == [
        "test_basic.py::TestBasicHive::test_dbt_fails",
        "test_basic.py::TestBasicHive::test_dbt_fails_without_a_bare_header",
        "test_basic.py::TestBasicHive::test_fails",
        "test_basic.py::test_on_schema_change[iceberg]",
        "test_incremental_iceberg.py::test_merge",
    ]
    assert conformance.summary_line(found) == (
        "dbt-athena functional suite on the twin: 3 passed, 5 failed, 2 skipped, 1 xfailed"
    )
    page = tmp_path / "twin-conformance.md"
    run = {
        "date": "2026-12-07", "commit": "abc1234", "trino": "476", "seconds": 12.0,
        "versions": {"dbt-athena": "1.11.1", "dbt-core": "1.11.16", "dbt-tests-adapter": "1.20.0"},
        "line": conformance.summary_line(found),
    }  # fmt: skip
    conformance.write_report(found, run, page)
    rows = [line for line in page.read_text().splitlines() if line.startswith("| `")]
    assert len(rows) == len(found)
    assert "| `test_basic.py::TestBasicHive::test_fails` | ❌ failed |" in page.read_text()
    assert all(line.count(" | ") == 2 for line in rows)  # the | in a reason is escaped
    assert "5 failed (the goal is none), Iceberg tests included" in " ".join(
        page.read_text().split()
    )


def test_the_suite_comes_from_the_locked_sdist_and_a_wrong_hash_is_refused(tmp_path):
    folder = conformance.adapter_tests(cache=tmp_path / "cache")
    assert (folder / "tests" / "functional" / "conftest.py").is_file()
    assert (folder / "tests" / "functional" / "adapter" / "test_basic_hive.py").is_file()
    version, hashes = conformance.lock_hashes("dbt-athena")
    assert folder.name == f"dbt_athena-{version}" and len(hashes) == 2

    tampered = tmp_path / "lock.txt"
    tampered.write_text(f"dbt-athena=={version} \\\n    --hash=sha256:{'0' * 64}\n")
    with pytest.raises(PipelineError, match="is not the pinned 0000"):
        conformance.adapter_tests(cache=tmp_path / "other", lock=tampered)
    assert not (tmp_path / "other" / "pypi" / folder.name).exists()
