"""The dashboard: one self-contained HTML file from the marts (Plotly, inlined), opened in
headless Chromium. Every chart must render, the console must stay clean, nothing may be
fetched, and a screenshot is saved (target/dashboard.png)."""

import json
import re

import duckdb
import pytest

from lakecore.lake import Lake
from lakehouse import cli
from lakehouse.dashboard import CHARTS, QUERIES, load_data, render
from tests.python.conftest import PROJECT_DIR, demo_artefacts

# Opens the shared demo lake's warehouse as dbt-duckdb does (read-write): one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("demo_lake")]


@pytest.fixture(scope="module")
def built_lake(demo_lake):
    """The demo lake, with the manifest of the build that made it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(demo_artefacts(demo_lake)))
        yield demo_lake


def test_the_data_is_what_the_marts_say(built_lake):
    data = load_data(Lake.open(str(built_lake)))
    assert set(data) == set(QUERIES)
    con = duckdb.connect(str(built_lake / "warehouse.duckdb"))
    try:
        sessions = con.execute("select count(*) from main_core.fct_sessions").fetchone()[0]
        states = con.execute("select count(*) from main_analytics.sales_by_state").fetchone()[0]
    finally:
        con.close()
    assert data["funnel"][0]["visit"] == sessions
    # The data-quality results of the build on show: published, nothing failed, and its
    # tolerance checks listed with their results.
    latest = data["quality_runs"][0]
    assert latest["published"] and latest["failed"] == 0 and latest["passed"] > 300
    checks = {r["test_name"]: r for r in data["quality_checks"]}
    assert checks["assert_payments_match_item_totals"]["policy"] == "tolerance"
    assert {r["status"] for r in checks.values()} <= {"pass", "warn"}
    assert len(data["states"]) == states == 27
    assert data["cohorts"] and all(
        r["retention_rate"] == 1 for r in data["cohorts"] if r["months_since_first_order"] == 0
    )
    page = render(data)
    # Self-contained: no external script, style or font is fetched. Checked on the
    # markup: the inlined plotly.js holds URL strings for features the page does not use
    # (map tiles, the logo link); that nothing is fetched at all is the browser test's.
    markup = re.sub(r"<script\b[^>]*>.*?</script>", "<script></script>", page, flags=re.S)
    assert not re.search(r"""(src|href)=["']https?://""", markup)
    assert not re.search(r"<script[^>]+src=|<link\b|@import|url\(", markup)
    embedded = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert json.loads(embedded.group(1))["funnel"] == data["funnel"]


def test_every_chart_renders_in_chromium(built_lake, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "dashboard.html"
    assert cli.main(["--lake", str(built_lake), "dashboard", "--out", str(out)]) == 0
    screenshot = PROJECT_DIR / "target" / "dashboard.png"
    screenshot.parent.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
        )
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-dashboard-ready=true]", timeout=10_000)
        page.wait_for_function(
            f"document.querySelectorAll('section[data-rendered=true]').length == {len(CHARTS)}",
            timeout=20_000,
        )
        for chart in CHARTS:
            section = page.locator(f'section[data-chart="{chart}"]')
            assert section.get_attribute("data-rendered") == "true", chart
            assert section.locator(".empty").count() == 0, f"{chart} has no data"
            # Plotly drew at least one trace (bars, lines, funnel, heatmap), or the table
            # has rows: axes and backgrounds alone do not count.
            drawn = section.locator("g.trace, g.hm, table tbody tr").count()
            assert drawn > 0, chart
        assert page.locator("#kpis .kpi").count() == 6
        page.screenshot(path=str(screenshot), full_page=True)
        browser.close()
    assert problems == []
    assert screenshot.stat().st_size > 20_000


# What a hostile source could put in a text field: markup and script, a spreadsheet
# formula (CSV injection), a right-to-left override, control characters, a NUL, a BOM and
# a very long run.
HOSTILE = (
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    "=cmd|' /C calc'!A0 \u202egnp.exe\x07 \x00zero \ufeffbom " + "x" * 3000
)


def test_hostile_text_in_the_marts_is_shown_as_text_and_never_run(built_lake, chromium, tmp_path):
    from playwright.sync_api import sync_playwright

    data = load_data(Lake.open(str(built_lake)))
    # Every text value of every chart (the KPI dates aside) carries the hostile text.
    poisoned = {
        name: rows if name == "kpis" else
        [{c: f"{v} {HOSTILE}" if isinstance(v, str) else v for c, v in row.items()} for row in rows]
        for name, rows in data.items()
    }  # fmt: skip
    out = tmp_path / "hostile.html"
    out.write_text(render(poisoned), encoding="utf-8")
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url))  # fmt: skip
        page.goto(out.as_uri())
        page.wait_for_selector("body[data-dashboard-ready=true]", timeout=10_000)
        page.wait_for_function(
            f"document.querySelectorAll('section[data-rendered=true]').length == {len(CHARTS)}",
            timeout=20_000,
        )
        assert page.evaluate("window.__pwned === undefined")  # no script or handler ran
        assert page.locator("img").count() == 0  # no element came from the data
        assert '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">' in (
            page.inner_text("body")
        )  # shown as the text it is
        browser.close()
    assert problems == []
