"""Every resource type the templates use: how to create it through its own API when
moto's CloudFormation skips it, what moto's CloudFormation leaves out of the ones it
creates, and how to read each back to check it against the template.

Each `Kind` maps the template's properties to the shape the service's API returns
(`expected`), and reads the deployed resource in that shape (`actual`); the check is that
everything expected is there (`missing`). `create` (types moto skips) and `settle`
(settings moto ignores on types it creates) send exactly `expected`'s request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Clients = Callable[[str], Any]  # service name -> boto3 client


def client_factory(session: Any, endpoint_url: str | None = None) -> Clients:
    """One client per service from a boto3 session (pointed at `endpoint_url`: moto)."""
    cache: dict[str, Any] = {}

    def clients(service: str) -> Any:
        if service not in cache:
            cache[service] = session.client(service, endpoint_url=endpoint_url)
        return cache[service]

    return clients


@dataclass(frozen=True)
class Kind:
    expected: Callable[[dict], dict]
    actual: Callable[[Clients, str], dict]
    create: Callable[[Clients, str, dict], str] | None = None  # moto skips the type
    settle: Callable[[Clients, str, dict], None] | None = None  # moto ignores settings
    # Fields moto's API does not keep, so they cannot be read back (listed, not checked).
    unkept: tuple[str, ...] = ()
    # Fn::GetAtt <resource>.Arn of a deployed resource, from its physical id.
    arn: Callable[[Clients, str], str] | None = None

    @property
    def native(self) -> bool:
        return self.create is None


def missing(expected: Any, actual: Any, path: str = "") -> list[str]:
    """What of `expected` is not in `actual` (extra fields in `actual` are fine; numbers
    and booleans compare as text, as CloudFormation passes parameters)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path or '.'}: expected an object, found {actual!r}"]
        out = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(missing(value, actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items, found {actual!r}"]
        return [
            m
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for m in missing(e, a, f"{path}[{i}]")
        ]
    if str(expected).lower() != str(actual).lower():
        return [f"{path}: expected {expected!r}, found {actual!r}"]
    return []


def camel(value: Any) -> Any:
    """CloudFormation's PascalCase keys -> the camelCase of APIs such as CodeBuild's."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def as_json(document: Any) -> dict:
    return json.loads(document) if isinstance(document, str) else document


def tags(props: dict) -> dict[str, str]:
    tags = props.get("Tags") or {}
    return {t["Key"]: t["Value"] for t in tags} if isinstance(tags, list) else dict(tags)


def same(p: dict) -> dict:
    return p
