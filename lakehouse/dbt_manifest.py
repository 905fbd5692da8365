"""Reading dbt's manifest.json: the project's models, the tests attached to them, and
each model's primary key as its tests declare it. One definition, used by the PR check
and by the project's own rules (tests/python/test_dbt_project.py)."""

from __future__ import annotations

import json
from pathlib import Path


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def models(manifest: dict) -> dict[str, dict]:
    """Model name -> node."""
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def marts(manifest: dict) -> dict[str, dict]:
    """The marts (the core star and the analytics marts): model name -> node, for every
    model under models/marts/ that builds a relation (not ephemeral). What the curated
    zone exports as Parquet, what Athena publishes as tables and what parity compares."""
    return {
        name: node
        for name, node in models(manifest).items()
        if node["original_file_path"].startswith("models/marts/")
        and node["config"].get("materialized") != "ephemeral"
    }


def descendants(manifest: dict, ids: set[str]) -> set[str]:
    """Every node downstream of `ids` (unique ids), through the manifest's child map."""
    seen: set[str] = set()
    todo = list(ids)
    while todo:
        for child in manifest["child_map"].get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen


def upstream_sources(manifest: dict, node_id: str) -> set[str]:
    """The dbt source names (`olist`, `clickstream`, ...) a node reads, at any depth."""
    found: set[str] = set()
    seen: set[str] = set()
    todo = [node_id]
    while todo:
        for parent in manifest["parent_map"].get(todo.pop(), []):
            if parent in seen:
                continue
            seen.add(parent)
            if parent.startswith("source."):
                found.add(manifest["sources"][parent]["source_name"])
            else:
                todo.append(parent)
    return found


def tests_by_model(manifest: dict) -> dict[str, list[dict]]:
    """Model name -> the data tests attached to it."""
    by_model: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        by_model.setdefault(node["attached_node"].split(".")[-1], []).append(node)
    return by_model


def primary_key(manifest: dict, model: str, tests: dict[str, list[dict]] | None = None):
    """The columns a model's tests declare as its primary key, or None.

    A key is one column tested both `unique` and `not_null` (the first such column in
    the model's column order: the house style puts the key first), else the columns of
    a `unique_combination_of_columns` test."""
    tests = tests_by_model(manifest) if tests is None else tests
    kinds: dict[str, set[str]] = {}
    composite = None
    for t in tests.get(model, []):
        meta = t.get("test_metadata") or {}
        if meta.get("name") == "unique_combination_of_columns":
            composite = list(meta.get("kwargs", {}).get("combination_of_columns") or [])
        if t.get("column_name"):
            kinds.setdefault(t["column_name"], set()).add(meta.get("name", ""))
    keys = [c for c, k in kinds.items() if {"unique", "not_null"} <= k]
    if not keys:
        return composite
    order = list(models(manifest).get(model, {}).get("columns", {}))
    keys.sort(key=lambda c: order.index(c) if c in order else len(order))
    return [keys[0]]
