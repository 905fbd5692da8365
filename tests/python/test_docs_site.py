"""The dbt docs site as a user meets it: `lakehouse docs --serve` (what `make docs` runs)
generates and serves it on localhost, and headless Chromium opens fct_orders, expands its
lineage graph and finds the staging models it is built from. The console must stay
clean, and a screenshot is saved (target/docs-lineage.png)."""

import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from athena_twin.net import free_port, wait_for_url
from tests.python.conftest import PROJECT_DIR

# `docs --serve` opens the shared demo lake's warehouse read-write: one worker.
pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.xdist_group("demo_lake")]

FCT_ORDERS = "model.ecom_lakehouse.fct_orders"
# Its staging ancestors, through int_orders_aggregated and dim_customer.
STAGING_PARENTS = {
    "stg_olist__orders",
    "stg_olist__order_items",
    "stg_olist__order_payments",
    "stg_olist__order_reviews",
    "stg_olist__customers",
}
# dbt-docs' own page (bundled with dbt-core 1.11) asks the server for two Angular
# templates before they are rendered ("{{ getIcon(...) }}") and for a webpack favicon
# placeholder. Those 404s come from dbt's index.html, not from this project; everything
# else (our manifest and catalog, any script error) must be clean.
DBT_DOCS_OWN_404S = ("getIcon(item.type", "require('./assets/favicons/favicon.ico')")


@pytest.fixture
def docs_server(demo_lake, tmp_path):
    port = free_port()
    exe = Path(sys.executable).with_name("lakehouse")
    log = tmp_path / "docs-serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(exe), "--lake", str(demo_lake), "docs", "--serve", "--port", str(port)],
            cwd=PROJECT_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            if not wait_for_url(f"{url}/manifest.json", proc, timeout=180):
                proc.kill()
                raise AssertionError(f"docs server did not start:\n{log.read_text()[-3000:]}")
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_the_lineage_of_fct_orders_shows_its_staging_models(docs_server, chromium):
    from playwright.sync_api import sync_playwright

    unquote = urllib.parse.unquote
    screenshot = PROJECT_DIR / "target" / "docs-lineage.png"
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})

        def on_console(message) -> None:
            url = unquote(message.location.get("url", ""))
            if message.type == "error" and not any(s in url for s in DBT_DOCS_OWN_404S):
                problems.append(f"{message.text} ({url})")

        page.on("console", on_console)
        page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
        page.on(
            "requestfailed",
            lambda r: (
                None
                if any(s in unquote(r.url) for s in DBT_DOCS_OWN_404S)
                else problems.append(f"request failed: {r.url}")
            ),
        )
        page.goto(f"{docs_server}/#!/model/{FCT_ORDERS}")
        page.wait_for_selector("h1:has-text('fct_orders')", timeout=30_000)
        # The column table comes from catalog.json: the docs were generated on the lake.
        page.wait_for_selector("text=customer_order_sequence_number", timeout=10_000)

        page.click('[ng-click="onLauncherClick()"]')  # "View Lineage Graph"
        page.click('[ng-click="showExpanded()"]')  # "View Fullscreen"
        page.wait_for_function(
            "() => [...document.querySelectorAll('*')].some(e => e._cyreg && e._cyreg.cy"
            " && e._cyreg.cy.nodes().length > 40)",
            timeout=20_000,
        )
        page.wait_for_timeout(1000)  # let the layout settle for the screenshot
        graph = page.evaluate(
            """() => {
              const el = [...document.querySelectorAll('*')].find(e => e._cyreg && e._cyreg.cy);
              const cy = el._cyreg.cy;
              const visible = cy.nodes().filter(n => n.visible());
              return {
                nodes: visible.map(n => n.id()),
                edges: cy.edges().filter(e => e.visible())
                         .map(e => [e.source().id(), e.target().id()]),
                inputs: [...document.querySelectorAll('input')].map(i => i.value),
              };
            }"""
        )
        page.screenshot(path=str(screenshot))
        browser.close()

    nodes = {n.split(".")[-1] for n in graph["nodes"] if n.startswith("model.")}
    assert nodes >= STAGING_PARENTS, STAGING_PARENTS - nodes
    assert {"int_orders_aggregated", "dim_customer", "fct_orders"} <= nodes
    edges = {(a.split(".")[-1], b.split(".")[-1]) for a, b in graph["edges"]}
    assert ("stg_olist__orders", "int_orders_aggregated") in edges
    assert ("int_orders_aggregated", "fct_orders") in edges
    # Downstream too: the graph is fct_orders' full lineage, not a neighbourhood.
    assert "customer_lifetime_value" in nodes
    assert "+fct_orders+" in graph["inputs"]  # the graph's selector box
    assert problems == []
    assert screenshot.stat().st_size > 20_000


# What a hostile contributor or source could put in a description: markup and script, a
# spreadsheet formula, a right-to-left override.
HOSTILE = (
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
    " =cmd|' /C calc'!A0 \u202egnp.exe"
)


def test_hostile_text_in_the_docs_is_shown_as_text_and_never_run(demo_lake, chromium, tmp_path):
    """The docs site shows no data values, only descriptions (and the column comments
    persisted from them): a description carrying markup and script is shown as text."""
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from lakecore.lake import Lake
    from lakehouse import stages
    from lakehouse.dbt_runner import Dbt
    from tests.python.conftest import copy_of, project_copy

    project = project_copy(tmp_path)
    models = project / "models" / "marts" / "core" / "_core__models.yml"
    text = models.read_text(encoding="utf-8")
    assert "      Order fact. Grain" in text
    models.write_text(text.replace("      Order fact.", f"      {HOSTILE} Order fact.", 1))
    site = project / "target"
    stages.docs(Dbt(Lake.open(str(copy_of(demo_lake, tmp_path))), project, target_path=site))

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    problems: list[str] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page()
            page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
            page.on(
                "request",
                lambda r: None if r.url.startswith((url, "data:")) else problems.append(r.url),
            )
            page.goto(f"{url}/#!/model/{FCT_ORDERS}")
            page.wait_for_selector("h1:has-text('fct_orders')", timeout=30_000)
            page.wait_for_selector("text=Order fact", timeout=10_000)
            assert page.evaluate("window.__pwned === undefined")  # no script or handler ran
            assert page.locator("img[src=x]").count() == 0  # no element came from the text
            shown = page.inner_text("body")
            browser.close()
    finally:
        server.shutdown()
    # Shown as the text it is (markdown reads the double underscores as emphasis).
    assert '<img src=x onerror="window.' in shown and "=cmd|' /C calc'!A0" in shown
    assert problems == []
