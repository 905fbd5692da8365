"""The dbt project's own rules, checked on the parsed manifest (no warehouse needed):
every model and column is described, every model has a primary-key test, every enum
column of a model is tested with accepted_values (with the contract's values), the
sources read the lake's layout, and the core marts have enforced contracts."""

import csv
from pathlib import Path

import pytest

from lakecore import layout
from lakecore.contract import DATASETS, EVENT_TYPES, RETAILROCKET_EVENT_TYPES
from lakecore.lake import Lake
from lakehouse import dq_results
from lakehouse.dbt_manifest import models as _models
from lakehouse.dbt_manifest import primary_key
from lakehouse.dbt_manifest import tests_by_model as _tests_by_model
from lakehouse.dbt_runner import DEFAULT_SCHEMA, Dbt
from tests.python.conftest import PROJECT_DIR

ENUMS = {"order_status", "payment_type", "event_type", "device_type", "traffic_source", "region"}


@pytest.fixture(scope="module")
def parse_lake(tmp_path_factory) -> Lake:
    """The (empty) lake the project is parsed against."""
    return Lake.open(str(tmp_path_factory.mktemp("dbt_target")))


@pytest.fixture(scope="module")
def manifest(parse_lake) -> dict:
    dbt = Dbt(parse_lake, target_path=Path(parse_lake.root))
    result = dbt.invoke(["parse"])
    assert result.success, result.exception
    return dbt.manifest()


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


def _seed_values() -> dict[str, list[set[str]]]:
    """Seed column -> its values in each seed file that has it."""
    values: dict[str, list[set[str]]] = {}
    for path in sorted((PROJECT_DIR / "seeds").glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        for column in rows[0]:
            values.setdefault(column, []).append({row[column] for row in rows})
    return values


def test_accepted_values_are_the_contracts(manifest):
    """Allowed values are typed once: every accepted_values list on a column the dataset
    contract enumerates equals the contract's values (of one of the datasets: the
    clickstream's and Retailrocket's `event_type` differ), and one on a column a seed
    defines (region, funnel step) equals one seed's (plus the unknown member's label)."""
    contract: dict[str, list[set[str]]] = {}
    for ds in DATASETS.values():
        for column, allowed in ds.enums.items():
            contract.setdefault(column, []).append(set(allowed))
    seeds = _seed_values()
    compared, wrong = 0, []
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata") or {}
        if meta.get("name") != "accepted_values":
            continue
        column = node["column_name"]
        values = {str(v) for v in meta["kwargs"]["values"]}
        seed_column = next((c for c in seeds if column == c or column.endswith(f"_{c}")), None)
        if column in contract:
            expected = contract[column]
        elif seed_column:
            expected, values = seeds[seed_column], values - {"Unknown"}
        else:
            continue  # a value set the model itself defines (segments, buckets, classes)
        compared += 1
        if values not in expected:
            wrong.append(f"{node['name']}: {sorted(values)} is none of {expected}")
    assert not wrong, "\n".join(wrong)
    assert compared >= 15  # the checker did find the lists it is about
    # The funnel seeds map every event type of their feed.
    assert set(EVENT_TYPES) in seeds["event_type"]
    assert set(RETAILROCKET_EVENT_TYPES) in seeds["event_type"]


def test_sources_read_the_lake_layout(manifest, parse_lake):
    """DuckDB reads each cleaned table where the cleaning job writes it, and the run log
    where the job appends it (lakecore.layout), under the lake dbt runs on; the
    data-quality results are the warehouse table lakehouse.dq_results loads, and the
    incremental windows the table macros/testing/rebuilt_rows.sql appends to."""
    audit_tables = {
        dq_results.relation(DEFAULT_SCHEMA),
        f"{DEFAULT_SCHEMA}_audit.incremental_windows",
    }
    for source in manifest["sources"].values():
        if source["source_name"] == "lakehouse_quality":
            relation = f"{source['schema']}.{source['name']}"
            assert relation in audit_tables, relation
            continue
        # dbt-duckdb fills the source's attributes into the template when it reads.
        location = source["config"]["meta"]["external_location"].replace("{name}", source["name"])
        prefix = (
            layout.RUN_LOG
            if source["source_name"] == "lakehouse_audit"
            else layout.cleaned_prefix(source["name"])
        )
        assert f"'{parse_lake.uri(prefix)}/" in location, (source["unique_id"], location)


def test_the_severity_policy_holds(manifest):
    """Invariants (keys, row accounting, integrity, domains) fail the build; tolerance
    expectations (payments vs totals, unknown-member shares, recency) are tagged
    `tolerance` and warn, failing only past their breakage threshold."""
    tolerance, invariants = [], []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        (tolerance if "tolerance" in node["config"]["tags"] else invariants).append(node)
    names = {(n.get("test_metadata") or {}).get("name") or n["name"] for n in tolerance}
    assert names == {"unknown_member_share", "assert_payments_match_item_totals", "recency"}
    for node in tolerance:
        config = node["config"]
        warns_first = (config["warn_if"], config["error_if"]) == (">=1", ">=2")
        assert warns_first or config["severity"] == "warn", node["unique_id"]
    assert len(invariants) > 300
    for node in invariants:
        config = node["config"]
        assert config["severity"].lower() == "error", node["unique_id"]
        assert (config["warn_if"], config["error_if"]) == ("!= 0", "!= 0"), node["unique_id"]


@pytest.mark.parametrize(
    ("var", "value", "model"),
    [
        ("feature_cutoff_date", "2018-07-01' as date) union all select 'x", "ml_customer_features"),
        ("session_timeout_minutes", "30 or 1=1", "int_events_sessionized"),
    ],
)
def test_sql_built_from_vars_cannot_inject(parse_lake, tmp_path, var, value, model):
    """A `--vars` value reaches SQL only as the number or date it must be (macros
    integer_var and date_var; event_lookback_days goes through integer_var too): anything
    else stops dbt with the line naming the var, and no SQL is written."""
    import yaml

    from lakecore.errors import PipelineError

    dbt = Dbt(parse_lake, target_path=tmp_path / "target")
    vars_arg = yaml.safe_dump({var: value}, default_flow_style=True).strip()
    with pytest.raises(PipelineError, match=f"var {var} must be a"):
        dbt.invoke(["compile", "--select", model, "--vars", vars_arg])
    assert not list((tmp_path / "target").rglob("compiled/**/*.sql"))
    # The project's own values compile.
    assert dbt.invoke(["compile", "--select", model]).success


def test_the_clis_settings_reach_dbt_as_vars_beside_the_users(parse_lake, tmp_path, monkeypatch):
    """dbt gets the lake root and the schema prefix as vars (never through the
    environment), in one `--vars` with the ones a user gives: both reach the compiled
    SQL, and win over the environment variables dbt run by hand falls back to."""
    monkeypatch.setenv("LAKEHOUSE_LAKE_ROOT", str(tmp_path / "not-this-lake"))
    monkeypatch.setenv("DBT_SCHEMA", "not_this_schema")
    dbt = Dbt(parse_lake, schema="ci_vars", target_path=tmp_path / "target")
    cutoff = "--vars", "{feature_cutoff_date: '2017-11-30'}"
    assert dbt.invoke(["compile", "--select", "ml_customer_features", *cutoff]).success
    node = _models(dbt.manifest())["ml_customer_features"]
    assert node["schema"] == "ci_vars_ml"
    (sql,) = (tmp_path / "target" / "compiled").rglob("ml_customer_features.sql")
    text = sql.read_text()
    assert "2017-11-30" in text
    assert "not-this-lake" not in text and "not_this_schema" not in text
    # The sources read the lake, and the run log the schema set, the CLI gave.
    sources = {s["name"]: s for s in dbt.manifest()["sources"].values()}
    assert f"'{parse_lake.root}/" in sources["orders"]["config"]["meta"]["external_location"]
    assert sources["dq_results"]["schema"] == "ci_vars_audit"


def test_the_athena_schema_prefix_is_the_profiles():
    """lakehouse.publish names the Athena schema sets from the profile's default prefix."""
    from lakehouse import publish

    profile = (PROJECT_DIR / "profiles.example.yml").read_text()
    assert f"env_var('ATHENA_SCHEMA', '{publish.ATHENA_SCHEMA_DEFAULT}')" in profile


def _ratio_metrics(manifest) -> set[str]:
    return {m["name"] for m in manifest["metrics"].values() if m["type"] == "ratio"}


def test_the_dashboard_computes_no_metric_the_semantic_layer_defines(manifest):
    """One definition per metric: the semantic layer's ratio metrics (conversion rate,
    late delivery rate, average order value) are computed by the macros of
    macros/marts/metrics.sql in the marts, and the dashboard reads those columns. Its
    queries divide nothing and name no ratio metric but as a plain column; additive
    measures (revenue, counts) may be summed over a dimension."""
    import sqlglot
    from sqlglot import exp

    from lakehouse.dashboard import QUERIES

    ratios = _ratio_metrics(manifest)
    assert ratios >= {"conversion_rate", "late_delivery_rate", "average_order_value"}
    computed = []
    for name, sql in QUERIES.items():
        tree = sqlglot.parse_one(sql.format_map({k: k for k in _names(sql)}), read="duckdb")
        for select in tree.find_all(exp.Select):
            for projection in select.expressions:
                inner = projection.this if isinstance(projection, exp.Alias) else projection
                named = any(r in projection.alias_or_name for r in ratios)
                if inner.find(exp.Div) or (named and not isinstance(inner, exp.Column)):
                    computed.append(f"{name}: {projection.sql()}")
    assert not computed, computed


def _names(sql: str) -> set[str]:
    import re

    return set(re.findall(r"\{(\w+)\}", sql))


# Macros of macros/marts/metrics.sql that build a whole mart with the metric macros.
COMPOSITE_MACROS = ("web_conversion_by", "delivery_performance")
OTHER_DATASETS = ("retailrocket", "walmart")


def test_the_marts_compute_each_ratio_metric_through_its_macro(manifest):
    """Every mart column named after a ratio metric is the macro of that name. The
    semantic layer is the Olist star's: the Retailrocket and Walmart marts (other
    datasets, other definitions) are not its consumers."""
    ratios = _ratio_metrics(manifest)
    models = _models(manifest)
    found, wrong = 0, []
    for name, node in models.items():
        if not node["path"].startswith("marts") or node["group"] in OTHER_DATASETS:
            continue
        raw = node["raw_code"]  # the model's own SQL: a macro it calls, by name
        for column in node["columns"]:
            metric = next((r for r in ratios if r in column), None)
            if metric is None:
                continue
            found += 1
            uses = f"{metric}(" in raw or any(f"{m}(" in raw for m in COMPOSITE_MACROS)
            if not uses:
                wrong.append(f"{name}.{column}")
    assert not wrong, f"not through the metric's macro: {wrong}"
    assert found >= 6


def test_the_dashboard_exposure_lists_what_the_dashboard_reads(manifest):
    from lakehouse.dashboard import MARTS

    exposure = manifest["exposures"]["exposure.ecom_lakehouse.ecommerce_dashboard"]
    read = set(exposure["depends_on"]["nodes"])
    assert read == {f"model.ecom_lakehouse.{m}" for m in MARTS}


def test_every_model_has_a_group_and_the_published_marts_are_public(manifest):
    groups = {g["name"]: g for g in manifest["groups"].values()}
    assert all(g["owner"].get("name") and g["owner"].get("email") for g in groups.values())
    for name, node in _models(manifest).items():
        assert node["group"] in groups, name
        expected = "public" if node["path"].startswith("marts") else "protected"
        assert node["access"] == expected, name
    exposed = {
        n.split(".")[-1]
        for e in manifest["exposures"].values()
        for n in e["depends_on"]["nodes"]
        if n.startswith("model.")
    }
    assert all(_models(manifest)[m]["access"] == "public" for m in exposed)


def test_dimensions_and_facts_follow_the_naming_rule(manifest):
    """models/docs/overview.md: dim_[<dataset>_]<entity> with the entity singular,
    fct_[<dataset>_]<events> in the plural; the dataset is the mart's folder unless it
    is the Olist star (core)."""
    wrong = []
    for name, node in _models(manifest).items():
        folder = node["path"].split("/")[1] if node["path"].startswith("marts/") else None
        if folder is None or not name.startswith(("dim_", "fct_")):
            continue
        kind, _, rest = name.partition("_")
        if folder in ("retailrocket", "walmart"):
            if not rest.startswith(f"{folder}_"):
                wrong.append(f"{name}: not named for its dataset {folder}")
            rest = rest.removeprefix(f"{folder}_")
        if kind == "dim" and rest.endswith("s") and not rest.endswith("history"):
            wrong.append(f"{name}: a dimension's entity is singular")
        if kind == "fct" and not rest.endswith("s"):
            wrong.append(f"{name}: a fact is named for its events, plural")
    assert not wrong, wrong
