"""The landing manifest: what landing records for every file it receives, and how the
cleaning job reads those records back to check that Spark read every landed row.

Landing writes one JSON manifest per landed file (keyed by the file's sha256, so the same
bytes never land twice), a no-op record when a file arrives again, and one JSON-lines
index per ingest run with that run's landed manifests: the cleaning job reads those few
index files rather than one object per landed file. Both sides use this one type.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Literal

from lakecore import layout
from lakecore.storage import Store

Status = Literal["landed", "already_landed"]


@dataclass(frozen=True)
class Manifest:
    file_name: str
    entity: str
    source: str
    key: str  # where the file lives in the lake (for a no-op: where it landed first)
    sha256: str
    bytes: int
    rows: int  # data rows (CSV) or JSON lines (stream) counted at landing
    source_path: str
    ingest_date: str
    landed_at: str
    status: Status

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(asdict(self), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(**{f.name: data[f.name] for f in fields(cls)})


def write(store: Store, manifest: Manifest, stamp: str) -> None:
    """A landed file's manifest, or the no-op record of a file delivered again. Written
    after the file itself: a manifest always means the file is there."""
    if manifest.status == "landed":
        key = layout.manifest_key(manifest.entity, manifest.sha256)
    else:
        key = layout.noop_manifest_key(manifest.entity, stamp, manifest.sha256)
    store.put_text(key, manifest.to_json(indent=2))


def landed_before(store: Store, entity: str, sha256: str) -> Manifest | None:
    """The manifest of the same bytes landed earlier, if any."""
    key = layout.manifest_key(entity, sha256)
    return Manifest.from_json(store.read_text(key)) if store.exists(key) else None


def write_index(store: Store, stamp: str, landed: list[Manifest]) -> None:
    """One JSON-lines index of the manifests one ingest run landed."""
    if landed:
        store.put_text(
            layout.manifest_index_key(stamp, landed[0].sha256),
            "".join(m.to_json() + "\n" for m in landed),
        )


def landed_rows(store: Store) -> dict[str, int]:
    """Rows the landing manifests counted, per landed file key (empty without manifests)."""
    counted: dict[str, int] = {}
    for key in store.list(f"{layout.MANIFEST_INDEX}/"):
        for line in store.read_text(key).splitlines():
            if line.strip():
                m = Manifest.from_json(line)
                if m.status == "landed":
                    counted[m.key] = m.rows
    return counted


def read_all(store: Store) -> list[Manifest]:
    """Manifests of landed files (not the no-op records, not the indexes)."""
    return [
        Manifest.from_json(store.read_text(k))
        for k in store.list(layout.MANIFESTS)
        if k.endswith(".json") and "/_noop/" not in k and "/_index/" not in k
    ]
