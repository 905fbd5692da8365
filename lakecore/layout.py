"""The lake's layout: where every zone, entity and audit file lives, as `/`-separated keys
relative to the lake root. Identical in a local folder and under `s3://bucket/prefix/`,
and spelled out only here (dbt's sources read the same layout through the `lake_*` vars
of dbt_project.yml; a test checks that they agree).

  raw/<source>/<entity>/ingest_date=YYYY-MM-DD/<file as delivered>
  raw/clickstream/events_stream/year=YYYY/month=MM/day=DD/hour=HH/<object>.gz
  cleaned/<entity>/[<partition>=<value>/]part-*.snappy.parquet
  quarantine/<entity>/part-*.snappy.parquet
  _audit/manifests/<entity>/<sha256[:16]>.json          one per landed file
  _audit/manifests/_noop/<entity>/<time>-<sha256[:16]>.json   a file delivered again
  _audit/manifests/_index/<time>-<sha256[:8]>.jsonl     the landed manifests of one run
  _audit/state/<entity>.json                            the cleaning job's bookmark
  _audit/state/<entity>.inflight.json                   an entity's write in progress
  _audit/run_log/<run_id>-<entity>.jsonl                one entity's reconciliation in a run
  _audit/dq_results/<run_id>.jsonl                     one dbt build's data-test results
  _audit/published/athena-<schema>.json                 which Athena build readers see
  _audit/lock                                           who is writing the lake (lakecore.lock)
  warehouse.duckdb                                      the local curated zone (DuckDB)
  curated/<model>/ -> curated/_exports/<model>/<build>/ the same marts as Parquet, locally
  curated/_exports.json                                 (lakehouse.curated)
  curated/<schema>/<model>/<unique id>/                 the curated zone on S3 (Athena's
                                                        tables, dbt-athena's naming)
"""

from __future__ import annotations

from lakecore.contract import CLICKSTREAM, STREAM_ENTITY, Dataset

RAW = "raw"
CLEANED = "cleaned"
QUARANTINE = "quarantine"
AUDIT = "_audit"  # manifests, the clean job's bookmarks, the run log
MANIFESTS = f"{AUDIT}/manifests"
MANIFEST_INDEX = f"{MANIFESTS}/_index"
STATE = f"{AUDIT}/state"
RUN_LOG = f"{AUDIT}/run_log"
DQ_RESULTS = f"{AUDIT}/dq_results"
PUBLISHED = f"{AUDIT}/published"
LOCK = f"{AUDIT}/lock"
WAREHOUSE = "warehouse.duckdb"
CURATED = "curated"


def raw_prefix(source: str, entity: str) -> str:
    """The folder of one raw entity (or feed), ending in `/`."""
    return f"{RAW}/{source}/{entity}/"


def raw_key(ds: Dataset, ingest_date: str, file_name: str) -> str:
    return f"{raw_prefix(ds.source, ds.entity)}ingest_date={ingest_date}/{file_name}"


def stream_key(hour_folder: str, object_name: str) -> str:
    """A Firehose object; `hour_folder` is `year=YYYY/month=MM/day=DD/hour=HH`."""
    return f"{raw_prefix(CLICKSTREAM, STREAM_ENTITY)}{hour_folder}/{object_name}"


def cleaned_prefix(entity: str) -> str:
    return f"{CLEANED}/{entity}"


def quarantine_prefix(entity: str) -> str:
    return f"{QUARANTINE}/{entity}"


def manifest_key(entity: str, sha256: str) -> str:
    return f"{MANIFESTS}/{entity}/{sha256[:16]}.json"


def noop_manifest_key(entity: str, stamp: str, sha256: str) -> str:
    return f"{MANIFESTS}/_noop/{entity}/{stamp}-{sha256[:16]}.json"


def manifest_index_key(stamp: str, sha256: str) -> str:
    return f"{MANIFEST_INDEX}/{stamp}-{sha256[:8]}.jsonl"


def state_key(entity: str) -> str:
    return f"{STATE}/{entity}.json"


def inflight_key(entity: str) -> str:
    return f"{STATE}/{entity}.inflight.json"


def run_log_key(run_id: str, entity: str) -> str:
    return f"{RUN_LOG}/{run_id}-{entity}.jsonl"


def dq_results_key(run_id: str) -> str:
    return f"{DQ_RESULTS}/{run_id}.jsonl"


def published_key(name: str) -> str:
    return f"{PUBLISHED}/{name}.json"
