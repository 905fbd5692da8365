"""The fast subset of `make faults`, in every `make test`: the first day's pipeline once
uninterrupted, then one SIGKILL per stage: ingest as a random file lands, clean at a
random moment, transform in the middle of its curated export (a random mart's). Each
rerun must leave the lake exactly as the uninterrupted run did, and a reader at the
instant of the kill must see whole files, a whole warehouse and whole curated marts. The
full matrix (both days, kills at random moments of every stage, a full disk, an S3
outage, concurrent deliveries) runs nightly."""

from __future__ import annotations

import pytest

from tests.faults import quick

pytestmark = [pytest.mark.e2e, pytest.mark.spark, pytest.mark.xdist_group("faults")]


def test_one_kill_per_stage_the_transform_in_its_curated_export_recovers_identically(tmp_path):
    trials = quick(tmp_path / "faults")
    report = "\n".join(
        f"{t.stage:<9} {t.detail}: {'ok' if t.ok else '; '.join(t.problems)}" for t in trials
    )
    assert [t.stage for t in trials] == ["ingest", "clean", "transform"], report
    assert "export" in trials[-1].detail, report
    assert all(t.ok for t in trials), report
    assert all("(had finished)" not in t.detail for t in trials), report
