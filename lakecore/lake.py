"""A lake, opened once from its root and passed down: the root, the store that reads and
writes it, and the URIs engines read it by.

    lake = Lake.open("lake")                  a local folder (made absolute)
    lake = Lake.open("s3://bucket/prefix")    an S3 prefix (boto3 finds the credentials)
    lake.uri(layout.cleaned_prefix("orders")) what Spark or DuckDB read
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lakecore import layout
from lakecore.errors import PipelineError
from lakecore.storage import LocalStore, S3Store, Store


@dataclass(frozen=True)
class Lake:
    root: str  # an absolute local path, or s3://bucket[/prefix] without a trailing /
    store: Store

    @classmethod
    def open(cls, root: str) -> Lake:
        if root.startswith("s3://"):
            bucket = root[len("s3://") :].split("/", 1)[0]
            if not bucket:
                raise PipelineError(f"--lake {root}: name a bucket, as in s3://bucket/prefix")
            normalized = root.rstrip("/")
            parts = normalized[len("s3://") :].split("/")
            odd = [p for p in parts[1:] if p in ("", ".", "..") or not p.isprintable()]
            if odd or "\\" in root:
                raise PipelineError(
                    f"--lake {root!r}: an S3 lake's prefix is plain folder names separated "
                    "by single '/' (no '.', '..', empty parts, backslashes or control "
                    "characters)"
                )
            return cls(normalized, S3Store(normalized))
        if "://" in root:
            raise PipelineError(f"--lake {root}: a lake is a local folder or s3://bucket/prefix")
        path = os.path.abspath(root)
        return cls(path, LocalStore(path))

    @property
    def is_local(self) -> bool:
        return isinstance(self.store, LocalStore)

    def uri(self, key: str) -> str:
        """What an engine reads a key by: an absolute path, or an s3:// URI."""
        return self.store.uri(key)

    def raw_keys(self) -> list[str]:
        """Every file of the raw zone, as keys. Listed through the store (a directory walk,
        or paginated ListObjectsV2): the Firehose feed holds thousands of hour-folder
        objects, which one listing call returns in milliseconds where Spark's file index
        or Hadoop's FileSystem through py4j take seconds."""
        return self.store.list(f"{layout.RAW}/")

    @property
    def warehouse(self) -> Path:
        """The local curated zone: the DuckDB file dbt-duckdb builds."""
        if not self.is_local:
            raise PipelineError(
                f"{self.root}: the DuckDB warehouse lives in a local lake; "
                "on S3 the curated zone is Athena's (--target athena)"
            )
        return Path(self.root) / layout.WAREHOUSE
