"""The Retailrocket dataset's four files, over the marketplace's catalog: a category tree
(department -> group -> category over the Olist categories), an item property change log
of weekly snapshots (price `790` as `n`-prefixed numbers, `available`, `categoryid`, a
hashed-token property, and `olist_product_id`, which the real download does not have:
it ties each item to its Olist product) split in two files like the original, and the
visitors' events (views, add-to-carts, transactions) on those items. Order-item prices in
the Olist files follow each product's weekly price history drawn here."""

from __future__ import annotations

import random
from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import overload

from lakecore.contract import DATASETS

# The catalog's department -> group tree over the Olist categories (first match wins).
CATEGORY_TREE_RULES: tuple[tuple[str, str, str], ...] = (
    ("moveis_", "home", "furniture"),
    ("construcao_", "home", "home_improvement"),
    ("casa_construcao", "home", "home_improvement"),
    ("ferramentas_jardim", "home", "home_improvement"),
    ("climatizacao", "home", "home_improvement"),
    ("sinalizacao", "home", "home_improvement"),
    ("cama_mesa_banho", "home", "bed_bath_kitchen"),
    ("utilidades_domesticas", "home", "bed_bath_kitchen"),
    ("la_cuisine", "home", "bed_bath_kitchen"),
    ("casa_conforto", "home", "bed_bath_kitchen"),
    ("portateis_", "home", "bed_bath_kitchen"),
    ("eletroportateis", "home", "bed_bath_kitchen"),
    ("informatica", "electronics", "computers"),
    ("pc", "electronics", "computers"),
    ("tablets", "electronics", "computers"),
    ("telefonia", "electronics", "phones"),
    ("eletrodomesticos", "electronics", "appliances"),
    ("audio", "electronics", "audio_video"),
    ("eletronicos", "electronics", "audio_video"),
    ("cine_foto", "electronics", "audio_video"),
    ("consoles_games", "electronics", "audio_video"),
    ("dvds_blu_ray", "electronics", "audio_video"),
    ("fashion_", "fashion", "clothing_shoes"),
    ("malas_acessorios", "fashion", "accessories"),
    ("relogios_presentes", "fashion", "accessories"),
    ("beleza_saude", "health_beauty", "beauty"),
    ("perfumaria", "health_beauty", "beauty"),
    ("fraldas_higiene", "health_beauty", "baby_care"),
    ("bebes", "health_beauty", "baby_care"),
    ("esporte_lazer", "leisure", "sports"),
    ("livros_", "leisure", "books_music"),
    ("musica", "leisure", "books_music"),
    ("cds_dvds", "leisure", "books_music"),
    ("instrumentos_musicais", "leisure", "books_music"),
    ("brinquedos", "leisure", "toys_gifts"),
    ("artigos_de_", "leisure", "toys_gifts"),
    ("cool_stuff", "leisure", "toys_gifts"),
    ("flores", "leisure", "toys_gifts"),
    ("artes", "leisure", "arts_stationery"),
    ("papelaria", "leisure", "arts_stationery"),
    ("alimentos", "food_drink", "groceries"),
    ("bebidas", "food_drink", "groceries"),
)
CATALOG_START = datetime(2016, 9, 4, 3, 0)  # first weekly snapshot (a Sunday, 03:00 UTC)
CATALOG_WEEKS = 112  # through October 2018
PRICE_PROPERTY = "790"  # Retailrocket's community convention: property 790 is the price


def category_path(category: str) -> tuple[str, str]:
    """(department, group) of an Olist category in the catalog tree."""
    for prefix, department, group in CATEGORY_TREE_RULES:
        if category.startswith(prefix):
            return department, group
    return "other", "general"


@dataclass
class CatalogProduct:
    """An Olist product as the catalog sees it: its item id and weekly price history."""

    product_id: str
    itemid: int
    category: str | None
    base_price: float
    change_weeks: list[int]  # weeks at which the price changed (0 = first snapshot)
    prices: list[float]
    unavailable_weeks: set[int]

    def price_at(self, when: datetime) -> float:
        week = max(0, min(CATALOG_WEEKS - 1, (when - CATALOG_START).days // 7))
        return self.prices[bisect_right(self.change_weeks, week) - 1]


class Catalog(Sequence[CatalogProduct]):
    """The products in compact arrays, so that a catalog of any scale costs about 100
    bytes per product in every process that holds it (as objects: about 900). Indexing
    gives a `CatalogProduct`, so `rng.choice(catalog)` draws as from a list."""

    def __init__(self) -> None:
        self._ids = bytearray()  # 16 bytes per product id (32 hex characters)
        self._itemids = array("q")
        self._categories: list[str | None] = [None]
        self._category = array("H")  # index into _categories
        self._base = array("d")
        self._weeks, self._prices, self._changes = array("H"), array("d"), array("q", [0])
        self._off, self._offs = array("H"), array("q", [0])
        self.product_ids: Sequence[str] = _ProductIds(self._ids)

    def append(self, p: CatalogProduct) -> None:
        self._ids += bytes.fromhex(p.product_id)
        self._itemids.append(p.itemid)
        if p.category not in self._categories:
            self._categories.append(p.category)
        self._category.append(self._categories.index(p.category))
        self._base.append(p.base_price)
        self._weeks.extend(p.change_weeks)
        self._prices.extend(p.prices)
        self._changes.append(len(self._weeks))
        self._off.extend(sorted(p.unavailable_weeks))
        self._offs.append(len(self._off))

    def __len__(self) -> int:
        return len(self._itemids)

    @property
    def itemids(self) -> Sequence[int]:
        """Each product's Retailrocket item id, in catalog order."""
        return self._itemids

    @overload
    def __getitem__(self, i: int) -> CatalogProduct: ...
    @overload
    def __getitem__(self, i: slice) -> list[CatalogProduct]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        i = _position(i, len(self))
        a, b = self._changes[i], self._changes[i + 1]
        return CatalogProduct(
            self.product_ids[i],
            self._itemids[i],
            self._categories[self._category[i]],
            self._base[i],
            self._weeks[a:b].tolist(),
            self._prices[a:b].tolist(),
            set(self._off[self._offs[i] : self._offs[i + 1]]),
        )


class _ProductIds(Sequence[str]):
    """The catalog's product ids, as text, by index."""

    def __init__(self, ids: bytearray) -> None:
        self._ids = ids

    def __len__(self) -> int:
        return len(self._ids) // 16

    def __getitem__(self, i):  # an int: what drawing and iterating need
        i = _position(i, len(self))
        return self._ids[16 * i : 16 * i + 16].hex()


def _position(i: int, n: int) -> int:
    """A sequence index (negative from the end) as a position, or IndexError."""
    if not -n <= i < n:
        raise IndexError(i)
    return i % n


def price_history(rng: random.Random) -> tuple[float, list[int], list[float], set[int]]:
    """A product's base price, the weeks its price changed with the new prices, and the
    weeks it was unavailable."""
    base = round(min(6735.0, max(0.85, rng.lognormvariate(4.3, 0.95))), 2)
    weeks, prices = [0], [base]
    for week in range(1, CATALOG_WEEKS):
        if rng.random() < 0.04:
            weeks.append(week)
            prices.append(round(max(0.85, prices[-1] * rng.uniform(0.85, 1.15)), 2))
    off = {w for w in range(CATALOG_WEEKS) if rng.random() < 0.01}
    return base, weeks, prices, off


def write_category_tree(
    out_dir: Path, rng: random.Random, products: list[CatalogProduct]
) -> tuple[dict[str, int], int]:
    """The category tree file (department -> group -> category, in shuffled order);
    returns the category id of each Olist category and the number of nodes."""
    ids: dict[tuple[str, ...], int] = {}
    tree: list[tuple[int, int | None]] = []

    def node(path: tuple[str, ...]) -> int:
        if path not in ids:
            parent = node(path[:-1]) if len(path) > 1 else None
            ids[path] = len(ids) + 1
            tree.append((ids[path], parent))
        return ids[path]

    leaf: dict[str, int] = {}
    for cat in sorted({p.category for p in products if p.category}):
        leaf[cat] = node((*category_path(cat), cat))
    order = list(range(len(tree)))
    rng.shuffle(order)
    tree_ds = DATASETS["category_tree"]
    with open(out_dir / tree_ds.file_name, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(tree_ds.header) + "\n")
        for i in order:
            cid, parent = tree[i]
            fh.write(f"{cid},{'' if parent is None else parent}\n")
    return leaf, len(tree)


PROPERTY_FILE_HEADER = ",".join(DATASETS["item_properties"].header) + "\n"


# Epoch milliseconds of each weekly snapshot.
_WEEK_MS = tuple(
    int((CATALOG_START + timedelta(weeks=w)).replace(tzinfo=UTC).timestamp() * 1000)
    for w in range(CATALOG_WEEKS)
)


def property_lines(
    rng: random.Random, products: list[CatalogProduct], leaf: dict[str, int]
) -> tuple[str, str, int]:
    """The item property change log of some products, in the Retailrocket format:
    weekly snapshots of the price (property `790`, `n`-prefixed), `available`,
    `categoryid`, the Olist product id and one hashed-token property, shuffled and split
    in two halves like the original's part1 and part2 files. Returns both halves' lines
    and the number of rows."""
    rows: list[tuple[int, int, str, str]] = []
    for p in products:
        t0 = _WEEK_MS[0] + rng.randint(0, 3600_000)
        rows.append((t0, p.itemid, "olist_product_id", p.product_id))
        rows.append((t0, p.itemid, "888", f"{rng.randint(10**5, 10**6)} n{rng.randint(1, 99)}.000"))
        if p.category:
            rows.append((t0, p.itemid, "categoryid", str(leaf[p.category])))
        for week, price in zip(p.change_weeks, p.prices, strict=True):
            rows.append((_WEEK_MS[week] if week else t0, p.itemid, PRICE_PROPERTY, f"n{price:.3f}"))
        available = 1
        rows.append((t0, p.itemid, "available", "1"))
        for week in range(1, CATALOG_WEEKS):
            now = 0 if week in p.unavailable_weeks else 1
            if now != available:
                rows.append((_WEEK_MS[week], p.itemid, "available", str(now)))
                available = now
    rng.shuffle(rows)
    lines = [f"{t},{i},{prop},{v}\n" for t, i, prop, v in rows]
    half = (len(lines) + 1) // 2
    return "".join(lines[:half]), "".join(lines[half:]), len(lines)


# ---- the visitor events (events.csv)

# The real events.csv: 2,756,101 events by 1,407,580 visitors over 417,053 catalog items
# (2,664,312 views, 69,332 add-to-carts, 22,457 transaction rows).
EVENTS_PER_ITEM = 6.6
EXTRA_VIEWS_MEAN = 0.96  # items a visitor views beyond the first (1.96 events per visitor)
CART_PER_VIEW = 0.026
TRANSACTION_PER_CART = 0.32
VISITORS_PER_CHUNK = 5_000
TRANSACTION_IDS_PER_CHUNK = 100_000  # room for a chunk's transactions (about 40 here)
ITEM_POPULARITY = 1.0  # Zipf exponent of item views (a few items get most of them)
EVENTS_FILE_HEADER = ",".join(DATASETS["retailrocket_events"].header) + "\n"
# The events fall in the catalog's last 20 weeks: as long as the real file's 4.5 months,
# so the cleaned table has as many event_date partitions as the real one's.
EVENT_WEEKS = 20
_EVENTS_FROM_MS = _WEEK_MS[CATALOG_WEEKS - EVENT_WEEKS]
_SPAN_MS = _WEEK_MS[-1] + 7 * 86_400_000 - _EVENTS_FROM_MS


def visitor_count(n_items: int) -> int:
    """Visitors for a catalog of `n_items` items, at the real events per item."""
    return max(1, round(n_items * EVENTS_PER_ITEM / (1 + EXTRA_VIEWS_MEAN)))


def popularity(n_items: int) -> list[float]:
    """Cumulative Zipf weights of the items in catalog order (shuffled by the caller's
    item ids, so popularity is not tied to the order products were drawn in)."""
    total, cumulative = 0.0, []
    for rank in range(1, n_items + 1):
        total += rank**-ITEM_POPULARITY
        cumulative.append(total)
    return cumulative


def event_lines(
    rng: random.Random,
    itemids: Sequence[int],
    cumulative: list[float],
    first_visitor: int,
    visitors: int,
    first_transaction: int,
) -> tuple[str, int]:
    """The events of `visitors` visitors, in the Retailrocket format: each visitor views
    one item or more (popular items more often), may add a viewed item to the cart and
    may buy what is in it (one transaction id per visit, on each bought item's row;
    empty on views and add-to-carts). Times are epoch milliseconds inside the catalog's
    last `EVENT_WEEKS` weeks; rows are shuffled within the chunk, as the real file is
    not ordered."""
    rows: list[tuple[int, int, str, int, str]] = []
    transaction = first_transaction
    for visitor in range(first_visitor, first_visitor + visitors):
        views = 1
        while rng.random() < EXTRA_VIEWS_MEAN / (1 + EXTRA_VIEWS_MEAN):
            views += 1
        now = _EVENTS_FROM_MS + int(rng.random() * _SPAN_MS)
        items = rng.choices(itemids, cum_weights=cumulative, k=views)
        carted = []
        for item in items:
            rows.append((now, visitor, "view", item, ""))
            if rng.random() < CART_PER_VIEW:
                now += int(rng.expovariate(1 / 30_000)) + 1
                rows.append((now, visitor, "addtocart", item, ""))
                carted.append(item)
            now += int(rng.expovariate(1 / 60_000)) + 1
        bought = [item for item in carted if rng.random() < TRANSACTION_PER_CART]
        if bought:
            now += int(rng.expovariate(1 / 300_000)) + 1
            for item in bought:
                rows.append((now, visitor, "transaction", item, str(transaction)))
            transaction += 1
    rng.shuffle(rows)
    return "".join(f"{t},{v},{e},{i},{x}\n" for t, v, e, i, x in rows), len(rows)
