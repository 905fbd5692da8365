"""`generate`: every feed into one folder, deterministic for a seed and scale, in bounded
memory.

The real Kaggle download cannot be fetched on every machine, so the project generates
files with the same names, headers, quoting and quirks as the real ones. Scale 1.0
reproduces the real row counts (99,441 orders); the demo uses a small scale. The same
seed always gives byte-identical files.

Only the catalog (sellers, products with their price histories, the zip pool) is drawn
whole. Everything that grows with the orders is drawn in chunks: ORDERS_PER_CHUNK
orders with their customers, items, payments, reviews and website sessions; the catalog
feed PRODUCTS_PER_CHUNK products at a time; geolocation a chunk of zip prefixes at a
time. Each chunk draws from its own random stream (seeded from the seed, the kind of
chunk and its number), so a pool of worker processes draws them and the parent writes
them in order: the bytes do not depend on the number of workers, and memory holds the
catalog and a few chunks. Shuffles (orders, reviews, events ...) happen within a chunk;
the order items are sorted by order id across chunks through sorted runs on disk, and
the Firehose feed goes through one spill file per day.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
import random
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from datagen import clickstream, olist, retailrocket, walmart
from lakecore.contract import DATASETS
from lakecore.errors import PipelineError

# How many times `generate` reports progress (for a progress bar's total): the
# products, the Retailrocket feed and events, a tenth of the orders ten times, the
# items, geolocation, the stream, the Walmart transactions.
GENERATION_STEPS = 16
ORDERS_PER_CHUNK = 5_000  # about 85k events: tens of MB per worker
PRODUCTS_PER_CHUNK = 5_000
MERGE_FAN_IN = 128  # sorted runs merged at once (open files)
ORDER_FILES = ("customers", "orders", "order_payments", "order_reviews")

# The catalogs, set before the worker pool forks: workers read them, nothing writes them.
_MARKET: olist.Marketplace | None = None
_WALMART: walmart.Products | None = None


@dataclass(frozen=True)
class GenerationResult:
    out_dir: Path
    rows: dict[str, int]


def generate(
    out_dir: Path,
    scale: float = 0.01,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> GenerationResult:
    """Write the 9 Olist files, the clickstream (CSV and Firehose JSON feed), the
    Retailrocket files (catalog change feed, category tree, visitor events) and the
    Walmart transactions into `out_dir`. Same seed and
    scale, same bytes, whatever the number of `workers` (processes; default: one per
    core)."""
    global _MARKET, _WALMART
    if not scale > 0:
        raise PipelineError(f"--scale {scale}: pass a number greater than 0 (1.0 = real size)")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _label: None)

    market, product_rows = olist.draw_marketplace(rng, scale)
    counts = {
        "sellers": olist.write(out_dir, "sellers", market.sellers),
        "products": olist.write(out_dir, "products", product_rows),
        "product_category_name_translation": olist.write(
            out_dir, "product_category_name_translation", olist.translations()
        ),
    }
    del product_rows
    report("products")
    leaf, counts["category_tree"] = retailrocket.write_category_tree(out_dir, rng, market.products)
    try:
        _MARKET = market
        # Its own stream: adding the Walmart file changed no byte of the others.
        _WALMART = walmart.draw_products(chunk_rng(seed, "walmart-products", 0), scale)
        with _worker_map(workers) as run, tempfile.TemporaryDirectory(prefix="datagen-") as tmp:
            spill = Path(tmp)
            counts["item_properties"] = _write_catalog_feed(out_dir, run, seed, leaf)
            counts["retailrocket_events"] = _write_retailrocket_events(out_dir, run, seed)
            report("retailrocket")
            city_of = _write_orders(out_dir, spill, run, seed, counts, report)
            city_of |= {s.seller_zip_code_prefix: s.seller_city for s in market.sellers}
            plan = olist.plan_geolocation(rng, market, city_of)
            counts["geolocation"] = _write_geolocation(out_dir, run, seed, plan)
            report("geolocation")
            counts["events_stream"] = sum(
                clickstream.write_stream_day(out_dir / clickstream.STREAM_FOLDER, day, seed)
                for day in _spilled_days(spill)
            )
            report("clickstream stream")
            counts["walmart_sales"] = _write_walmart(out_dir, run, seed, scale)
            report("walmart")
    finally:
        _MARKET = _WALMART = None
    return GenerationResult(out_dir=out_dir, rows=counts)


def chunk_rng(seed: int, kind: str, number: int) -> random.Random:
    """The random stream of one chunk (a str seed is hashed the same in every process)."""
    return random.Random(f"{seed}/{kind}/{number}")


# ---- the chunks (run in worker processes)


def _catalog_chunk(job: tuple[int, int, int, dict[str, int]]) -> tuple[str, str, int]:
    seed, number, first, leaf = job
    products = _MARKET.products[first : first + PRODUCTS_PER_CHUNK]
    return retailrocket.property_lines(chunk_rng(seed, "catalog", number), products, leaf)


_POPULARITY: list[float] | None = None  # a worker's cumulative item weights, made once


def _retailrocket_events_chunk(job: tuple[int, int, int, int]) -> tuple[str, int]:
    global _POPULARITY
    seed, number, first, count = job
    itemids = _MARKET.products.itemids
    if _POPULARITY is None or len(_POPULARITY) != len(itemids):
        _POPULARITY = retailrocket.popularity(len(itemids))
    rng = chunk_rng(seed, "retailrocket-events", number)
    first_transaction = number * retailrocket.TRANSACTION_IDS_PER_CHUNK
    return retailrocket.event_lines(rng, itemids, _POPULARITY, first, count, first_transaction)


@dataclass
class _OrdersOut:
    blocks: dict[str, tuple[str, int]]  # entity -> (text, rows)
    items: tuple[str, int]  # sorted by order id
    stream: dict[str, str]  # day -> Firehose spill lines
    zips: dict[str, str]  # zip prefix -> a customer's city


def _orders_chunk(job: tuple[int, int, int, int]) -> _OrdersOut:
    seed, number, first, n = job
    market = _MARKET
    rng = chunk_rng(seed, "orders", number)
    chunk = olist.draw_order_chunk(rng, market, first, n)
    events = clickstream.events(
        rng, chunk.orders, chunk.customers, market.products.product_ids,
        n_sessions_extra=3 * n, id_prefix=f"ev_{number:05d}",
    )  # fmt: skip
    rows = {"customers": chunk.customers, "orders": chunk.orders,
            "order_payments": chunk.payments, "order_reviews": chunk.reviews}  # fmt: skip
    blocks = {entity: olist.layout(entity).block(r) for entity, r in rows.items()}
    blocks["events"] = clickstream.EXPORT_LAYOUT.block(events)
    return _OrdersOut(
        blocks,
        olist.layout("order_items").block(chunk.items),
        clickstream.stream_lines(events),
        {c.customer_zip_code_prefix: c.customer_city for c in chunk.customers},
    )


def _walmart_chunk(job: tuple[int, int, int, int]) -> tuple[str, int]:
    seed, number, first, count = job
    return walmart.chunk_lines(chunk_rng(seed, "walmart", number), _WALMART, first, count)


def _geolocation_chunk(job: tuple[int, int, list, int, int]) -> tuple[str, int]:
    seed, number, prefixes, per_prefix, outside = job
    rng = chunk_rng(seed, "geolocation", number)
    rows = olist.draw_geolocation_chunk(rng, prefixes, per_prefix, outside)
    return olist.layout("geolocation").block(rows)


# ---- the writers (in the parent, in chunk order)


def _write_catalog_feed(out_dir: Path, run, seed: int, leaf: dict[str, int]) -> int:
    """Each chunk's shuffled rows, half in part1 and half in part2."""
    names = DATASETS["item_properties"].file_names
    n_products = len(_MARKET.products)
    jobs = [(seed, k, first, leaf) for k, first in
            enumerate(range(0, n_products, PRODUCTS_PER_CHUNK))]  # fmt: skip
    rows = 0
    with (
        open(out_dir / names[0], "w", newline="") as p1,
        open(out_dir / names[1], "w", newline="") as p2,
    ):
        p1.write(retailrocket.PROPERTY_FILE_HEADER)
        p2.write(retailrocket.PROPERTY_FILE_HEADER)
        for first_half, second_half, n in run(_catalog_chunk, jobs):
            p1.write(first_half)
            p2.write(second_half)
            rows += n
    return rows


def _write_retailrocket_events(out_dir: Path, run, seed: int) -> int:
    """The visitors' events, chunk after chunk of visitors."""
    visitors = retailrocket.visitor_count(len(_MARKET.products))
    per = retailrocket.VISITORS_PER_CHUNK
    jobs = [(seed, k, first, min(per, visitors - first)) for k, first in
            enumerate(range(0, visitors, per))]  # fmt: skip
    rows = 0
    with open(out_dir / DATASETS["retailrocket_events"].file_name, "w", newline="") as fh:
        fh.write(retailrocket.EVENTS_FILE_HEADER)
        for lines, n in run(_retailrocket_events_chunk, jobs):
            fh.write(lines)
            rows += n
    return rows


def _write_orders(
    out_dir: Path, spill: Path, run, seed: int, counts: dict[str, int], report
) -> dict[str, str]:
    """Customers, orders, payments, reviews and the events export, chunk after chunk;
    order items as sorted runs merged at the end; the Firehose records spilled by day.
    Returns the customers' zip prefixes with a city of each."""
    n_orders = _MARKET.n_orders
    jobs = [(seed, k, first, min(ORDERS_PER_CHUNK, n_orders - first)) for k, first in
            enumerate(range(0, n_orders, ORDERS_PER_CHUNK))]  # fmt: skip
    layouts = {entity: olist.layout(entity) for entity in ORDER_FILES}
    layouts["events"] = clickstream.EXPORT_LAYOUT
    names = {entity: DATASETS[entity].file_name for entity in layouts}
    city_of: dict[str, str] = {}
    runs: list[Path] = []
    with ExitStack() as stack:
        files = {e: stack.enter_context(open(out_dir / names[e], "w", encoding=lay.encoding,
                                              newline=""))
                 for e, lay in layouts.items()}  # fmt: skip
        days: dict[str, IO[str]] = {}
        for e, fh in files.items():
            fh.write(layouts[e].head())
            counts[e] = 0
        counts["order_items"] = 0
        for k, out in enumerate(run(_orders_chunk, jobs)):
            for e, (text, n) in out.blocks.items():
                files[e].write(text)
                counts[e] += n
            text, n = out.items
            if n:
                runs.append(spill / f"items-{k:06d}.txt")
                runs[-1].write_text(text[1:] + "\n", encoding="utf-8")
                counts["order_items"] += n
            for day, lines in out.stream.items():
                if day not in days:
                    path = spill / f"stream-{day}.txt"
                    days[day] = stack.enter_context(open(path, "w", encoding="utf-8"))
                days[day].write(lines)
            city_of.update(out.zips)
            for _tenth in range((10 * (k + 1)) // len(jobs) - (10 * k) // len(jobs)):
                report(f"orders {min(n_orders, (k + 1) * ORDERS_PER_CHUNK):,}")
        for e, fh in files.items():
            fh.write(layouts[e].tail())
    _merge_items(out_dir / DATASETS["order_items"].file_name, runs, spill)
    report("order items")
    return city_of


def _item_key(line: str) -> tuple[str, int]:
    order_id, item_no, _rest = line.split(",", 2)
    return order_id.strip('"'), int(item_no)


def _merge_items(path: Path, runs: list[Path], spill: Path) -> None:
    """The items file from sorted runs (lines), sorted by (order_id, order_item_id),
    merging at most MERGE_FAN_IN runs at a time."""
    level = 0
    while len(runs) > MERGE_FAN_IN:
        merged = []
        for i in range(0, len(runs), MERGE_FAN_IN):
            merged.append(spill / f"items-merge{level}-{i:06d}.txt")
            with open(merged[-1], "w", encoding="utf-8") as out:
                out.writelines(_merged(runs[i : i + MERGE_FAN_IN]))
        runs, level = merged, level + 1
    lay = olist.layout("order_items")
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(lay.head())
        for line in _merged(runs):
            out.write("\n" + line[:-1])
        out.write(lay.tail())


def _merged(runs: list[Path]) -> Iterator[str]:
    with ExitStack() as stack:
        files = [stack.enter_context(open(p, encoding="utf-8", newline="")) for p in runs]
        yield from heapq.merge(*files, key=_item_key)


def _write_geolocation(out_dir: Path, run, seed: int, plan: olist.GeolocationPlan) -> int:
    size = olist.PREFIXES_PER_CHUNK
    jobs = [(seed, k, plan.prefixes[k * size : (k + 1) * size], plan.per_prefix, outside)
            for k, outside in enumerate(plan.outside)]  # fmt: skip
    lay = olist.layout("geolocation")
    rows = 0
    with open(out_dir / DATASETS["geolocation"].file_name, "w", newline="") as fh:
        fh.write(lay.head())
        for text, n in run(_geolocation_chunk, jobs):
            fh.write(text)
            rows += n
        fh.write(lay.tail())
    return rows


def _write_walmart(out_dir: Path, run, seed: int, scale: float) -> int:
    users, size = walmart.n_users(scale), walmart.USERS_PER_CHUNK
    jobs = [(seed, k, first, min(size, users - first))
            for k, first in enumerate(range(0, users, size))]  # fmt: skip
    rows = 0
    with open(out_dir / DATASETS["walmart_sales"].file_name, "w", newline="") as fh:
        fh.write(walmart.LAYOUT.head())
        for text, n in run(_walmart_chunk, jobs):
            fh.write(text)
            rows += n
        fh.write(walmart.LAYOUT.tail())
    return rows


def _spilled_days(spill: Path) -> Iterator[list[str]]:
    for path in sorted(spill.glob("stream-*.txt")):
        with open(path, encoding="utf-8", newline="") as fh:
            yield fh.readlines()


@contextmanager
def _worker_map(workers: int | None):
    """A map over chunks that yields results in job order, with at most two chunks per
    worker in flight (so a slow writer bounds memory). One worker: in this process."""
    n = workers or os.cpu_count() or 1
    if n <= 1:
        yield lambda fn, jobs: map(fn, jobs)
        return
    with multiprocessing.get_context("fork").Pool(n) as pool:

        def run(fn: Callable, jobs: Iterable) -> Iterator:
            pending: deque = deque()
            for job in jobs:
                pending.append(pool.apply_async(fn, (job,)))
                if len(pending) >= 2 * n:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()

        yield run
