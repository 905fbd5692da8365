"""The lake's storage: a local folder or an S3 prefix behind one small interface. Landing
writes the raw zone and its manifests through it; the cleaning job lists the raw zone and
keeps its bookmarks and run log with it.

Paths inside the lake are always `/`-separated keys relative to the lake root
(`raw/olist/ingest_date=2026-11-21/olist_orders_dataset.csv`), so the same landing code
writes to `lake/` on a laptop and to `s3://bucket/prefix/` in production.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from lakecore.errors import PipelineError


class Store(Protocol):
    root: str

    def exists(self, key: str) -> bool: ...
    def put_file(
        self, local_path: Path, key: str, on_bytes: Callable[[int], None] | None = None
    ) -> None: ...
    def put_text(self, key: str, text: str) -> None: ...
    def read_text(self, key: str) -> str: ...
    def get_file(self, key: str, local_path: Path) -> None: ...
    def list(self, prefix: str) -> list[str]: ...
    def delete(self, key: str) -> None: ...  # no error when it is already gone
    def uri(self, key: str) -> str: ...


@dataclass
class LocalStore:
    root: str

    def _path(self, key: str) -> Path:
        return Path(self.root) / key

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def put_file(
        self, local_path: Path, key: str, on_bytes: Callable[[int], None] | None = None
    ) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        # Copy then rename so a reader never sees a half-written file.
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".landing-")
        with open(local_path, "rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
        os.replace(tmp, dest)

    def put_text(self, key: str, text: str) -> None:
        dest = self._path(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, dest)

    def read_text(self, key: str) -> str:
        return self._path(key).read_text(encoding="utf-8")

    def get_file(self, key: str, local_path: Path) -> None:
        local_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._path(key), local_path)

    def list(self, prefix: str) -> list[str]:
        base = self._path(prefix)
        if not base.exists():
            return []
        root = Path(self.root)
        return sorted(
            p.relative_to(root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def uri(self, key: str) -> str:
        return str(self._path(key).resolve())


@dataclass
class S3Store:
    root: str  # s3://bucket/prefix
    # Multipart above this size: the large Olist files (geolocation, 61 MB) go in parts.
    multipart_threshold: int = 16 * 1024 * 1024

    def __post_init__(self) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig

        rest = self.root[len("s3://") :]
        self.bucket, _, prefix = rest.partition("/")
        self.prefix = prefix.strip("/")
        self._s3 = boto3.client("s3")
        self._transfer = TransferConfig(
            multipart_threshold=self.multipart_threshold,
            multipart_chunksize=max(5 * 1024 * 1024, self.multipart_threshold),
        )

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    @contextlib.contextmanager
    def _s3_call(self, key: str) -> Iterator[None]:
        """S3's expected failures (no bucket, no access, no credentials, no network) as
        one line naming the object and what to check."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", "?"), error.get("Message", "")
            raise PipelineError(
                f"{self.uri(key)}: S3 said {code} ({message}); check the bucket name, "
                "that it exists, and the credentials' access to it"
            ) from None
        except BotoCoreError as exc:
            raise PipelineError(
                f"{self.uri(key)}: {exc}; check AWS credentials, region and network "
                "(AWS_ENDPOINT_URL for a local S3 such as the twin's)"
            ) from None

    def exists(self, key: str) -> bool:
        with self._s3_call(key):
            resp = self._s3.list_objects_v2(Bucket=self.bucket, Prefix=self._key(key), MaxKeys=1)
        return any(o["Key"] == self._key(key) for o in resp.get("Contents", []))

    def put_file(
        self, local_path: Path, key: str, on_bytes: Callable[[int], None] | None = None
    ) -> None:
        with self._s3_call(key):
            self._s3.upload_file(
                str(local_path),
                self.bucket,
                self._key(key),
                Config=self._transfer,
                Callback=on_bytes,
            )

    def put_text(self, key: str, text: str) -> None:
        with self._s3_call(key):
            self._s3.put_object(Bucket=self.bucket, Key=self._key(key), Body=text.encode("utf-8"))

    def read_text(self, key: str) -> str:
        with self._s3_call(key):
            body = self._s3.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            return body.read().decode("utf-8")

    def get_file(self, key: str, local_path: Path) -> None:
        local_path.parent.mkdir(parents=True, exist_ok=True)
        with self._s3_call(key):
            self._s3.download_file(self.bucket, self._key(key), str(local_path))

    def list(self, prefix: str) -> list[str]:
        keys: list[str] = []
        strip = len(self.prefix) + 1 if self.prefix else 0
        paginator = self._s3.get_paginator("list_objects_v2")
        with self._s3_call(prefix):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self._key(prefix)):
                # Files only, as a local listing: no `folder/` directory markers (S3A and
                # the S3 console write them).
                keys.extend(
                    o["Key"][strip:] for o in page.get("Contents", []) if not o["Key"].endswith("/")
                )
        return sorted(keys)

    def delete(self, key: str) -> None:
        with self._s3_call(key):
            self._s3.delete_object(Bucket=self.bucket, Key=self._key(key))

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    # Conditional writes (S3's If-None-Match / If-Match), for the lake's lock.
    def put_text_if(
        self, key: str, text: str, if_none_match: bool = False, if_match: str | None = None
    ) -> str | None:
        """Write only if the object is absent (`if_none_match`) or still has ETag
        `if_match`; returns the new ETag, or None when the condition did not hold."""
        from botocore.exceptions import ClientError

        conditions = {"IfNoneMatch": "*"} if if_none_match else {"IfMatch": if_match}
        with self._s3_call(key):
            try:
                answer = self._s3.put_object(
                    Bucket=self.bucket, Key=self._key(key), Body=text.encode(), **conditions
                )
            except ClientError as exc:
                if _precondition(exc):
                    return None
                raise
        return answer["ETag"]

    def head_with_time(self, key: str) -> tuple[str, datetime, datetime] | None:
        """(ETag, LastModified, S3's own time now) of an object, None when absent."""
        from email.utils import parsedate_to_datetime

        from botocore.exceptions import ClientError

        try:
            answer = self._s3.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        server_now = parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"])
        return answer["ETag"], answer["LastModified"], server_now

    def delete_if(self, key: str, etag: str) -> bool:
        """Delete the object only while it still has ETag `etag`."""
        from botocore.exceptions import ClientError

        try:
            self._s3.delete_object(Bucket=self.bucket, Key=self._key(key), IfMatch=etag)
        except ClientError as exc:
            if _precondition(exc):
                return False
            raise
        return True


def _precondition(exc) -> bool:
    """An S3 refusal because a condition did not hold (412, or 409 for a concurrent one)."""
    code = exc.response.get("Error", {}).get("Code")
    return code in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409")


def copy_prefix(source: Store, dest: Store, prefix: str, workers: int = 8) -> int:
    """Every object under `prefix` from one store to the same keys in another (a local
    lake to S3 or back), `workers` at a time; returns how many."""
    from concurrent.futures import ThreadPoolExecutor

    keys = source.list(prefix)
    with tempfile.TemporaryDirectory(prefix="lake-copy-") as tmp:

        def copy(numbered: tuple[int, str]) -> None:
            local = Path(tmp) / str(numbered[0])
            source.get_file(numbered[1], local)
            dest.put_file(local, numbered[1])
            local.unlink()

        # Each copy waits on a request; boto3's clients are safe to share between threads.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(copy, enumerate(keys)))
    return len(keys)
