"""The whole pipeline on tiny data, in-process with the shared SparkSession:
generate -> ingest -> Spark clean -> dbt build on DuckDB -> dbt docs generate.
Run twice: the second run lands nothing new and every table keeps its rows."""

import hashlib
import json
import shutil
from datetime import timedelta

import duckdb
import pytest
from pyspark.sql import functions as F

from lakecore.errors import PipelineError
from lakecore.lake import Lake
from lakehouse import cli, curated, publish, stages
from lakehouse.dbt_runner import Dbt, summarize
from tests.python.checksums import table_checksum, warehouse_checksums
from tests.python.conftest import (
    TINY_SCALE,
    broken_join_project,
    copy_of,
    dbt_target,
    demo_artefacts,
    project_copy,
)
from tests.python.deliveries import (
    RETAILROCKET_BAD,
    RETAILROCKET_EVENTS,
    RETAILROCKET_PROPERTIES,
    RETAILROCKET_TREE,
    WALMART_GOOD,
    next_day_events,
    retailrocket_download,
    walmart_delivery,
)

pytestmark = [pytest.mark.e2e, pytest.mark.spark]

CORE = [
    "dim_customer",
    "dim_product",
    "dim_seller",
    "dim_geography",
    "dim_date",
    "fct_orders",
    "fct_order_items",
    "fct_payments",
    "fct_reviews",
    "fct_events",
    "fct_sessions",
    "dim_product_history",
]


def _counts(lake) -> dict[str, int]:
    con = duckdb.connect(str(lake / "warehouse.duckdb"))
    try:
        return {m: con.execute(f"select count(*) from main_core.{m}").fetchone()[0] for m in CORE}
    finally:
        con.close()


def test_demo_end_to_end_and_idempotent(spark, demo_lake, tmp_path, capsys):
    """The shared demo lake (`lakehouse demo` on tiny data, seed 11) holds every model,
    and `demo` run again on a copy of it lands nothing and changes no table."""
    lake = copy_of(demo_lake, tmp_path)
    first = _counts(lake)
    assert all(n > 0 for n in first.values()), first

    # The order fact has one row per cleaned order; facts keep every row.
    orders = spark.read.parquet(f"{lake}/cleaned/orders").count()
    assert first["fct_orders"] == orders
    events = spark.read.parquet(f"{lake}/cleaned/events").count()
    assert first["fct_events"] == events

    # The analyses (the showcase queries, on the curated models) compile and run.
    Dbt(Lake.open(str(lake))).invoke(["compile", "--select", "resource_type:analysis"])
    compiled = sorted((dbt_target() / "compiled").rglob("analyses/*.sql"))
    assert len(compiled) >= 9
    con = duckdb.connect(str(lake / "warehouse.duckdb"))
    try:
        for sql in compiled:
            assert con.execute(sql.read_text()).fetchall(), sql.name
    finally:
        con.close()

    # Re-run: same seed, same bytes -> ingestion is a no-op, tables keep their rows. The
    # copy is at another path (the sources' locations changed): dbt builds again.
    generated = demo_lake.parent / "generated"
    args = [
        *("--lake", str(lake), "demo", "--scale", str(TINY_SCALE), "--seed", "11"),
        *("--generated", str(generated)),
    ]
    capsys.readouterr()
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert "rows per model" in out and "tests passed" in out
    assert "14 sources checked" in out  # dbt source freshness, every threshold met
    n_files = sum(1 for p in generated.rglob("*") if p.is_file())
    assert f"0 landed (0 rows), {n_files} already landed" in out
    assert "0 with new raw files" in out and "up to date" not in out
    assert _counts(lake) == first
    assert sum(1 for p in (lake / "raw").rglob("*") if p.is_file()) == n_files

    # dbt built and tested everything; the docs site shows every node's compiled SQL
    # (the docs read the build's manifest instead of compiling again).
    results = json.loads((dbt_target() / "run_results.json").read_text())
    assert {r["status"] for r in results["results"]} <= {"success", "pass", "no-op"}
    manifest = json.loads((dbt_target() / "manifest.json").read_text())
    kinds = ("model", "test", "analysis")
    nodes = [n for n in manifest["nodes"].values() if n["resource_type"] in kinds]
    assert len(nodes) > 300 and all(n.get("compiled_code") for n in nodes)
    catalog = json.loads((dbt_target() / "catalog.json").read_text())
    assert "model.ecom_lakehouse.fct_orders" in catalog["nodes"]

    # Nothing changed since: the build and the docs are reused, the tables are the same
    # file, and the docs site is untouched.
    published = (lake / "warehouse.duckdb").stat().st_ino
    site = {
        f: (dbt_target() / f).read_bytes() for f in ("index.html", "manifest.json", "catalog.json")
    }
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    flat = " ".join(out.split())  # the console wraps long lines
    assert "up to date: nothing changed since the published build" in flat, out[-3000:]
    assert "shows the published build" in flat, out[-3000:]
    assert "tests passed" in out
    assert (lake / "warehouse.duckdb").stat().st_ino == published
    assert {f: (dbt_target() / f).read_bytes() for f in site} == site

    # What would make a build differ is noticed: other dbt arguments, a new cleaning
    # run, an edited model.
    dbt = Dbt(Lake.open(str(lake)))
    assert publish.is_current(dbt, []) is not None
    assert publish.is_current(dbt, ["--select", "fct_orders"]) is None
    new_run = lake / "_audit" / "run_log" / "29990101T000000Z-test-orders.jsonl"
    new_run.write_text("{}\n")
    assert publish.is_current(dbt, []) is None
    new_run.unlink()
    project = project_copy(tmp_path)
    model = project / "models" / "marts" / "core" / "fct_orders.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    assert publish.is_current(Dbt(Lake.open(str(lake)), project), []) is None


def test_dbt_build_reports_test_failures(spark, demo_lake, tmp_path, capsys, monkeypatch):
    """A broken model makes `lakehouse transform` fail with one clear error."""
    lake = copy_of(demo_lake, tmp_path)
    _a_broken_join_fails_a_test(lake, tmp_path)
    # Duplicate an order in the cleaned zone: fct_orders' unique test must catch it.
    df = spark.read.parquet(f"{lake}/cleaned/orders")
    df.unionByName(df.limit(1)).write.mode("overwrite").parquet(f"{tmp_path}/orders_dup")
    spark.read.parquet(f"{tmp_path}/orders_dup").write.mode("overwrite").partitionBy(
        "order_purchase_year_month"
    ).parquet(f"{lake}/cleaned/orders")
    # And a repeated order item with a negative price: composite-key and range tests.
    items = spark.read.parquet(f"{lake}/cleaned/order_items")
    bad = items.limit(1).withColumn("price", F.lit(-1).cast("decimal(12,2)"))
    items.unionByName(bad).write.mode("overwrite").parquet(f"{tmp_path}/items_bad")
    spark.read.parquet(f"{tmp_path}/items_bad").write.mode("overwrite").parquet(
        f"{lake}/cleaned/order_items"
    )
    capsys.readouterr()
    assert cli.main(["--lake", str(lake), "transform"]) == 2
    err = capsys.readouterr().err
    assert "dbt build failed" in err
    results = json.loads((dbt_target() / "run_results.json").read_text())
    failed = {r["unique_id"].split(".")[2] for r in results["results"] if r["status"] == "fail"}
    # The source test fails first; dbt build then skips everything downstream of it.
    expected = {
        "source_unique_olist_orders_order_id",
        "unique_combination_of_columns_stg_olist__order_items_order_id__order_item_number",
        "accepted_range_stg_olist__order_items_price_brl__0",
    }
    assert expected <= failed, failed
    skipped = {r["unique_id"] for r in results["results"] if r["status"] == "skipped"}
    assert "model.ecom_lakehouse.fct_orders" in skipped


def _overpay(spark, lake, tmp_path, share: float) -> None:
    """Triple the payments of about `share` of the orders in the cleaned zone."""
    payments = spark.read.parquet(f"{lake}/cleaned/order_payments")
    odd = F.abs(F.hash("order_id")) % 1000 < int(share * 1000)
    tripled = F.when(odd, F.col("payment_value") * 3).otherwise(F.col("payment_value"))
    out = f"{tmp_path}/payments_{share}"
    payments.withColumn("payment_value", tripled.cast("decimal(12,2)")).write.parquet(out)
    spark.read.parquet(out).write.mode("overwrite").parquet(f"{lake}/cleaned/order_payments")


def test_payments_that_do_not_add_up_warn_and_the_build_goes_on(spark, demo_lake, tmp_path, capsys):
    """The severity policy: a delivery whose payments do not add up for some orders is a
    tolerance breach, recorded as a warning, and every node still builds (it used to
    stop the build and skip everything downstream); past the breakage threshold (a
    lost or broken payment table) the same test fails."""
    lake = copy_of(demo_lake, tmp_path)
    _overpay(spark, lake, tmp_path, 0.05)
    assert cli.main(["--lake", str(lake), "transform"]) == 0
    results = json.loads((dbt_target() / "run_results.json").read_text())["results"]
    status = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    assert status["assert_payments_match_item_totals"] == "warn"
    assert not set(status.values()) & {"skipped", "fail", "error"}  # nothing stopped
    assert "warn" in capsys.readouterr().out.lower()
    _overpay(spark, lake, tmp_path, 0.5)
    dbt = Dbt(Lake.open(str(lake)))
    result = dbt.invoke(["build", "--select", "fct_orders+1", "--exclude", "test_type:unit"])
    failed = {r.node.name for r in result.result.results if str(r.status) == "fail"}
    assert "assert_payments_match_item_totals" in failed


def _a_broken_join_fails_a_test(lake, tmp_path) -> None:
    """With the broken join, a dbt test fails instead of the build passing quietly."""
    project = broken_join_project(tmp_path)
    dbt = Dbt(Lake.open(str(lake)), project, target_path=project / "target")

    def build(*extra: str) -> set[str]:
        result = dbt.invoke(["build", "--select", "fct_orders", *extra])
        assert not result.success
        return {r.node.name for r in result.result.results if str(r.status) == "fail"}

    # The unit test fails first, so dbt build does not even replace the table...
    assert build() == {"fct_orders_durations_and_lateness"}
    # ...and without unit tests, the data tests catch the orders lost to "unknown".
    failed = build("--exclude", "test_type:unit")
    assert "unknown_member_share_fct_orders_customer_id__0_01" in failed, failed


def _published(lake) -> dict[str, tuple[int, int]]:
    """Every relation readers see in the warehouse: (rows, checksum of every row)."""
    return warehouse_checksums(lake / "warehouse.duckdb")


def _exports(lake) -> dict[str, str]:
    """mart -> the export its curated link shows."""
    curated = lake / "curated"
    return {p.name: str(p.readlink()) for p in curated.iterdir() if p.is_symlink()}


def test_the_published_marts_are_parquet_other_engines_read(spark, demo_lake, tmp_path):
    """Every mart of the published build is in `lake/curated/<model>/` as Parquet that
    Spark and DuckDB read with the warehouse's rows (checksums of every row); a build of
    one mart swaps only its link and keeps the export before it; older ones go."""
    lake = copy_of(demo_lake, tmp_path)
    manifest = json.loads((demo_artefacts(demo_lake) / "manifest.json").read_text())
    marts = curated.marts(manifest)
    names = {m.name for m in marts}
    assert {*CORE, "sales_product_pareto", "walmart_customer_value"} <= names, names
    assert not names & {"stg_olist__orders", "int_orders_aggregated"}  # marts only
    exports = _exports(lake)
    assert set(exports) == names
    record = json.loads((lake / "curated" / "_exports.json").read_text())
    con = duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True)
    try:
        for mart in marts:
            folder = lake / "curated" / mart.name
            assert not exports[mart.name].startswith("/")  # relative: the lake can move
            parquet = f"(select * from read_parquet('{folder}/*.parquet'))"
            assert table_checksum(con, parquet) == table_checksum(con, mart.relation), mart
            assert spark.read.parquet(str(folder)).count() == record[mart.name]["rows"], mart
    finally:
        con.close()
    first = exports["sales_daily_kpis"]

    dbt = Dbt(Lake.open(str(lake)))
    for _ in range(2):
        stages.transform(dbt, ["--select", "sales_daily_kpis"])
    now = _exports(lake)
    assert {k for k in names if now[k] != exports[k]} == {"sales_daily_kpis"}
    kept = sorted(p.name for p in (lake / "curated" / "_exports" / "sales_daily_kpis").iterdir())
    assert len(kept) == 2 and first.rsplit("/", 1)[1] not in kept  # the newest two
    assert now["sales_daily_kpis"].endswith(kept[-1])

    # A copy of the lake made by a tool that follows links (cp -r, shutil.copytree) has
    # folders where the links were, each a copy of the recorded export: the next build
    # puts the link back. A folder that is not such a copy is refused, and kept.
    copied = tmp_path / "copied"
    shutil.copytree(lake, copied)
    assert not (copied / "curated" / "sales_daily_kpis").is_symlink()
    stages.transform(Dbt(Lake.open(str(copied))), ["--select", "sales_daily_kpis"])
    assert (copied / "curated" / "sales_daily_kpis").is_symlink()
    foreign = copied / "curated" / "sales_daily_kpis"
    foreign.unlink()
    foreign.mkdir()
    (foreign / "notes.txt").write_text("someone's own file")
    with pytest.raises(PipelineError, match="not a copy of its last export"):
        stages.transform(Dbt(Lake.open(str(copied))), ["--select", "sales_daily_kpis"])
    assert (foreign / "notes.txt").exists()


def test_a_build_that_fails_its_audit_publishes_nothing(spark, demo_lake, tmp_path):
    """Write-audit-publish: a model whose tests fail leaves every published relation as
    it was (rows and checksums, the file byte for byte) and the failure is reported; the
    failed build is kept aside to inspect; the next good build is published."""
    lake = copy_of(demo_lake, tmp_path)
    warehouse = lake / "warehouse.duckdb"
    before = _published(lake)
    assert "main_core.fct_orders" in before and len(before) >= 40
    digest = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    project = broken_join_project(tmp_path)
    broken = Dbt(Lake.open(str(lake)), project, target_path=project / "target")

    exports = _exports(lake)
    with pytest.raises(PipelineError) as failure:
        stages.transform(broken, ["--exclude", "test_type:unit"])
    message = str(failure.value)
    assert "failed its audit" in message and "nothing was published" in message
    assert "unknown_member_share_fct_orders_customer_id" in message
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == digest
    assert _published(lake) == before
    assert _exports(lake) == exports  # no mart's Parquet export moved either
    # The failed build's test results are recorded in the lake at once.
    (record,) = sorted((lake / "_audit" / "dq_results").glob("*.jsonl"))[-1:]
    results = [json.loads(line) for line in record.read_text().splitlines()]
    assert not any(r["published"] for r in results)
    failed = {r["test_name"] for r in results if r["status"] == "fail"}
    assert "unknown_member_share_fct_orders_customer_id__0_01" in failed

    # The failed build is there to inspect: every order fell to the unknown customer.
    staged = lake / "_staging" / "warehouse.duckdb"
    con = duckdb.connect(str(staged), read_only=True)
    try:
        keys = con.execute("select count(distinct customer_id) from main_core.fct_orders")
        assert keys.fetchone()[0] == 1
    finally:
        con.close()

    # The fixed project builds, passes and is published (a new file, the same rows).
    inode = warehouse.stat().st_ino
    stages.transform(Dbt(Lake.open(str(lake))), ["--exclude", "test_type:unit"])
    assert warehouse.stat().st_ino != inode
    published = _published(lake)
    assert published.pop("main_audit.dq_results") != before.pop("main_audit.dq_results")
    # The incremental facts recorded the rows this build rewrote (three more windows).
    windows = "main_audit.incremental_windows"
    assert published.pop(windows)[0] == before.pop(windows)[0] + 3
    assert published == before
    assert not staged.parent.exists()
    # The results table now holds the failed build beside the published ones.
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        runs = con.execute(
            "select published, count(*) filter (where status = 'fail') from main_audit.dq_results "
            "group by run_id, published order by min(finished_at) desc limit 2"
        ).fetchall()
    finally:
        con.close()
    assert runs[0] == (True, 0) and runs[1][0] is False and runs[1][1] >= 1


def test_the_real_download_alone_builds(spark, tiny_raw, tmp_path):
    """The Kaggle download has only the 9 Olist files: the clickstream and catalog
    tables are created empty with their contract schema, and every model builds."""

    from glue_etl.transforms import cleaned_schema
    from lakecore.contract import DATASETS

    delivery = tmp_path / "kaggle"
    delivery.mkdir()
    for ds in DATASETS.values():
        if ds.source == "olist":
            shutil.copy(tiny_raw / ds.file_name, delivery / ds.file_name)
    lake = tmp_path / "lake"
    for step in (["ingest", "--source", str(delivery)], ["clean"], ["transform"]):
        assert cli.main(["--lake", str(lake), *step]) == 0, step
    events = spark.read.parquet(f"{lake}/cleaned/events")
    assert events.count() == 0
    assert [f.name for f in events.schema] == [f.name for f in cleaned_schema(DATASETS["events"])]
    counts = _counts(lake)
    assert counts["fct_events"] == 0 and counts["fct_orders"] > 0


def _rows(lake, model: str, key: str) -> list[tuple]:
    con = duckdb.connect(str(lake / "warehouse.duckdb"))
    try:
        return con.execute(f"select * from main_core.{model} order by {key}").fetchall()
    finally:
        con.close()


_TYPE_OF = "select event_type from main_core.fct_events where event_id = ?"
_SET_TYPE = "update main_core.fct_events set event_type = ? where event_id = ?"


def _compiled() -> dict[str, str]:
    """The SQL each node of the last dbt command ran, by node name."""
    results = json.loads((dbt_target() / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[2]: r.get("compiled_code") or ""
        for r in results["results"]
        if r["unique_id"].split(".")[0] in ("model", "test")
    }


def test_incremental_event_facts_match_a_full_refresh(spark, demo_lake, tmp_path, capsys):
    """A next-day delivery with late events: the incremental run of fct_events and
    fct_sessions rebuilds only its lookback window and gives the rows a full refresh
    gives."""
    lake = copy_of(demo_lake, tmp_path)
    before = len(_rows(lake, "fct_events", "event_id"))
    with duckdb.connect(str(lake / "warehouse.duckdb")) as con:
        newest = con.execute("select max(event_date) from main_core.fct_events").fetchone()[0]
        cutoff = newest - timedelta(days=3)  # the event_lookback_days var
        # A row the incremental build does not rewrite (older than its window), made bad.
        old_event = con.execute(
            "select min(event_id) from main_core.fct_events where event_date < ?", [cutoff]
        ).fetchone()[0]
        (old_type,) = con.execute(_TYPE_OF, [old_event]).fetchone()
        con.execute(_SET_TYPE, [None, old_event])
    delivery = next_day_events(spark, f"{lake}/cleaned/events", tmp_path / "next_day")
    ingest = ["ingest", "--source", str(delivery.folder), "--partial"]
    ingest += ["--ingest-date", "2030-01-01"]
    for step in (ingest, ["clean"], ["transform"]):
        assert cli.main(["--lake", str(lake), *step]) == 0, step

    # The incremental models ran incrementally: their SQL had the lookback filter, the
    # cutoff written as a date literal (read from the table when the model compiled).
    compiled = _compiled()
    literal = f"event_date >= cast('{cutoff.isoformat()}' as date) /* incremental cutoff */"
    for model in ("fct_events", "fct_sessions", "int_events_sessionized"):
        assert literal in compiled[model], compiled[model]
    # Each recorded the rows it rebuilt, and their data tests checked those rows only
    # (the bad old row passed); a comparison of totals read the whole table.
    with duckdb.connect(str(lake / "warehouse.duckdb")) as con:
        windows = con.execute(
            "select relation_name, date_column, rebuilt_from from main_audit.incremental_windows"
        ).fetchall()
    assert sorted(windows) == [
        ('"warehouse"."main_core"."fct_events"', "event_date", cutoff),
        ('"warehouse"."main_core"."fct_sessions"', "session_date", cutoff),
        ('"warehouse"."main_intermediate"."int_events_sessionized"', "event_date", cutoff),
    ]
    window = f"event_date >= cast('{cutoff.isoformat()}' as date)"
    assert window in compiled["unique_fct_events_event_id"]
    assert window in compiled["not_null_fct_events_event_type"]
    assert "session_date >= cast(" in compiled["unique_fct_sessions_session_key"]
    assert "dbt_subquery" not in compiled["equal_row_count_fct_events_source_clickstream_events_"]
    # A whole-table test run (no build in the same invocation) reads every row: it
    # finds the bad one. Put it back before comparing with a full refresh.
    tested = Dbt(Lake.open(str(lake))).invoke(["test", "--select", "fct_events,test_type:data"])
    failed = [n.name for n in summarize(tested).failures]
    assert failed == ["not_null_fct_events_event_type"], failed
    with duckdb.connect(str(lake / "warehouse.duckdb")) as con:
        con.execute(_SET_TYPE, [old_type, old_event])
    incremental = {
        m: _rows(lake, m, k)
        for m, k in (("fct_events", "event_id"), ("fct_sessions", "session_key"))
    }
    assert len(incremental["fct_events"]) == before + delivery.new_events
    grown = [s for s in incremental["fct_sessions"] if s[1] == delivery.grown_visit]
    assert sum(s[7] for s in grown) == delivery.grown_visit_events  # event_count

    refresh = ["transform", "--", "--full-refresh", "--select", "fct_events", "fct_sessions"]
    assert cli.main(["--lake", str(lake), *refresh]) == 0
    assert "dbt_subquery" not in _compiled()["unique_fct_events_event_id"]  # whole table
    full = {
        m: _rows(lake, m, k)
        for m, k in (("fct_events", "event_id"), ("fct_sessions", "session_key"))
    }
    assert incremental == full


def _one_source_alone(tmp_path, delivery, tag: str):
    """A new lake holding one source's delivery: landed, cleaned, and its models built
    with `dbt build --select tag:<tag>` (the way the README tells users to)."""
    lake = tmp_path / "lake"
    steps = (
        ["ingest", "--source", str(delivery)],
        ["clean"],
        ["transform", "--", "--select", f"tag:{tag}", "--exclude-resource-type", "unit_test"],
    )
    for step in steps:
        assert cli.main(["--lake", str(lake), *step]) == 0, step
    return lake


def test_a_walmart_delivery_alone_builds_its_star(spark, tmp_path):
    """Only the Walmart file, in its real format: it lands alone, cleans (the other
    sources' tables are created empty) and `tag:walmart` builds its star with the counts
    worked out from the file by hand: 5 good rows (the repeated pair kept once), 4
    customers, 5 products, the sum of the kept amounts."""
    delivery = walmart_delivery(tmp_path / "walmart")
    lake = _one_source_alone(tmp_path, delivery, "walmart")
    con = duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True)
    try:

        def one(sql: str):
            return con.execute(sql).fetchone()

        sales = one("select count(*), sum(purchase_amount) from main_walmart.fct_walmart_sales")
        customers = one("select count(*) from main_walmart.dim_walmart_customer")
        products = one("select count(*) from main_walmart.dim_walmart_product")
        married = one(
            "select is_married from main_walmart.dim_walmart_customer where user_id = 1000004"
        )
        customer_value = con.execute(
            "select user_id, lifetime_value, purchase_count, revenue_rank, pareto_class,"
            " frequency_segment from main_walmart.walmart_customer_value order by user_id"
        ).fetchall()
        product_classes = con.execute(
            "select product_id, revenue, revenue_rank, pareto_class"
            " from main_walmart.walmart_product_revenue_contribution order by product_id"
        ).fetchall()
    finally:
        con.close()
    amounts = [int(row.rsplit(",", 1)[1]) for row in WALMART_GOOD]
    assert sales == (len(WALMART_GOOD), sum(amounts))
    assert customers == (len({row.split(",")[0] for row in WALMART_GOOD}),)
    assert products == (len({row.split(",")[1] for row in WALMART_GOOD}),)
    assert married == (True,)

    def contribution(column: int) -> dict[str, tuple[int, int, int, str]]:
        """key -> (revenue, rows, rank, Pareto class), worked out from the file's rows."""
        totals: dict[str, list[int]] = {}
        for row in WALMART_GOOD:
            fields = row.split(",")
            total = totals.setdefault(fields[column], [0, 0])
            total[0] += int(fields[-1])
            total[1] += 1
        ranked = sorted(totals.items(), key=lambda kv: (-kv[1][0], kv[0]))
        grand, above, out = sum(t[0] for t in totals.values()), 0, {}
        for rank, (key, (revenue, rows)) in enumerate(ranked, start=1):
            share_above = above / grand
            pareto = "A" if share_above < 0.80 else "B" if share_above < 0.95 else "C"
            out[key] = (revenue, rows, rank, pareto)
            above += revenue
        return out

    by_customer = contribution(0)
    assert customer_value == [
        (int(user), revenue, rows, rank, pareto, "light")  # fewer than 50 purchases each
        for user, (revenue, rows, rank, pareto) in sorted(by_customer.items())
    ]
    assert [c[4] for c in customer_value] == ["A", "C", "A", "A"]  # 1000002 paid 1,057
    assert product_classes == [
        (product, revenue, rank, pareto)
        for product, (revenue, _, rank, pareto) in sorted(contribution(1).items())
    ]


def _as_of(item: int, prop: str, at_ms: int) -> str | None:
    """The value an item's property had at a moment, from the fixture's change log."""
    changes = sorted((t, v) for t, i, p, v in RETAILROCKET_PROPERTIES if i == item and p == prop)
    values = [v for t, v in changes if t <= at_ms]
    return values[-1] if values else None


def test_a_retailrocket_download_alone_builds_its_models(spark, tmp_path):
    """The Retailrocket zip as Kaggle serves it, alone: it lands, cleans (bad rows
    quarantined by rule, a repeated event counted as a duplicate, events partitioned by
    type and date) and `tag:retailrocket` builds its models, every figure worked out here
    from the fixture's rows: prices and categories at event time, the category paths
    and depths, the funnel per day and per visitor, the items' latest values."""
    from datetime import UTC, date, datetime

    download = retailrocket_download(tmp_path / "retailrocket" / "archive.zip")
    lake = _one_source_alone(tmp_path, download, "retailrocket")

    good = RETAILROCKET_EVENTS
    logs = [json.loads(p.read_text()) for p in (lake / "_audit" / "run_log").glob("*.jsonl")]
    (events_log,) = [r for r in logs if r["entity"] == "retailrocket_events"]
    assert (events_log["raw_rows"], events_log["cleaned_rows"]) == (len(good) + 6, len(good))
    assert (events_log["quarantined_rows"], events_log["duplicate_rows"]) == (5, 1)
    assert events_log["is_balanced"]
    rules = spark.read.parquet(str(lake / "quarantine" / "retailrocket_events")).collect()
    assert sorted(r.rule for r in rules) == sorted(RETAILROCKET_BAD.values())

    def day(ms: int) -> date:
        return datetime.fromtimestamp(ms / 1000, UTC).date()

    folders = {
        p.parent.relative_to(lake / "cleaned" / "retailrocket_events").as_posix()
        for p in (lake / "cleaned" / "retailrocket_events").rglob("*.parquet")
    }
    assert folders == {f"event_type={e[2]}/event_date={day(e[0])}" for e in good}

    con = duckdb.connect(str(lake / "warehouse.duckdb"), read_only=True)
    try:

        def rows(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        facts = rows(
            "select event_at, visitor_id, event_type, item_id, item_price, category_id,"
            " item_is_available from main_retailrocket.fct_retailrocket_events"
        )
        categories = rows(
            "select category_id, category_path, category_depth, root_category_id, is_leaf"
            " from main_retailrocket.dim_retailrocket_category"
        )
        daily = rows(
            "select event_date, visitor_count, item_view_count, add_to_cart_count,"
            " transaction_count from main_retailrocket.retailrocket_funnel_daily"
        )
        visitors = rows(
            "select visitor_id, furthest_funnel_step_name, transaction_count"
            " from main_retailrocket.retailrocket_visitor_funnel"
        )
        items = rows(
            "select item_id, price, is_available, category_id, category_depth, version_count"
            " from main_retailrocket.dim_retailrocket_item"
        )
    finally:
        con.close()

    def number(value: str | None) -> float | None:
        return None if value is None else float(value.removeprefix("n"))

    expected_facts = []
    for t, visitor, kind, item, _ in good:
        category, available = _as_of(item, "categoryid", t), _as_of(item, "available", t)
        expected_facts.append((
            datetime.fromtimestamp(t / 1000, UTC).replace(tzinfo=None), visitor, kind, item,
            number(_as_of(item, "790", t)), None if category is None else int(category),
            None if available is None else available == "1",
        ))  # fmt: skip
    as_floats = [(*f[:4], None if f[4] is None else float(f[4]), *f[5:]) for f in facts]
    assert sorted(as_floats, key=repr) == sorted(expected_facts, key=repr)

    def path(category: int) -> list[int]:
        parent = RETAILROCKET_TREE[category]
        return [category] if parent is None else [*path(parent), category]

    parents = set(RETAILROCKET_TREE.values())
    assert sorted(categories) == sorted(
        (c, path(c), len(path(c)), path(c)[0], c not in parents) for c in RETAILROCKET_TREE
    )
    assert max(c[2] for c in categories) == 4  # 100 > 110 > 111 > 1111

    steps = {"view": 1, "addtocart": 2, "transaction": 3}
    furthest: dict[tuple, int] = {}
    for t, visitor, kind, *_ in good:
        key = (day(t), visitor)
        furthest[key] = max(furthest.get(key, 0), steps[kind])
    expected_daily = sorted(
        (d, sum(1 for k in furthest if k[0] == d),
         *(sum(1 for k, f in furthest.items() if k[0] == d and f >= n) for n in (1, 2, 3)))
        for d in {k[0] for k in furthest}
    )  # fmt: skip
    assert sorted(daily) == expected_daily
    names = {1: "Item view", 2: "Add to cart", 3: "Transaction"}
    assert sorted(visitors) == sorted(
        (v, names[max(steps[e[2]] for e in good if e[1] == v)],
         len({e[4] for e in good if e[1] == v and e[4] is not None}))
        for v in {e[1] for e in good}
    )  # fmt: skip

    last = max(t for t, *_ in RETAILROCKET_PROPERTIES)
    versioned = ("790", "available", "categoryid")
    expected_items = []
    for item in {i for _, i, *_ in RETAILROCKET_PROPERTIES}:
        category = _as_of(item, "categoryid", last)
        available = _as_of(item, "available", last)
        expected_items.append((
            item, number(_as_of(item, "790", last)),
            None if available is None else available == "1",
            None if category is None else int(category),
            None if category is None else len(path(int(category))),
            len({t for t, i, p, _ in RETAILROCKET_PROPERTIES if i == item and p in versioned}),
        ))  # fmt: skip
    got = [(i, None if p is None else float(p), *rest) for i, p, *rest in items]
    assert sorted(got, key=repr) == sorted(expected_items, key=repr)
