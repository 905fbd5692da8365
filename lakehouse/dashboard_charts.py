"""The dashboard's figures: one function per chart, from the rows of its query to a
Plotly figure (or, for the customer table, escaped HTML). No drawing code of our own:
Plotly lays out, draws, and gives hover, zoom and export."""

from __future__ import annotations

import html
from collections.abc import Callable

import plotly.graph_objects as go

PALETTE = ("#2f6fde", "#2f9e6e", "#e8a33d", "#9c4dcc", "#d64545", "#3bb3c3")
EMPTY = '<p class="empty">No data in the marts yet.</p>'
# The states as tiles laid out roughly as on the map of Brazil: (column, row).
STATE_TILES = {
    "RR": (2, 0), "AP": (4, 0),
    "AC": (0, 1), "AM": (1, 1), "PA": (3, 1), "MA": (4, 1), "CE": (5, 1), "RN": (6, 1),
    "RO": (1, 2), "TO": (3, 2), "PI": (4, 2), "PE": (5, 2), "PB": (6, 2),
    "MT": (2, 3), "GO": (3, 3), "BA": (4, 3), "SE": (5, 3), "AL": (6, 3),
    "MS": (2, 4), "DF": (3, 4), "MG": (4, 4), "ES": (5, 4),
    "SP": (3, 5), "RJ": (4, 5), "PR": (3, 6), "SC": (3, 7), "RS": (3, 8),
}  # fmt: skip


def _layout(figure: go.Figure, height: int, **extra) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
        colorway=PALETTE,
        **extra,
    )
    return figure


def funnel(rows: list[dict]) -> go.Figure | str:
    f = rows[0] if rows else {}
    if not f.get("visit"):
        return EMPTY
    steps = [("Visit", "visit"), ("Product view", "product_view"), ("Add to cart", "add_to_cart"),
             ("Checkout", "checkout"), ("Purchase", "purchase")]  # fmt: skip
    figure = go.Figure(
        go.Funnel(
            y=[label for label, _ in steps],
            x=[f[key] or 0 for _, key in steps],
            textinfo="value+percent previous",
            marker={"color": PALETTE[0]},
            hovertemplate="%{y}: %{x:,} sessions<br>%{percentPrevious:.1%} of the previous step"
            "<extra></extra>",
        )
    )
    return _layout(figure, 280)


def channels(rows: list[dict]) -> go.Figure | str:
    if not rows:
        return EMPTY
    rows = list(reversed(rows))  # best channel on top
    figure = go.Figure(
        go.Bar(
            orientation="h",
            y=[r["traffic_source"].replace("_", " ") for r in rows],
            x=[r["conversion_rate"] or 0 for r in rows],
            customdata=[[r["session_count"], r["revenue_per_session_brl"] or 0] for r in rows],
            text=[f"{(r['conversion_rate'] or 0):.1%}" for r in rows],
            textposition="auto",
            marker={"color": PALETTE[1]},
            hovertemplate="%{y}: %{x:.2%} of %{customdata[0]:,} sessions convert"
            "<br>R$ %{customdata[1]:,.2f} revenue per session<extra></extra>",
        )
    )
    return _layout(figure, 280, xaxis={"tickformat": ".0%", "title": "session conversion rate"})


def hourly(rows: list[dict]) -> go.Figure | str:
    if not rows:
        return EMPTY
    figure = go.Figure()
    for category in dict.fromkeys(r["category"] for r in rows):
        by_hour = {r["hour"]: r["revenue_brl"] for r in rows if r["category"] == category}
        figure.add_trace(
            go.Scatter(
                x=list(range(24)),
                y=[by_hour.get(h, 0) for h in range(24)],
                mode="lines+markers",
                name=category.replace("_", " "),
                hovertemplate="%{x}h: R$ %{y:,.0f}<extra>%{fullData.name}</extra>",
            )
        )
    return _layout(
        figure,
        320,
        xaxis={"title": "hour of day (UTC)", "dtick": 3},
        yaxis={"title": "revenue (BRL)", "tickprefix": "R$ "},
        legend={"orientation": "h", "y": -0.25},
    )


def states(rows: list[dict]) -> go.Figure | str:
    shown = [r for r in rows if r["state_code"] in STATE_TILES]
    if not shown:
        return EMPTY
    z = [[None] * 7 for _ in range(9)]
    label = [[""] * 7 for _ in range(9)]
    hover = [[""] * 7 for _ in range(9)]
    for r in shown:
        col, row = STATE_TILES[r["state_code"]]
        z[row][col] = r["revenue_brl"] or 0
        label[row][col] = r["state_code"]
        hover[row][col] = (
            f"{r['state_name']} ({r['region']})<br>R$ {r['revenue_brl'] or 0:,.0f}, "
            f"{r['order_count']:,} orders"
        )
    figure = go.Figure(
        go.Heatmap(
            z=z,
            text=label,
            customdata=hover,
            texttemplate="%{text}",
            hovertemplate="%{customdata}<extra></extra>",
            colorscale="Blues",
            xgap=4,
            ygap=4,
            colorbar={"title": "BRL"},
        )
    )
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    return _layout(figure, 460, xaxis=hidden, yaxis={**hidden, "autorange": "reversed"})


def delay(rows: list[dict]) -> go.Figure | str:
    if not rows:
        return EMPTY
    figure = go.Figure(
        go.Bar(
            x=[r["delay_bucket"] for r in rows],
            y=[r["average_review_score"] or 0 for r in rows],
            customdata=[r["delivered_order_count"] for r in rows],
            text=[f"{(r['average_review_score'] or 0):.2f}" for r in rows],
            textposition="outside",
            marker={
                "color": [PALETTE[4] if r["delay_bucket_order"] >= 4 else PALETTE[1] for r in rows]
            },
            hovertemplate="%{x}: %{y:.2f} average review, %{customdata:,} orders<extra></extra>",
        )
    )
    return _layout(figure, 320, yaxis={"range": [0, 5.4], "title": "average review (1-5)"})


def cohorts(rows: list[dict]) -> go.Figure | str:
    if not rows:
        return EMPTY
    months = sorted({r["cohort_month"][:7] for r in rows})
    sizes = {r["cohort_month"][:7]: r["cohort_customer_count"] for r in rows}
    rate = {
        (r["cohort_month"][:7], r["months_since_first_order"]): r["retention_rate"] for r in rows
    }
    z = [[rate.get((m, k)) for k in range(13)] for m in months]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=[f"M{k}" for k in range(13)],
            y=[f"{m} ({sizes[m]:,})" for m in months],
            texttemplate="%{z:.1%}",
            hovertemplate="%{y}, month %{x}: %{z:.2%} ordered again<extra></extra>",
            colorscale="Blues",
            zmin=0,
            zmax=max((v for row in z for v in row[1:] if v), default=1),
            colorbar={"title": "retained", "tickformat": ".0%"},
        )
    )
    return _layout(figure, max(260, 22 * len(months) + 60), yaxis={"autorange": "reversed"})


def _table(head: tuple[str, ...], rows: list[tuple], numeric: set[int]) -> str:
    """An HTML table; every cell escaped."""

    def cell(tag: str, j: int, value) -> str:
        return f"<{tag}{' class=num' if j in numeric else ''}>{html.escape(str(value))}</{tag}>"

    header = "".join(cell("th", j, h) for j, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(cell("td", j, c) for j, c in enumerate(cells)) + "</tr>" for cells in rows
    )
    return (
        f'<table data-rendered-table="true"><thead><tr>{header}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def clv(rows: list[dict]) -> str:
    if not rows:
        return EMPTY
    head = ("#", "customer_unique_id", "State", "Orders", "Lifetime revenue", "Avg order",
            "RFM segment")  # fmt: skip
    cells = [
        (
            str(i),
            r["customer_unique_id"],
            r["state_code"] or "-",
            f"{r['order_count']:,}",
            f"R$ {r['lifetime_revenue_brl']:,.2f}",
            f"R$ {r['average_order_value_brl'] or 0:,.2f}",
            r["rfm_segment"] or "-",
        )
        for i, r in enumerate(rows, 1)
    ]
    return _table(head, cells, {3, 4, 5})


def quality_runs(rows: list[dict]) -> str:
    """The last builds' data tests: passed, warned, failed, and whether it was published."""
    if not rows:
        return EMPTY
    head = ("Build finished (UTC)", "Published", "Passed", "Warned", "Failed", "Skipped")
    cells = [
        (
            str(r["finished_at"]).replace("T", " ")[:19],
            "yes" if r["published"] else "no: last good build kept",
            f"{r['passed']:,}",
            f"{r['warned']:,}",
            f"{r['failed']:,}",
            f"{r['skipped']:,}",
        )
        for r in rows
    ]
    return _table(head, cells, {2, 3, 4, 5})


def quality_checks(rows: list[dict]) -> str:
    """The published build's tolerance tests, and any test that did not pass."""
    if not rows:
        return EMPTY
    head = ("Test", "Reads", "Policy", "Severity", "Result", "Failing rows")
    cells = [
        (
            r["test_name"],
            r["tested_node"] or "-",
            r["policy"],
            r["severity"],
            r["status"],
            "-" if r["failures"] is None else f"{r['failures']:,}",
        )
        for r in rows
    ]
    return _table(head, cells, {5})


def kpi_cards(k: dict) -> list[tuple[str, str]]:
    """The KPI cards: (label, value as shown), the template escapes both."""

    def fmt(value, kind: str) -> str:
        if value is None:
            return "-"
        return {
            "int": f"{value:,.0f}",
            "brl": f"R$ {value:,.0f}",
            "brl2": f"R$ {value:,.2f}",
            "pct": f"{value:.1%}",
        }[kind]

    return [
        ("Orders", fmt(k.get("orders"), "int")),
        ("Revenue", fmt(k.get("revenue_brl"), "brl")),
        ("Avg order value", fmt(k.get("average_order_value_brl"), "brl2")),
        ("Sessions", fmt(k.get("sessions"), "int")),
        ("Conversion", fmt(k.get("conversion_rate"), "pct")),
        ("Late deliveries", fmt(k.get("late_delivery_rate"), "pct")),
    ]


FIGURES: dict[str, Callable[[list[dict]], go.Figure | str]] = {
    "funnel": funnel,
    "channels": channels,
    "hourly": hourly,
    "states": states,
    "delay": delay,
    "cohorts": cohorts,
    "clv": clv,
    "quality_runs": quality_runs,
    "quality_checks": quality_checks,
}
CHARTS = tuple(FIGURES)
