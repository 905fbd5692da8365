"""The fast subset of `make faults`, in every `make test`: the first day's pipeline once
uninterrupted, then ingest, clean and transform each killed with SIGKILL at a random
moment, and a transform killed in the middle of its curated export; each rerun must
leave the lake exactly as the uninterrupted run did, and a reader at the instant of the
kill must see whole files, a whole warehouse and whole curated marts. The full matrix
(both days, a full disk, an S3 outage, concurrent deliveries) runs nightly."""

from __future__ import annotations

import pytest

from tests.faults import quick

pytestmark = [pytest.mark.e2e, pytest.mark.spark, pytest.mark.xdist_group("faults")]


def test_one_kill_per_stage_and_one_in_the_curated_export_recover_identically(tmp_path):
    trials = quick(tmp_path / "faults")
    report = "\n".join(
        f"{t.stage:<9} {t.detail}: {'ok' if t.ok else '; '.join(t.problems)}" for t in trials
    )
    assert [t.stage for t in trials] == ["ingest", "clean", "transform", "transform"], report
    assert "export" in trials[-1].detail, report
    assert all(t.ok for t in trials), report
    assert all("(had finished)" not in t.detail for t in trials), report
