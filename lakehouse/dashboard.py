"""`lakehouse dashboard`: one self-contained HTML file drawn from the analytics marts.

The charts are Plotly figures (hover, zoom, pan, PNG export), and the page inlines
plotly.js from the installed `plotly` package: the file opens from disk with no server
and no network. Every chart marks its section `data-rendered="true"` once Plotly has
drawn it, which the browser test checks. Text from the data is escaped: labels go to
Plotly as JSON (which it escapes for HTML), tables through `html.escape`, and the page
is the Jinja2 template dashboard.html.j2 with autoescaping (cards, period, stamp).

Reads the local DuckDB warehouse that `lakehouse transform` builds; the marts' relation
names come from dbt's manifest, so the page follows the project's schema settings.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from lakecore.errors import PipelineError
from lakecore.lake import Lake
from lakehouse import PROJECT_DIR, dbt_manifest
from lakehouse.dashboard_charts import CHARTS, FIGURES, kpi_cards
from lakehouse.dbt_runner import default_target_path

# One query per chart, on the analytics marts only: the dashboard shows what the marts
# say and computes nothing of its own beyond picking rows. `{model}` is the relation.
QUERIES: dict[str, str] = {
    # The semantic layer's metrics, computed once by the mart (macros/marts/metrics.sql).
    "kpis": """
        select
            order_count as orders,
            revenue_brl,
            average_order_value_brl,
            session_count as sessions,
            conversion_rate,
            late_delivery_rate,
            first_day,
            last_day
        from {sales_kpi_totals}
    """,
    "funnel": """
        select
            sum(visit_count) as visit,
            sum(product_view_count) as product_view,
            sum(add_to_cart_count) as add_to_cart,
            sum(checkout_count) as checkout,
            sum(purchase_count) as purchase
        from {web_funnel_daily}
    """,
    "hourly": """
        with top_categories as (
            select category_name_english
            from {sales_category_performance}
            order by revenue_brl desc, category_name_english
            limit 5
        )
        select
            sales.category_name_english as category,
            cast(extract(hour from sales.sales_hour_at) as integer) as hour,
            sum(sales.revenue_brl) as revenue_brl
        from {sales_hourly_by_category} as sales
        inner join top_categories
            on sales.category_name_english = top_categories.category_name_english
        group by 1, 2
        order by 1, 2
    """,
    "clv": """
        select
            clv.customer_unique_id,
            clv.state_code,
            clv.order_count,
            clv.lifetime_revenue_brl,
            clv.average_order_value_brl,
            rfm.rfm_segment
        from {customer_lifetime_value} as clv
        left join {customer_rfm_segments} as rfm
            on clv.customer_unique_id = rfm.customer_unique_id
        order by clv.lifetime_revenue_brl desc, clv.customer_unique_id
        limit 15
    """,
    "channels": """
        select traffic_source, session_count, conversion_rate, cart_abandonment_rate,
               revenue_per_session_brl, revenue_brl
        from {web_conversion_by_traffic_source}
        order by conversion_rate desc nulls last, traffic_source
    """,
    "states": """
        select state_code, state_name, region, order_count, revenue_brl
        from {sales_by_state}
        order by state_code
    """,
    "cohorts": """
        select cast(cohort_month as varchar) as cohort_month, months_since_first_order,
               cohort_customer_count, retention_rate
        from {customer_cohort_retention}
        where months_since_first_order <= 12
        order by cohort_month, months_since_first_order
    """,
    "delay": """
        select delay_bucket, delay_bucket_order, delivered_order_count, average_review_score
        from {delivery_review_by_delay}
        order by delay_bucket_order
    """,
    # The data-quality results table (lakehouse.dq_results): the last builds...
    "quality_runs": """
        select
            run_id,
            max(finished_at) as finished_at,
            bool_and(published) as published,
            count(*) filter (where status = 'pass') as passed,
            count(*) filter (where status = 'warn') as warned,
            count(*) filter (where status in ('fail', 'error')) as failed,
            count(*) filter (where status = 'skipped') as skipped
        from {dq_results}
        group by run_id
        order by finished_at desc, run_id desc
        limit 10
    """,
    # ...and, of the build on show, the tolerance tests and whatever did not pass.
    "quality_checks": """
        select test_name, tested_node, policy, severity, status, failures
        from {dq_results}
        where
            run_id = (
                select run_id from {dq_results}
                where published
                order by finished_at desc, run_id desc
                limit 1
            )
            and (policy = 'tolerance' or status <> 'pass')
        order by status = 'pass', policy, test_name
    """,
}
MARTS = (
    "sales_kpi_totals",
    "web_funnel_daily",
    "sales_category_performance",
    "sales_hourly_by_category",
    "customer_lifetime_value",
    "customer_rfm_segments",
    "web_conversion_by_traffic_source",
    "sales_by_state",
    "customer_cohort_retention",
    "delivery_review_by_delay",
)


QUALITY_SOURCE = "source.ecom_lakehouse.lakehouse_quality.dq_results"


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def relations(manifest_path: Path) -> dict[str, str]:
    """Mart name -> its relation, and the data-quality results table's, from the
    manifest of the last dbt build."""
    if not manifest_path.exists():
        raise PipelineError(
            f"no dbt manifest at {manifest_path}: run `lakehouse transform` (or `make demo`) first"
        )
    manifest = dbt_manifest.load(manifest_path)
    models = dbt_manifest.models(manifest)
    missing = [m for m in MARTS if m not in models]
    if missing:
        raise PipelineError(f"the dbt project has no model {', '.join(missing)}")
    names = {m: models[m]["relation_name"] for m in MARTS}
    quality = manifest["sources"].get(QUALITY_SOURCE)
    if quality is None:
        raise PipelineError(f"the dbt project has no source {QUALITY_SOURCE}")
    return {**names, "dq_results": quality["relation_name"]}


def load_data(lake: Lake, project_dir: Path = PROJECT_DIR) -> dict[str, list[dict]]:
    """Run every chart's query against the lake's warehouse; rows as JSON-ready dicts."""
    import duckdb

    warehouse = lake.warehouse
    if not warehouse.exists():
        raise PipelineError(
            f"no warehouse at {warehouse}: run `lakehouse transform` (or `make demo`) first"
        )
    names = relations(default_target_path(project_dir) / "manifest.json")
    # Same configuration as dbt-duckdb's connection, which may still be open in this
    # process (the CLI runs dbt in-process); the dashboard only reads.
    con = duckdb.connect(str(warehouse))
    try:
        data = {}
        for name, sql in QUERIES.items():
            try:
                cursor = con.execute(sql.format(**names))
            except duckdb.CatalogException as exc:
                raise PipelineError(
                    f"the dashboard's {name} chart needs the analytics marts ({exc}); "
                    "run `lakehouse transform` first"
                ) from None
            columns = [d[0] for d in cursor.description]
            data[name] = [
                {c: _plain(v) for c, v in zip(columns, row, strict=True)}
                for row in cursor.fetchall()
            ]
        return data
    finally:
        con.close()


def render(data: dict[str, list[dict]], generated_at: datetime | None = None) -> str:
    """The dashboard page: the template with the cards and the charts filled in."""
    import plotly.io as pio
    from markupsafe import Markup
    from plotly.offline import get_plotlyjs

    stamp = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    mark_rendered = (
        "document.getElementById('{plot_id}').closest('section')"
        ".setAttribute('data-rendered', 'true');"
    )
    charts = {}
    for name in CHARTS:
        figure = FIGURES[name](data.get(name, []))
        if isinstance(figure, str):  # a table, or the note that the mart is empty
            charts[name] = figure
            continue
        charts[name] = pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-{name}",
            config={"displaylogo": False, "responsive": True},
            post_script=mark_rendered,
        )
    kpis = (data.get("kpis") or [{}])[0]
    return _template().render(
        plotlyjs=Markup(get_plotlyjs()),  # nosec B704 # plotly.js from the installed package, not data
        generated=stamp,
        period=_period(kpis),
        kpis=kpi_cards(kpis),
        # Plotly's own markup, or the tables dashboard_charts builds (data escaped there).
        charts={name: Markup(body) for name, body in charts.items()},  # nosec B704 # Plotly's JSON-escaped figures; tables html.escape their cells
        # The numbers behind the charts, for whoever wants them (JSON, safe in a script).
        data=Markup(json.dumps(data, separators=(",", ":")).replace("</", "<\\/")),  # nosec B704 # JSON with "</" escaped: cannot close the script
    )


def _template():
    """lakehouse/dashboard.html.j2; every value is HTML-escaped unless marked Markup."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("dashboard.html.j2")


def _period(kpis: dict) -> str:
    if kpis.get("first_day") and kpis.get("last_day"):
        return f"Olist marketplace and website, {kpis['first_day']} to {kpis['last_day']}"
    return "Olist marketplace and website"


def write_dashboard(lake: Lake, out: Path, project_dir: Path = PROJECT_DIR) -> Path:
    """Write the dashboard of the lake's warehouse to `out`; returns the path."""
    data = load_data(lake, project_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data), encoding="utf-8")
    return out
