"""moto's own state as the twin's Athena reads and writes it, in process (no HTTP round
trip): a Glue table changed as Athena's Hive DDL changes it, a view's columns recorded
as Athena records them, whether an S3 location holds data, a work group's prepared
statements, what of a table's partition projection the twin cannot compute, an Iceberg
table's properties, and a write left half done (faults.py).
`MotoSide` gathers them for athena_bridge.AthenaOnTrino."""

from __future__ import annotations

from dataclasses import dataclass


def _glue_table(account: str, region: str, schema: str, table: str):
    from moto.glue.models import glue_backends

    return glue_backends[account][region].get_table(schema, table)


def _update_glue_table(found, change) -> None:
    current = dict(found.get_version(str(found._current_version)))
    current.pop("VersionId", None)
    change(current)
    found.update(current)


def change_glue_table(account: str, region: str, change) -> None:
    """A Hive DDL statement's change (bridge.GlueChange) written to its Glue table, as
    Athena writes it: `set tblproperties` merged into Parameters, `add columns` appended
    to the columns, `replace columns` as the whole list (the partition keys stay)."""

    def apply(current: dict) -> None:
        current["Parameters"] = {**(current.get("Parameters") or {}), **change.parameters}
        if change.columns:
            descriptor = dict(current.get("StorageDescriptor") or {})
            new = [{"Name": name, "Type": kind} for name, kind in change.columns]
            kept = [] if change.replace_columns else list(descriptor.get("Columns") or [])
            descriptor["Columns"] = kept + new
            current["StorageDescriptor"] = descriptor

    _update_glue_table(_glue_table(account, region, change.schema, change.table), apply)


def record_view_columns(account: str, region: str, schema: str, view: str) -> None:
    """Write a view's real columns to its Glue table, as Athena does."""
    from athena_twin.glue_for_trino import view_columns

    def columns(current: dict) -> None:
        found_columns = view_columns(current.get("ViewOriginalText", ""))
        if found_columns:
            descriptor = dict(current.get("StorageDescriptor") or {})
            descriptor["Columns"] = found_columns
            current["StorageDescriptor"] = descriptor

    _update_glue_table(_glue_table(account, region, schema, view), columns)


def _has_objects(account: str, location: str) -> bool:
    """Whether an S3 location (`s3://bucket/prefix/`) holds any object, from moto's S3."""
    from moto.s3.models import s3_backends

    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    prefix = prefix.rstrip("/") + "/" if prefix else ""
    try:
        found = s3_backends[account]["aws"].get_bucket(bucket)
    except Exception:  # no such bucket: Trino's write reports it
        return False
    return any(k.startswith(prefix) for k in list(found.keys.keys()))


def _save_prepared(account: str, region: str, workgroup: str, name: str, sql: str) -> None:
    from moto.athena.models import athena_backends

    athena_backends[account][region].create_prepared_statement(name, workgroup, sql, "")


def _find_prepared(account: str, region: str, workgroup: str, name: str) -> str | None:
    from moto.athena.models import athena_backends

    found = athena_backends[account][region].get_prepared_statement(name, workgroup)
    return found.query_statement if found else None


def _projection_problem(account: str, region: str, schema: str, table: str) -> str | None:
    """What the twin cannot compute of a table's partition projection (None: nothing,
    or not a projected table, or no such table)."""
    from athena_twin.projection import is_projected, unsupported_projection

    try:
        found = _glue_table(account, region, schema, table).as_dict()
    except Exception:  # no such table: Trino reports it
        return None
    return unsupported_projection(found) if is_projected(found) else None


def _iceberg_properties(account: str, region: str, schema: str, table: str) -> dict | None:
    """An Iceberg table's properties, from the metadata file its Glue table points at
    (None: not an Iceberg table, or no such table)."""
    import json

    try:
        found = _glue_table(account, region, schema, table).as_dict()
    except Exception:  # no such table: Trino reports it
        return None
    parameters = found.get("Parameters") or {}
    if parameters.get("table_type", "").upper() != "ICEBERG":
        return None
    metadata = _read_result(account, parameters.get("metadata_location", ""))
    return dict(json.loads(metadata).get("properties") or {}) if metadata else {}


def _iceberg_tables(account: str, region: str, schema: str) -> list[str]:
    """The names of a Glue database's Iceberg tables ([] for no such database)."""
    from moto.glue.models import glue_backends

    try:
        tables = glue_backends[account][region].get_tables(schema, "")
    except Exception:  # no such database: Trino reports it
        return []
    return [
        t.name for t in tables
        if (t.as_dict().get("Parameters") or {}).get("table_type", "").upper() == "ICEBERG"
    ]  # fmt: skip


_SSE = {"SSE_S3": "AES256", "SSE_KMS": "aws:kms"}


def _write_result(account: str, location: str, body: bytes, encryption: dict | None) -> None:
    """A results file written to S3 with the work group's encryption (SSE-S3 or SSE-KMS),
    as Athena writes it."""
    from moto.s3.models import s3_backends

    bucket, _, key = location.removeprefix("s3://").partition("/")
    option = (encryption or {}).get("EncryptionOption", "")
    s3_backends[account]["aws"].put_object(
        bucket, key, body, encryption=_SSE.get(option), kms_key_id=(encryption or {}).get("KmsKey")
    )


def _read_result(account: str, location: str) -> bytes | None:
    from moto.s3.models import s3_backends

    bucket, _, key = location.removeprefix("s3://").partition("/")
    try:
        found = s3_backends[account]["aws"].get_object(bucket, key)
    except Exception:  # no such bucket or key
        return None
    return found.value if found is not None else None


@dataclass(frozen=True)
class BeforeWrite:
    """A write's table as it was before the write ran (a CTAS's: no table yet)."""

    schema: str
    table: str
    existed: bool
    keys: frozenset[str] = frozenset()  # under the table's location
    partitions: frozenset[str] = frozenset()  # moto's keys of the Glue partitions


def _table_keys(account: str, table) -> tuple[str, set[str]]:
    """A Glue table's bucket and the keys under its location, from moto's S3."""
    from moto.s3.models import s3_backends

    location = table.as_dict()["StorageDescriptor"]["Location"]
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    prefix = prefix.rstrip("/") + "/"
    found = s3_backends[account]["aws"].get_bucket(bucket)
    return bucket, {k for k in list(found.keys.keys()) if k.startswith(prefix)}


def _before_write(account: str, region: str, schema: str, table: str) -> BeforeWrite:
    try:
        found = _glue_table(account, region, schema, table)
    except Exception:  # no such table yet: a CTAS creates it
        return BeforeWrite(schema, table, existed=False)
    keys = frozenset(_table_keys(account, found)[1])
    return BeforeWrite(schema, table, True, keys, frozenset(found.partitions))


def _leave_half_written(account: str, region: str, before: BeforeWrite) -> tuple[int, int]:
    """Undo half of a finished write, as if it had failed halfway: the later half of the
    files it wrote deleted from S3, the rest left; the table a CTAS created, or the
    partitions an INSERT added, removed from Glue. Returns (files left, files written)."""
    from moto.glue.models import glue_backends
    from moto.s3.models import s3_backends

    found = _glue_table(account, region, before.schema, before.table)
    bucket, keys = _table_keys(account, found)
    written = sorted(keys - before.keys)
    left = (len(written) + 1) // 2  # at least one file stays when any was written
    for key in written[left:]:
        s3_backends[account]["aws"].delete_object(bucket, key)
    if before.existed:
        for added in set(found.partitions) - before.partitions:
            del found.partitions[added]
    else:
        glue_backends[account][region].delete_table(before.schema, before.table)
    return left, len(written)


class MotoSide:
    """What the Athena bridge reads and writes in moto's own state, in process: Glue
    tables, S3 locations and a work group's prepared statements."""

    change_glue_table = staticmethod(change_glue_table)
    record_view_columns = staticmethod(record_view_columns)
    has_objects = staticmethod(_has_objects)
    save_prepared = staticmethod(_save_prepared)
    find_prepared = staticmethod(_find_prepared)
    projection_problem = staticmethod(_projection_problem)
    iceberg_properties = staticmethod(_iceberg_properties)
    iceberg_tables = staticmethod(_iceberg_tables)
    write_result = staticmethod(_write_result)
    read_result = staticmethod(_read_result)
    before_write = staticmethod(_before_write)
    leave_half_written = staticmethod(_leave_half_written)
