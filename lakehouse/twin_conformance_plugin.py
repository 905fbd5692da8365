"""The pytest plugin `make twin-conformance` loads into dbt-athena's functional suite
(lakehouse/twin_conformance.py): it skips, with the reason, the tests that need more
than this project's pins. It changes nothing else; no test is edited."""

from __future__ import annotations

import pytest

# Node id (a file, a class or one test) -> why it cannot run on the pinned versions.
_SEED_EMPTY = "tests/functional/adapter/test_empty.py::TestAthenaEmptySeedFlag::"
NEEDS_NEWER = {
    f"{_SEED_EMPTY}test_seed_empty_creates_table_with_zero_rows": (
        "runs `dbt seed --empty`, an option dbt-core 1.11 (the pin) does not have"
    ),
    f"{_SEED_EMPTY}test_seed_empty_preserves_column_types": (
        "runs `dbt seed --empty`, an option dbt-core 1.11 (the pin) does not have"
    ),
    f"{_SEED_EMPTY}test_build_empty_with_seed": (
        "expects `dbt build --empty` to leave seeds empty; dbt-core 1.11's seeds ignore "
        "--empty (neither its seed task nor its seed materialization reads it)"
    ),
}


def skip_reason(nodeid: str) -> str | None:
    for listed, reason in NEEDS_NEWER.items():
        if nodeid == listed or nodeid.startswith((f"{listed}::", f"{listed}[")):
            return f"needs more than the project's pins: {reason}"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reason = skip_reason(item.nodeid)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))
