"""One run at a time per lake: a lock at `_audit/lock` that every writing stage holds.

    with lock.hold(lake, "clean"):
        ...   # a second run on the same lake raises LakeBusy naming this one

- Local lake: an exclusive `flock` on the lock file, which also holds who has it
  (command, host, pid, since). The kernel releases it when the process ends, killed or
  not, so a stale lock is taken over by the next run with no further check.
- S3 lake: the lock object is created with a conditional put (`If-None-Match: *`): of
  two runs, exactly one creates it. It carries a lease: the holder renews it (a
  conditional put on its own ETag) every third of the lease; a run finding a lock whose
  last renewal is older than the lease (measured on S3's clock: the object's
  LastModified against the Date of S3's answer) takes it over with a put conditional on
  that stale ETag, so of two runs taking over, one wins. The holder deletes it at the
  end (conditional on its ETag: never another run's lock).
- Held once per process and lake: stages called inside a held lock (the demo holds it
  for all of them) do not lock again.

A lock whose lease was taken over while its holder still ran (renewals failing for a
whole lease) makes the holder raise at the end, naming the run that took it.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from lakecore import layout
from lakecore.errors import PipelineError
from lakecore.lake import Lake
from lakecore.storage import S3Store

LEASE_SECONDS = 300.0
_held: dict[str, int] = {}  # lake root -> depth of nested holds in this process
_held_guard = threading.Lock()


class LakeBusy(PipelineError):
    """Another run holds the lake."""


@dataclass(frozen=True)
class Holder:
    command: str
    host: str
    pid: int
    user: str
    since: str  # ISO time, UTC
    token: str  # unique per run

    @classmethod
    def me(cls, command: str) -> Holder:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "?"
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return cls(command, socket.gethostname(), os.getpid(), user, now, uuid.uuid4().hex)

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid} on {self.host}, user {self.user}, since {self.since})"


def _busy(lake: Lake, text: str) -> LakeBusy:
    return LakeBusy(
        f"{lake.uri(layout.LOCK)}: the lake is in use by {text}; wait for it to finish "
        "(one run at a time per lake), or stop that run"
    )


def _parse(text: str) -> Holder | None:
    try:
        data = json.loads(text)
        return Holder(**{k: data[k] for k in Holder.__dataclass_fields__})
    except (ValueError, TypeError, KeyError):
        return None


def _lease_seconds(text: str, default: float) -> float:
    try:
        return float(json.loads(text)["lease_seconds"])
    except (ValueError, TypeError, KeyError):
        return default


@contextlib.contextmanager
def hold(lake: Lake, command: str, lease: float = LEASE_SECONDS) -> Iterator[None]:
    """Hold the lake's lock for the block (see the module's docstring)."""
    with _held_guard:
        depth = _held.get(lake.root, 0)
        _held[lake.root] = depth + 1
    try:
        if depth:
            yield
            return
        me = Holder.me(command)
        if isinstance(lake.store, S3Store):
            with _hold_s3(lake, lake.store, me, lease):
                yield
        else:
            with _hold_local(lake, me):
                yield
    finally:
        with _held_guard:
            _held[lake.root] -= 1
            if not _held[lake.root]:
                del _held[lake.root]


@contextlib.contextmanager
def _hold_local(lake: Lake, me: Holder) -> Iterator[None]:
    import fcntl

    path = os.path.join(lake.root, layout.LOCK)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = _parse(fh.read())
            raise _busy(lake, holder.describe() if holder else "another run") from None
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(asdict(me)))
            fh.flush()
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)


class _Lease:
    """The S3 lock object of one run: created or taken over, renewed, deleted."""

    def __init__(self, lake: Lake, store: S3Store, me: Holder, lease: float):
        self.lake, self.store, self.me, self.lease = lake, store, me, lease
        self.key = layout.LOCK
        self.body = json.dumps({**asdict(me), "lease_seconds": lease})
        self.etag: str | None = None
        self.lost: str | None = None

    def acquire(self) -> None:
        self.etag = self.store.put_text_if(self.key, self.body, if_none_match=True)
        if self.etag:
            return
        found = self.store.head_with_time(self.key)
        if found is None:  # deleted in between: one more try
            self.etag = self.store.put_text_if(self.key, self.body, if_none_match=True)
            if self.etag:
                return
            raise _busy(self.lake, "another run that just started")
        etag, modified, server_now = found
        text = self.store.read_text(self.key)
        holder = _parse(text)
        expires = modified + timedelta(seconds=_lease_seconds(text, self.lease))
        if holder and server_now < expires:
            left = (expires - server_now).total_seconds()
            raise _busy(self.lake, f"{holder.describe()}; its lease runs {left:.0f} s more")
        # Stale (its holder stopped renewing for a whole lease), or not a lock this code
        # wrote (a copy of a lake's _audit/): take it over.
        self.etag = self.store.put_text_if(self.key, self.body, if_match=etag)
        if not self.etag:
            raise _busy(self.lake, "another run that took over the same stale lock")

    def renew(self) -> bool:
        etag = self.store.put_text_if(self.key, self.body, if_match=self.etag)
        if etag is None:
            holder = _parse(self.store.read_text(self.key)) if self.store.exists(self.key) else None
            self.lost = holder.describe() if holder else "nobody (the lock was deleted)"
            return False
        self.etag = etag
        return True

    def release(self) -> None:
        if self.etag and not self.lost:
            self.store.delete_if(self.key, self.etag)


@contextlib.contextmanager
def _hold_s3(lake: Lake, store: S3Store, me: Holder, lease: float) -> Iterator[None]:
    held = _Lease(lake, store, me, lease)
    held.acquire()
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease / 3):
            if not held.renew():
                return

    renewer = threading.Thread(target=renew, name="lake-lock-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        held.release()
    if held.lost:
        raise LakeBusy(
            f"{lake.uri(layout.LOCK)}: this run's lease was taken over by {held.lost} "
            "while it ran (renewals failed for a whole lease); check both runs' results"
        )
