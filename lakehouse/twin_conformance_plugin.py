"""The pytest plugin `make twin-conformance` loads into dbt-athena's functional suite
(lakehouse/twin_conformance.py): it skips, with the reason, the tests that need more
than this project's pins. It changes nothing else; no test is edited."""

from __future__ import annotations

import pytest

# Node id (a file, a class or one test) -> why it cannot run on the pinned versions.
NEEDS_NEWER = {
    "tests/functional/adapter/test_empty.py::TestAthenaEmptySeedFlag": (
        "runs `dbt seed --empty`, which dbt-core 1.11 (the pin) does not have"
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
