"""The dbt project's own rules, checked on the parsed manifest (no warehouse needed):
every model and column is described, every model has a primary-key test, every enum
column of a model is tested with accepted_values, and the core marts have enforced
contracts."""

import json
import os
import shutil

import pytest

from lakehouse.dbt_manifest import models as _models
from lakehouse.dbt_manifest import primary_key
from lakehouse.dbt_manifest import tests_by_model as _tests_by_model
from tests.python.conftest import PROJECT_DIR

ENUMS = {"order_status", "payment_type", "event_type", "device_type", "traffic_source", "region"}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    from dbt.cli.main import dbtRunner

    target = tmp_path_factory.mktemp("dbt_target")
    profiles = tmp_path_factory.mktemp("profiles")
    shutil.copyfile(PROJECT_DIR / "profiles.example.yml", profiles / "profiles.yml")
    os.environ.setdefault("LAKEHOUSE_LAKE_ROOT", str(target))
    cwd = os.getcwd()
    os.chdir(PROJECT_DIR)
    try:
        result = dbtRunner().invoke(
            ["parse", "--target-path", str(target), "--profiles-dir", str(profiles)]
        )
    finally:
        os.chdir(cwd)
    assert result.success, result.exception
    return json.loads((target / "manifest.json").read_text())


def test_every_model_and_column_is_described(manifest):
    models = _models(manifest)
    undocumented = [m for m, n in models.items() if not n["description"].strip()]
    assert not undocumented
    columns = [(m, c) for m, n in models.items() for c, col in n["columns"].items()]
    blank = [(m, c) for m, c in columns if not models[m]["columns"][c]["description"].strip()]
    assert not blank
    assert len(columns) > 250
    for source in manifest["sources"].values():
        assert source["description"].strip(), source["unique_id"]


def test_every_model_has_a_primary_key_test(manifest):
    tests = _tests_by_model(manifest)
    missing = [m for m in _models(manifest) if primary_key(manifest, m, tests) is None]
    assert not missing
    assert primary_key(manifest, "fct_orders", tests) == ["order_id"]
    assert primary_key(manifest, "fct_order_items", tests) == ["order_item_key"]


def test_enum_columns_have_accepted_values(manifest):
    tests = _tests_by_model(manifest)
    untested = []
    for name, node in _models(manifest).items():
        if name.startswith("int_"):
            continue  # intermediate models inherit the staging tests
        tested = {
            t["column_name"]
            for t in tests.get(name, [])
            if (t.get("test_metadata") or {}).get("name") == "accepted_values"
        }
        untested += [(name, c) for c in node["columns"] if c in ENUMS and c not in tested]
    assert not untested


def test_core_marts_have_enforced_contracts_with_types(manifest):
    core = {n: m for n, m in _models(manifest).items() if m["fqn"][1:3] == ["marts", "core"]}
    assert len(core) == 12
    for name, node in core.items():
        assert node["config"]["contract"]["enforced"], name
        assert all(c["data_type"] for c in node["columns"].values()), name


def test_unit_tests_cover_the_tricky_logic(manifest):
    units = {u["name"]: u["model"] for u in manifest["unit_tests"].values()}
    assert set(units.values()) >= {
        "fct_orders",
        "int_orders_aggregated",
        "int_events_sessionized",
        "fct_order_items",
        "ml_customer_features",
    }


def test_semantic_layer_defines_the_business_metrics(manifest):
    metrics = {m["name"]: m for m in manifest["metrics"].values()}
    assert {"revenue", "orders", "average_order_value", "conversion_rate"} <= set(metrics)
    assert "late_delivery_rate" in metrics
    assert metrics["conversion_rate"]["type"] == "ratio"
    semantic = {s["name"] for s in manifest["semantic_models"].values()}
    assert {"orders", "sessions"} <= semantic
    assert len(manifest["saved_queries"]) >= 3


def test_every_analytics_mart_has_a_business_rule_test(manifest):
    """Beyond the key: each mart outside core and staging carries at least one test on
    a business rule (a range, an expression, an accepted set, or a reconciliation)."""
    tests = _tests_by_model(manifest)
    singular = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and not n.get("test_metadata")
    ]
    referenced = {d.split(".")[-1] for t in singular for d in t["depends_on"]["nodes"]}
    rules = {"accepted_range", "expression_is_true", "accepted_values", "equal_row_count"}
    marts = [
        n for n, m in _models(manifest).items() if m["fqn"][1] == "marts" and m["fqn"][2] != "core"
    ]
    assert len(marts) >= 17
    missing = [
        m for m in marts
        if m not in referenced
        and not any((t.get("test_metadata") or {}).get("name") in rules for t in tests.get(m, []))
    ]  # fmt: skip
    assert not missing
