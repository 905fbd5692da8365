"""Artifacts from Maven Central, downloaded once into the user cache and checked against
the SHA-256 pinned here (the Java side of the project's lock: requirements/ pins the
Python side; `download_checked` serves both). The local AWS twin's Trino and local
Spark's S3 connector come from here:

    ~/.cache/ecom-lakehouse/                      cache_dir()
    ~/.cache/ecom-lakehouse/maven/<group path>/   fetch(): jars, tarballs, zips

LAKEHOUSE_MAVEN_URL points at a mirror when Maven Central is not reachable.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from lakecore.errors import PipelineError

MAVEN = os.environ.get("LAKEHOUSE_MAVEN_URL", "https://repo1.maven.org/maven2")

# Every file the project downloads, by repository path, with its SHA-256 (computed from
# Maven Central's copy, itself checked against the repository's SHA-1). A file not
# listed is refused: a new artifact or version gets its line here in the same change.
PINNED_SHA256 = {
    "io/trino/trino-server-core/476/trino-server-core-476.tar.gz":
        "0f388f9967c177ae70a47c099082fc95387f0c3cb96d8000d1d41fc3a5223158",  # pragma: allowlist secret (a checksum)
    "io/trino/trino-hive/476/trino-hive-476.zip":
        "611bacdb07d9f3cf7b9d47f97ecc76fa2e7ff8bfe8a9728c3d06adc1bfb8662e",  # pragma: allowlist secret (a checksum)
    "io/trino/trino-iceberg/476/trino-iceberg-476.zip":
        "99edba5b491ed94d599aeb61e0794272d3569d8b563f3bb8569e8a49daa87b6c",  # pragma: allowlist secret (a checksum)
    "org/apache/hadoop/hadoop-aws/3.3.4/hadoop-aws-3.3.4.jar":
        "53f9ae03c681a30a50aa17524bd9790ab596b28481858e54efd989a826ed3a4a",  # pragma: allowlist secret (a checksum)
    "com/amazonaws/aws-java-sdk-bundle/1.12.262/aws-java-sdk-bundle-1.12.262.jar":
        "873fe7cf495126619997bec21c44de5d992544aea7e632fdc77adb1a0915bae5",  # pragma: allowlist secret (a checksum)
}  # fmt: skip


def cache_dir() -> Path:
    """The project's cache: downloaded engines, Spark's class-data archive."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ecom-lakehouse"


def artifact_path(coordinate: str) -> str:
    """`group:artifact:version[:ext]` -> the repository path of that file."""
    parts = coordinate.split(":")
    if len(parts) not in (3, 4):
        raise ValueError(f"not a Maven coordinate: {coordinate}")
    group, artifact, version = parts[:3]
    ext = parts[3] if len(parts) == 4 else "jar"
    return f"{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.{ext}"


def download(path: str, dest: Path, needed_for: str) -> None:
    """One repository file to `dest`, checked against its pinned SHA-256."""
    expected = PINNED_SHA256.get(path)
    if expected is None:
        raise PipelineError(
            f"{path}: not pinned in lakecore/maven.py (PINNED_SHA256); add its SHA-256 "
            "there before the project downloads it"
        )
    where = "needs Maven Central once, or set LAKEHOUSE_MAVEN_URL to a mirror"
    download_checked(f"{MAVEN}/{path}", dest, {expected}, f"{needed_for} {where}")


def download_checked(url: str, dest: Path, accepted_sha256: set[str], needed: str) -> None:
    """`url` to `dest`, refused unless its SHA-256 is one of `accepted_sha256` (a pin, or
    a lock's hashes). `needed` completes the line a failed download prints: what needs
    the file and where else to get it."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(dest, "wb") as out:  # nosec B310 # https to Maven Central or http to the twin on loopback, built here
            while chunk := response.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
    except (urllib.error.URLError, OSError) as exc:
        raise PipelineError(f"cannot download {url} ({exc}); {needed}") from None
    if digest.hexdigest() not in accepted_sha256:
        raise PipelineError(
            f"{url}: SHA-256 {digest.hexdigest()} is not the pinned "
            f"{' or '.join(sorted(accepted_sha256))}; the download was cut short or the "
            "file changed: run the command again, and if it persists, the mirror serves "
            "another file"
        )


def fetch(coordinate: str, needed_for: str) -> Path:
    """The cached file of `coordinate`, downloaded on first use. A file gets its final
    name only once complete, so a concurrent reader never sees a partial one."""
    path = artifact_path(coordinate)
    dest = cache_dir() / "maven" / path
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".download-")
    os.close(fd)
    try:
        download(path, Path(tmp), needed_for)
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest
