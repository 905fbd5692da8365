"""`lakehouse dashboard`: one self-contained HTML file drawn from the curated marts.

The file needs no server and no network: the data is embedded as JSON and the charts are
SVG drawn by a small script in the page itself (no CDN, no chart library). Every chart
marks itself `data-rendered="true"` once drawn, which the browser test checks.

Reads the local DuckDB warehouse that `lakehouse transform` builds (`<lake>/warehouse.duckdb`).
"""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from glue_etl.errors import PipelineError

ANALYTICS = "main_analytics"

# One query per chart, on the analytics marts only: the dashboard shows what the marts
# say, it computes nothing of its own beyond picking rows.
QUERIES: dict[str, str] = {
    "kpis": f"""
        select
            sum(order_count) as orders,
            sum(revenue_brl) as revenue_brl,
            sum(revenue_brl) / nullif(sum(order_count), 0) as average_order_value_brl,
            sum(session_count) as sessions,
            sum(converted_session_count) / nullif(sum(session_count), 0) as conversion_rate,
            sum(late_delivery_rate * delivered_order_count)
                / nullif(sum(delivered_order_count), 0) as late_delivery_rate,
            min(date_day) as first_day,
            max(date_day) as last_day
        from {ANALYTICS}.sales_daily_kpis
    """,
    "funnel": f"""
        select
            sum(visit_count) as visit,
            sum(product_view_count) as product_view,
            sum(add_to_cart_count) as add_to_cart,
            sum(checkout_count) as checkout,
            sum(purchase_count) as purchase
        from {ANALYTICS}.web_funnel_daily
    """,
    "hourly": f"""
        with top_categories as (
            select category_name_english
            from {ANALYTICS}.sales_category_performance
            order by revenue_brl desc, category_name_english
            limit 5
        )
        select
            sales.category_name_english as category,
            cast(extract(hour from sales.sales_hour_at) as integer) as hour,
            sum(sales.revenue_brl) as revenue_brl
        from {ANALYTICS}.sales_hourly_by_category as sales
        inner join top_categories
            on sales.category_name_english = top_categories.category_name_english
        group by 1, 2
        order by 1, 2
    """,
    "clv": f"""
        select
            clv.customer_unique_id,
            clv.state_code,
            clv.order_count,
            clv.lifetime_revenue_brl,
            clv.average_order_value_brl,
            rfm.rfm_segment
        from {ANALYTICS}.customer_lifetime_value as clv
        left join {ANALYTICS}.customer_rfm_segments as rfm
            on clv.customer_unique_id = rfm.customer_unique_id
        order by clv.lifetime_revenue_brl desc, clv.customer_unique_id
        limit 15
    """,
    "channels": f"""
        select traffic_source, session_count, conversion_rate, cart_abandonment_rate,
               revenue_per_session_brl, revenue_brl
        from {ANALYTICS}.web_conversion_by_traffic_source
        order by conversion_rate desc nulls last, traffic_source
    """,
    "states": f"""
        select state_code, state_name, region, order_count, revenue_brl
        from {ANALYTICS}.sales_by_state
        order by state_code
    """,
    "cohorts": f"""
        select cast(cohort_month as varchar) as cohort_month, months_since_first_order,
               cohort_customer_count, retention_rate
        from {ANALYTICS}.customer_cohort_retention
        where months_since_first_order <= 12
        order by cohort_month, months_since_first_order
    """,
    "delay": f"""
        select delay_bucket, delay_bucket_order, delivered_order_count, average_review_score
        from {ANALYTICS}.delivery_review_by_delay
        order by delay_bucket_order
    """,
}

CHARTS = ("funnel", "hourly", "clv", "channels", "states", "cohorts", "delay")


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def load_data(warehouse: Path) -> dict[str, list[dict]]:
    """Run every chart's query against the warehouse; rows as JSON-ready dicts."""
    import duckdb

    if not warehouse.exists():
        raise PipelineError(
            f"no warehouse at {warehouse}: run `lakehouse transform` (or `make demo`) first"
        )
    # Same configuration as dbt-duckdb's connection, which may still be open in this
    # process (the CLI runs dbt in-process); the dashboard only reads.
    con = duckdb.connect(str(warehouse))
    try:
        data = {}
        for name, sql in QUERIES.items():
            try:
                cursor = con.execute(sql)
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
    """The dashboard page: the template with the data embedded."""
    stamp = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    template = (Path(__file__).with_name("dashboard_template.html")).read_text(encoding="utf-8")
    return template.replace("__DATA__", payload).replace("__GENERATED__", html.escape(stamp))


def write_dashboard(lake: str, out: Path) -> Path:
    """Write the dashboard of the lake's warehouse to `out`; returns the path."""
    data = load_data(Path(lake) / "warehouse.duckdb")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(data), encoding="utf-8")
    return out
