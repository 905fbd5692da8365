"""Every resource type the templates use, and how the local deployment creates, completes
and checks it (`deployment.kind.Kind`), by stack: `kinds_storage`,
`kinds_pipeline`, `kinds_streaming`.

A type missing here fails the local deployment before anything is created (and a test
fails first): a template cannot gain a resource that nothing deploys or checks.
"""

from __future__ import annotations

from deployment import kinds_pipeline, kinds_storage, kinds_streaming
from deployment.kind import Clients, Kind, client_factory, missing

KINDS: dict[str, Kind] = {**kinds_storage.KINDS, **kinds_pipeline.KINDS, **kinds_streaming.KINDS}

__all__ = ["KINDS", "Clients", "Kind", "client_factory", "missing"]
