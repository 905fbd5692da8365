"""Land raw files into the raw zone, unmodified, with a manifest per file.

Accepts a folder or a `.zip` (the Kaggle download as it comes, or the generator's
output). What it recognises:
  <name>.csv at the top            an Olist, clickstream or catalog file by its name
  .../year=Y/month=M/day=D/hour=H/*.gz   the clickstream's Firehose feed (JSON lines)

Every file is checked before anything is written (known name, exact header, UTF-8, not
empty, gzip complete), so a bad delivery lands nothing. Manifests are keyed by the
file's sha256: a file whose bytes were already landed is recorded as a no-op and never
landed twice. Where files and manifests go is `lakecore.layout`; the manifest type and
its index are `lakecore.manifest`.

A landing killed half-way is finished by delivering the same files again: a file whose
bytes are at its key with no manifest (killed before its manifest) is recorded as
landed, and a manifest no index lists (killed before the run's index) is indexed by the
rerun, so the cleaning job's reconciliation counts every landed row.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath

from lakecore import layout, manifest
from lakecore.contract import (
    CLICKSTREAM,
    DATASETS,
    OLIST_DATASETS,
    STREAM_ENTITY,
    Dataset,
    dataset_for_file,
)
from lakecore.errors import PipelineError
from lakecore.manifest import Manifest
from lakecore.storage import Store

STREAM_PATH = re.compile(r"(?:^|/)(year=\d{4}/month=\d{2}/day=\d{2}/hour=\d{2})/([^/]+\.gz)$")


@dataclass(frozen=True)
class RawFile:
    """One file of a delivery, checked and ready to land."""

    relative: str  # path inside the delivery
    path: Path  # local copy
    entity: str
    source: str
    key: str  # where it lands in the lake
    sha256: str
    bytes: int
    rows: int


class Progress:
    """Progress hooks; the CLI passes a rich progress display, tests pass nothing."""

    def checked(self, name: str, rows: int) -> None: ...
    def start_landing(self, total_bytes: int) -> None: ...
    def landed_bytes(self, n: int) -> None: ...
    def landed(self, name: str, status: str) -> None: ...


def _is_delivery_file(relative: str) -> bool:
    top_level_csv = "/" not in relative.strip("/") and relative.endswith(".csv")
    return top_level_csv or bool(STREAM_PATH.search(relative))


@contextmanager
def _delivery(source: Path) -> Iterator[dict[str, Path]]:
    """Relative path -> local path of every file in a folder or zip."""
    if not source.exists():
        raise PipelineError(
            f"{source}: no such file or folder; pass the Olist download folder or zip"
        )
    if source.is_dir():
        files = {
            p.relative_to(source).as_posix(): p
            for p in sorted(source.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }
        yield files
        return
    if not zipfile.is_zipfile(source):
        raise PipelineError(f"{source}: not a folder or a zip file")
    with zipfile.ZipFile(source) as zf, tempfile.TemporaryDirectory() as tmp:
        found: dict[str, Path] = {}
        for info in zf.infolist():
            if info.is_dir():
                continue
            rel = PurePosixPath(info.filename).as_posix()
            if rel.startswith("/") or ".." in PurePosixPath(rel).parts or "\\" in rel:
                raise PipelineError(
                    f"{source}: member {info.filename!r} points outside the zip's folder "
                    "(an absolute path, '..' or a backslash); nothing was landed: "
                    "re-create the zip from the delivery's folder"
                )
            if not _is_delivery_file(rel) or (
                rel.endswith(".csv") and dataset_for_file(PurePosixPath(rel).name) is None
            ):
                raise PipelineError(
                    f"{source}: unexpected member {info.filename!r}; the zip should hold "
                    "only the Olist CSV files (and optionally the clickstream, catalog and Walmart files)"
                )
            target = Path(tmp) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            found[rel] = target
        yield found


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _stored_sha256(store: Store, key: str) -> str:
    """The sha256 of a file already in the lake (read back: a local copy, or S3's bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "stored"
        store.get_file(key, local)
        return _sha256(local)[0]


def _refuse_another_datasets_file(path: Path, ds: Dataset, header: tuple[str, ...]) -> None:
    """A file named as one dataset's that has another dataset's exact header: the wrong
    dataset delivered under this name (another source's `events.csv`, say)."""
    for other in DATASETS.values():
        if other is not ds and other.header == header:
            raise PipelineError(
                f"{path.name}: this is {other.source} {other.entity} data (the header of "
                f"{other.file_name}), not {ds.source} {ds.entity}; deliver it as "
                f"{other.file_name}, or deliver {ds.source}'s own {path.name}"
            )


def check_csv(path: Path, ds: Dataset) -> int:
    """Validate a raw CSV against its contract; return its number of data rows."""
    if path.stat().st_size == 0:
        raise PipelineError(f"{path.name}: file is empty; re-export it with its header row")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise PipelineError(f"{path.name}: file has no header row")
            if tuple(header) != ds.header:
                _refuse_another_datasets_file(path, ds, tuple(header))
                missing = [c for c in ds.header if c not in header]
                extra = [c for c in header if c not in ds.header]
                detail = []
                if missing:
                    detail.append(f"missing column(s) {', '.join(missing)}")
                if extra:
                    detail.append(f"unexpected column(s) {', '.join(extra)}")
                if not detail:
                    detail.append("columns out of order")
                raise PipelineError(
                    f"{path.name}: wrong header ({'; '.join(detail)}); expected "
                    f"{','.join(ds.header)}"
                )
            return sum(1 for _ in reader)
    except UnicodeDecodeError as exc:
        raise PipelineError(
            f"{path.name}: not valid UTF-8 near byte {exc.start}; re-save the file as UTF-8"
        ) from None
    except csv.Error as exc:
        raise PipelineError(f"{path.name}: not a readable CSV ({exc})") from None


def check_stream_file(path: Path, relative: str) -> int:
    """A Firehose object must be a complete gzip of UTF-8 text; returns its lines.
    Malformed JSON lines are not rejected here: cleaning quarantines them one by one."""
    if path.stat().st_size == 0:
        raise PipelineError(f"{relative}: file is empty; the stream never writes empty objects")
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            return sum(1 for line in fh if line.strip())
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise PipelineError(
            f"{relative}: truncated or corrupt gzip ({exc}); download the object again"
        ) from None
    except UnicodeDecodeError as exc:
        raise PipelineError(f"{relative}: not valid UTF-8 near byte {exc.start}") from None


def _check(relative: str, path: Path, day: str) -> RawFile:
    stream = STREAM_PATH.search(relative)
    sha, size = _sha256(path)
    if stream:
        rows = check_stream_file(path, relative)
        key = layout.stream_key(stream.group(1), stream.group(2))
        return RawFile(relative, path, STREAM_ENTITY, CLICKSTREAM, key, sha, size, rows)
    ds = dataset_for_file(path.name)
    assert ds is not None
    rows = check_csv(path, ds)
    return RawFile(
        relative, path, ds.entity, ds.source, layout.raw_key(ds, day, path.name), sha, size, rows
    )


def _check_whole(source: Path, names: set[str]) -> None:
    """A delivery brings each download whole: the Olist download's 9 files together, and
    a file split in parts (Retailrocket's item properties) with all its parts. A source
    delivered alone (the Walmart file, the catalog feed) needs no other."""
    if names & {d.file_name for d in OLIST_DATASETS}:
        missing = [d.file_name for d in OLIST_DATASETS if d.file_name not in names]
        if missing:
            raise PipelineError(
                f"{source}: missing raw file(s) {', '.join(missing)}; "
                "the Olist download has 9 CSV files"
            )
    for ds in DATASETS.values():
        parts = set(ds.file_names)
        if len(parts) > 1 and names & parts and not parts <= names:
            raise PipelineError(
                f"{source}: {', '.join(sorted(parts - names))} missing; {ds.entity} comes "
                f"in {len(parts)} parts ({', '.join(ds.file_names)}): deliver them together "
                "(or pass --partial for a delivery of some files only)"
            )


def _refuse_unknown_files(source: Path, files: dict[str, Path]) -> None:
    unknown = [
        rel
        for rel in files
        if not _is_delivery_file(rel)
        or (rel.endswith(".csv") and dataset_for_file(Path(rel).name) is None)
    ]
    if unknown:
        raise PipelineError(
            f"{source}: unexpected file(s) {', '.join(unknown[:5])}; expected only "
            + ", ".join(n for d in DATASETS.values() for n in d.file_names)
            + " and the clickstream feed under year=/month=/day=/hour="
        )


def _plan(store: Store, checked: list[RawFile]) -> tuple[list[tuple[RawFile, str, str]], list]:
    """What landing does with each checked file, decided before anything is written:
    (file, status, key), and the manifests landed by a run killed before its index."""
    plan: list[tuple[RawFile, str, str]] = []
    indexed = manifest.landed_rows(store)
    unindexed: list[Manifest] = []
    for f in checked:
        earlier = manifest.landed_before(store, f.entity, f.sha256)
        if earlier is not None:
            plan.append((f, "already_landed", earlier.key))
            if earlier.key not in indexed:
                unindexed.append(earlier)
        elif store.exists(f.key) and _stored_sha256(store, f.key) == f.sha256:
            plan.append((f, "landed_before_its_manifest", f.key))
        elif store.exists(f.key):
            raise PipelineError(
                f"{f.relative}: a different file was already landed today at {f.key}; "
                "deliver corrections on another day (--ingest-date) or remove the old file"
            )
        else:
            plan.append((f, "landed", f.key))
    return plan, unindexed


def ingest(
    source: Path,
    store: Store,
    ingest_date: date | None = None,
    require_whole: bool = True,  # see _check_whole; False: a partial delivery
    progress: Progress | None = None,
) -> list[Manifest]:
    """Validate every file of a delivery, then land the new ones and write manifests."""
    day = (ingest_date or datetime.now(UTC).date()).isoformat()
    hooks = progress or Progress()
    with _delivery(source) as files:
        _refuse_unknown_files(source, files)
        if require_whole:
            _check_whole(source, {Path(rel).name for rel in files})
        checked: list[RawFile] = []
        for rel, path in files.items():
            checked.append(_check(rel, path, day))
            hooks.checked(rel, checked[-1].rows)
        plan, unindexed = _plan(store, checked)
        hooks.start_landing(sum(f.bytes for f, status, _ in plan if status == "landed"))
        manifests = []
        now = datetime.now(UTC)
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        for f, status, key in plan:
            if status == "landed":
                store.put_file(f.path, key, on_bytes=hooks.landed_bytes)
            elif status == "landed_before_its_manifest":
                status = "landed"  # the bytes are there: only the manifest is missing
            m = Manifest(
                file_name=Path(f.relative).name,
                entity=f.entity,
                source=f.source,
                key=key,
                sha256=f.sha256,
                bytes=f.bytes,
                rows=f.rows,
                source_path=str(source / f.relative) if source.is_dir() else str(source),
                ingest_date=day,
                landed_at=now.isoformat(timespec="seconds"),
                status=status,
            )
            manifest.write(store, m, stamp)
            manifests.append(m)
            hooks.landed(f.relative, status)
        manifest.write_index(
            store, stamp, [m for m in manifests if m.status == "landed"] + unindexed
        )
    return manifests
