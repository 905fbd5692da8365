"""Land raw files into the raw zone, unmodified, with a manifest per file.

Accepts a folder or a `.zip` (the Kaggle download as it comes). Every file is checked
before anything is written (known name, exact header, UTF-8, not empty), so a bad
delivery lands nothing. A file whose bytes were already landed is recorded as a no-op,
never landed twice.
"""

from __future__ import annotations

import csv
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from glue_etl.errors import PipelineError
from glue_etl.schemas import DATASETS, OLIST_DATASETS, Dataset, dataset_for_file
from ingestion.storage import Store

MANIFEST_PREFIX = "_audit/manifests"


@dataclass(frozen=True)
class Manifest:
    file_name: str
    entity: str
    source: str
    key: str
    sha256: str
    bytes: int
    rows: int
    source_path: str
    ingest_date: str
    landed_at: str
    status: str  # landed | already_landed


def raw_key(ds: Dataset, ingest_date: str) -> str:
    return f"raw/{ds.source}/{ds.entity}/ingest_date={ingest_date}/{ds.file_name}"


@contextmanager
def _source_files(source: Path) -> Iterator[dict[str, Path]]:
    """Name -> local path of the CSV files in a folder or zip."""
    if not source.exists():
        raise PipelineError(
            f"{source}: no such file or folder; pass the Olist download folder or zip"
        )
    if source.is_dir():
        yield {p.name: p for p in sorted(source.glob("*.csv"))}
        return
    if not zipfile.is_zipfile(source):
        raise PipelineError(f"{source}: not a folder or a zip file")
    with zipfile.ZipFile(source) as zf, tempfile.TemporaryDirectory() as tmp:
        found: dict[str, Path] = {}
        for info in zf.infolist():
            if info.is_dir():
                continue
            name = Path(info.filename).name
            if dataset_for_file(name) is None:
                raise PipelineError(
                    f"{source}: unexpected member {info.filename!r}; the zip should hold "
                    "only the Olist CSV files"
                )
            target = Path(tmp) / name
            with zf.open(info) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            found[name] = target
        yield found


def inspect_file(path: Path, ds: Dataset) -> tuple[str, int, int]:
    """Validate a raw file against its contract; return (sha256, bytes, data rows)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    if size == 0:
        raise PipelineError(f"{path.name}: file is empty; re-export it with its header row")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise PipelineError(f"{path.name}: file has no header row")
            if tuple(header) != ds.header:
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
            rows = sum(1 for _ in reader)
    except UnicodeDecodeError as exc:
        raise PipelineError(
            f"{path.name}: not valid UTF-8 near byte {exc.start}; re-save the file as UTF-8"
        ) from None
    return digest.hexdigest(), size, rows


def _landed_hashes(store: Store) -> dict[str, str]:
    """sha256 -> key of every file already landed, from the manifests."""
    out: dict[str, str] = {}
    for key in store.list(MANIFEST_PREFIX):
        if key.endswith(".json"):
            m = json.loads(store.read_text(key))
            if m.get("status") == "landed":
                out[m["sha256"]] = m["key"]
    return out


def ingest(
    source: Path,
    store: Store,
    ingest_date: date | None = None,
    require_all_olist: bool = True,
    progress=None,
) -> list[Manifest]:
    """Validate every file in `source`, then land the new ones and write manifests."""
    day = (ingest_date or datetime.now(UTC).date()).isoformat()
    with _source_files(source) as files:
        unknown = [n for n in files if dataset_for_file(n) is None]
        if unknown:
            raise PipelineError(
                f"{source}: unexpected file(s) {', '.join(unknown)}; expected only "
                + ", ".join(d.file_name for d in DATASETS.values())
            )
        if require_all_olist:
            missing = [d.file_name for d in OLIST_DATASETS if d.file_name not in files]
            if missing:
                raise PipelineError(
                    f"{source}: missing raw file(s) {', '.join(missing)}; "
                    "the Olist download has 9 CSV files"
                )
        checked = []
        for name, path in files.items():
            ds = dataset_for_file(name)
            assert ds is not None
            sha, size, rows = inspect_file(path, ds)
            checked.append((ds, path, sha, size, rows))
            if progress:
                progress(f"checked {name}: {rows:,} rows")

        already = _landed_hashes(store)
        manifests = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for ds, path, sha, size, rows in checked:
            key = raw_key(ds, day)
            status = "already_landed" if sha in already else "landed"
            if status == "landed":
                store.put_file(path, key)
            else:
                key = already[sha]
            m = Manifest(
                file_name=ds.file_name,
                entity=ds.entity,
                source=ds.source,
                key=key,
                sha256=sha,
                bytes=size,
                rows=rows,
                source_path=str(source),
                ingest_date=day,
                landed_at=now,
                status=status,
            )
            manifest_key = (
                f"{MANIFEST_PREFIX}/{ds.entity}/{sha[:16]}.json"
                if status == "landed"
                else f"{MANIFEST_PREFIX}/_noop/{ds.entity}/{now.replace(':', '')}-{sha[:16]}.json"
            )
            store.put_text(manifest_key, json.dumps(asdict(m), indent=2))
            manifests.append(m)
            if progress:
                progress(f"{status.replace('_', ' ')} {ds.file_name}")
    return manifests


def read_manifests(store: Store) -> list[dict]:
    """Manifests of landed files (not the no-op records)."""
    return [
        json.loads(store.read_text(k))
        for k in store.list(MANIFEST_PREFIX)
        if k.endswith(".json") and "/_noop/" not in k
    ]
