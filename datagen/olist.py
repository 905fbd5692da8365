"""The 9 Olist marketplace files, with the real download's row counts at scale 1.0
(99,441 orders), its byte format and its quirks.

Quirks of the real data reproduced here (counts at scale 1.0; exact counts scale with
`--scale`, rates are kept):
  headers        misspelled `product_name_lenght`; translation file with BOM, CRLF and
                 no final newline; English typos (costruction_tools_garden, ...)
  quoting        hex ids quoted only when they start with a digit; zip prefixes always
                 quoted; reviews quote ids always and text only when needed, CRLF rows,
                 CRLF inside some messages, trailing spaces
  reviews        ~0.8% of rows reuse a review_id of another order; 547 orders with two
                 reviews; ~0.8% of orders without review
  products       610 without category (and name/description/photos), 2 without
                 dimensions, 4 weighing 0 g, 13 in the 2 untranslated categories
  geolocation    ~1,000,163 rows, ~26% exact duplicates, 164 used prefixes missing,
                 a few prefixes under two states, 29 points outside Brazil, accents
  orders         8 delivered without delivery date, 6 canceled with one, ~1,359 approved
                 after carrier pickup, 23 carrier pickups after delivery; 775-ish
                 orders without items; shipping_limit_date outliers up to 2020-04-09
  payments       1 order without payment, 3 `not_defined` payments of 0.00, 2 credit
                 card payments with 0 installments, voucher splits
  sellers        dirty cities (an e-mail address, digits, `sao paulo - sp`, `sbc/sp`)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from datagen import retailrocket
from datagen.csv_format import BARE, ID, QUOTED, TEXT, ZIP, CsvLayout
from datagen.olist_orders import OrderQuirks, draw_orders, draw_quirks
from datagen.olist_reference import (
    ACCENTED,
    CATEGORY_TRANSLATIONS,
    CATEGORY_WEIGHT_OVERRIDES,
    DIRTY_SELLER_CITIES,
    STATE_CENTER,
    STATES,
    UNTRANSLATED_CATEGORIES,
)
from datagen.rows import (
    Customer,
    Geolocation,
    Order,
    OrderItem,
    Payment,
    ProductRow,
    Review,
    Seller,
    Translation,
    exactly,
    hex_id,
    weighted,
)
from lakecore.contract import DATASETS

# How each column is quoted in the real files (csv_format's kinds); unlisted: bare.
QUOTING: dict[str, dict[str, str]] = {
    "customers": {"customer_id": ID, "customer_unique_id": ID, "customer_zip_code_prefix": ZIP},
    "geolocation": {"geolocation_zip_code_prefix": ZIP},
    "order_items": {"order_id": ID, "product_id": ID, "seller_id": ID},
    "order_payments": {"order_id": ID},
    "order_reviews": {"review_id": QUOTED, "order_id": QUOTED,
                      "review_comment_title": TEXT, "review_comment_message": TEXT},
    "orders": {"order_id": ID, "customer_id": ID},
    "products": {"product_id": ID},
    "sellers": {"seller_id": ID, "seller_zip_code_prefix": ZIP},
}  # fmt: skip
# Line endings, header quoting and encoding where a file differs from the others.
FILE_FORMAT: dict[str, dict] = {
    "order_reviews": {"newline": "\r\n"},
    "product_category_name_translation": {
        "newline": "\r\n", "quote_header": False, "final_newline": False,
    },
}  # fmt: skip
BOM_FILES = ("product_category_name_translation",)
_STATES = {s.code: s for s in STATES}


class _Draw:
    """The random draws, in a fixed order: the same seed gives the same marketplace."""

    def __init__(
        self, rng: random.Random, scale: float, pool: dict[str, list[str]] | None = None
    ) -> None:
        self.rng, self.scale = rng, scale
        self.pick_state = weighted(rng, {s.code: s.share for s in STATES})
        self.states = _STATES
        self.pool = self._zip_pool() if pool is None else pool

    def _zip_pool(self) -> dict[str, list[str]]:
        """Zip prefixes per state: geolocation knows more prefixes than customers use; a
        few used prefixes are missing from geolocation (157 customer and 7 seller prefixes
        at 1.0). Every state gets at least one, so drawing customers never adds to the
        pool and every chunk of orders sees the same pool."""
        rng = self.rng
        pool: dict[str, list[str]] = {}
        seen: set[str] = set()

        def add(st: str, attempts: int) -> None:
            lo, hi = self.states[st].zips
            for _attempt in range(attempts):
                z = f"{rng.randint(lo, hi):05d}"
                if z not in seen:
                    seen.add(z)
                    pool.setdefault(st, []).append(z)
                    return

        for _ in range(self.scaled(19015, 60)):
            add(self.pick_state(), 20)
        for st in self.states:
            if st not in pool:
                add(st, 10_000)
        return pool

    def scaled(self, real: int, minimum: int = 1) -> int:
        return max(minimum, round(real * self.scale))

    def zip_for(self, state: str) -> str:
        return self.rng.choice(self.pool[state])

    def city_for(self, state: str) -> str:
        return self.rng.choice(self.states[state].cities)

    def sellers(self) -> list[Seller]:
        """Mostly in SP; a few dirty city values."""
        rng, n = self.rng, self.scaled(3095, 12)
        dirty = exactly(rng, n, self.scaled(len(DIRTY_SELLER_CITIES) * 2))
        out = []
        for i in range(n):
            st = self.pick_state() if rng.random() < 0.4 else "SP"
            city = rng.choice(DIRTY_SELLER_CITIES) if i in dirty else self.city_for(st)
            out.append(
                Seller(
                    seller_id=hex_id(rng),
                    seller_zip_code_prefix=self.zip_for(st),
                    seller_city=city,
                    seller_state=st,
                )
            )
        return out

    def products(self) -> tuple[retailrocket.Catalog, list[ProductRow]]:
        """Products with a weekly price and availability history (the catalog feed)."""
        rng, n = self.rng, self.scaled(32951, 40)
        cat_names = [c for c, _ in CATEGORY_TRANSLATIONS]
        cat_weights = [CATEGORY_WEIGHT_OVERRIDES.get(c, 3.0) for c in cat_names]
        untranslated = sorted(exactly(rng, n, self.scaled(13)))
        no_category = exactly(rng, n, self.scaled(610))
        no_dims = exactly(rng, n, self.scaled(2))
        zero_weight = exactly(rng, n, self.scaled(4))
        itemids = item_ids(rng, n)
        products, rows = retailrocket.Catalog(), []
        for i in range(n):
            if i in untranslated:
                cat = UNTRANSLATED_CATEGORIES[untranslated.index(i) % 2]
            elif i in no_category:
                cat = None
            else:
                cat = rng.choices(cat_names, weights=cat_weights)[0]
            base, weeks, prices, off = retailrocket.price_history(rng)
            p = retailrocket.CatalogProduct(hex_id(rng), itemids[i], cat, base, weeks, prices, off)
            products.append(p)
            weight = 0 if i in zero_weight else min(40425, int(rng.lognormvariate(6.5, 1.2)) + 50)
            rows.append(
                ProductRow(
                    product_id=p.product_id,
                    product_category_name=cat,
                    product_name_length=None if cat is None else rng.randint(5, 76),
                    product_description_length=None if cat is None else rng.randint(4, 3992),
                    product_photos_qty=None
                    if cat is None
                    else rng.choices((1, 2, 3, 4, 5), (50, 20, 12, 8, 10))[0],
                    product_weight_g=None if i in no_dims else weight,
                    product_length_cm=None if i in no_dims else rng.randint(7, 105),
                    product_height_cm=None if i in no_dims else rng.randint(2, 105),
                    product_width_cm=None if i in no_dims else rng.randint(6, 118),
                )
            )
        return products, rows

    def customers(self, n_orders: int) -> list[Customer]:
        """One customer_id per order; repeat buyers (within the chunk) share
        customer_unique_id."""
        rng = self.rng
        people: list[tuple[str, str, str, str]] = []
        out = []
        for _ in range(n_orders):
            if people and rng.random() < 0.033:
                uid, zp, city, st = rng.choice(people)
            else:
                st = self.pick_state()
                uid, zp, city = hex_id(rng), self.zip_for(st), self.city_for(st)
                people.append((uid, zp, city, st))
            out.append(Customer(hex_id(rng), uid, zp, city, st))
        return out


def item_ids(rng: random.Random, n: int) -> list[int]:
    """`n` distinct catalog item ids, in the real catalog's range (1 .. 469,999) while it
    has room for them (up to scale ~14), in a range twice as large as needed beyond."""
    return rng.sample(range(1, max(470_000, 2 * n)), n)


@dataclass(frozen=True)
class Marketplace:
    """What every chunk of orders draws from: the zip pool, the sellers, the products
    with their price histories, how many orders there are and which of them carry the
    quirks that have exact counts. It grows with the catalog, not with the orders."""

    scale: float
    pool: dict[str, list[str]]
    sellers: list[Seller]
    products: retailrocket.Catalog
    n_orders: int
    quirks: OrderQuirks


def draw_marketplace(rng: random.Random, scale: float) -> tuple[Marketplace, list[ProductRow]]:
    """The marketplace's reference draws, in a fixed order from `rng`, and the products
    file's rows."""
    d = _Draw(rng, scale)
    sellers = d.sellers()
    products, product_rows = d.products()
    n_orders = d.scaled(99441, 60)
    market = Marketplace(
        scale, d.pool, sellers, products, n_orders,
        draw_quirks(rng, d.scaled, n_orders),
    )  # fmt: skip
    return market, product_rows


@dataclass
class OrderChunk:
    """Orders `first` .. `first + len(orders) - 1` and what hangs off them."""

    customers: list[Customer]
    orders: list[Order]
    items: list[OrderItem]
    payments: list[Payment]
    reviews: list[Review]


def draw_order_chunk(rng: random.Random, market: Marketplace, first: int, n: int) -> OrderChunk:
    """`n` orders with their customers, drawn from the chunk's own `rng`: a chunk's rows
    do not depend on the other chunks, so chunks can be drawn in any process."""
    customers = _Draw(rng, market.scale, market.pool).customers(n)
    orders, items, payments, reviews = draw_orders(
        rng, market.quirks, first, customers, market.sellers, market.products
    )
    return OrderChunk(customers, orders, items, payments, reviews)


@dataclass(frozen=True)
class GeolocationPlan:
    """The geolocation file's shape, drawn once: the prefixes it lists (with the city a
    customer or seller there has, if any, and whether a few of its points fall under
    another state), the mean number of distinct points per prefix, and how many points
    outside Brazil each chunk of prefixes carries."""

    prefixes: list[tuple[str, str, str | None, bool]]
    per_prefix: int
    outside: list[int]  # per chunk of PREFIXES_PER_CHUNK prefixes


PREFIXES_PER_CHUNK = 2_000
DUPLICATE_SHARE = 0.26  # of the real file's rows, exact duplicates of another row


def plan_geolocation(
    rng: random.Random, market: Marketplace, city_of: dict[str, str]
) -> GeolocationPlan:
    """About 1,000,163 rows at scale 1: several points per prefix, ~26% exact duplicate
    rows, a few used prefixes missing, a few under two states, a few dozen points outside
    Brazil. `city_of` maps the prefixes customers and sellers use to one of their cities."""
    scale = market.scale
    target = max(200, round(1_000_163 * scale))
    missing = set(rng.sample(sorted(city_of), min(len(city_of) // 10, max(1, round(164 * scale)))))
    prefixes = sorted((z, st) for st, zs in market.pool.items() for z in zs if z not in missing)
    two_states = exactly(rng, len(prefixes), max(1, round(8 * scale)))
    n_chunks = -(-len(prefixes) // PREFIXES_PER_CHUNK)
    outside = [0] * n_chunks
    for chunk in rng.choices(range(n_chunks), k=max(1, round(29 * scale))):
        outside[chunk] += 1
    return GeolocationPlan(
        [(z, st, city_of.get(z), i in two_states) for i, (z, st) in enumerate(prefixes)],
        max(1, round(target * (1 - DUPLICATE_SHARE)) // len(prefixes)),
        outside,
    )


def draw_geolocation_chunk(
    rng: random.Random,
    prefixes: list[tuple[str, str, str | None, bool]],
    per_prefix: int,
    outside: int,
) -> list[Geolocation]:
    """The points of some prefixes: distinct points with accented spellings beside plain
    ones, padded with exact duplicates to the real share, then the points outside Brazil
    (copies of a point with far-away coordinates), shuffled."""
    codes = [s.code for s in STATES]
    rows: list[Geolocation] = []
    for zp, st, known_city, two_states in prefixes:
        city = known_city or rng.choice(_STATES[st].cities)
        for _ in range(rng.randint(1, 2 * per_prefix - 1) if per_prefix > 1 else 1):
            lat, lng = STATE_CENTER[st]
            lat, lng = lat + rng.uniform(-1.2, 1.2), lng + rng.uniform(-1.2, 1.2)
            shown = ACCENTED.get(city, city) if rng.random() < 0.3 else city
            state = st
            if two_states and rng.random() < 0.3:
                state = rng.choice([c for c in codes if c != st])
            rows.append(Geolocation(zp, repr(lat), repr(lng), shown, state))
    distinct = len(rows)
    rows += [
        rows[rng.randrange(distinct)]
        for _ in range(round(distinct * DUPLICATE_SHARE / (1 - DUPLICATE_SHARE)))
    ]
    for _ in range(outside):
        point = rows[rng.randrange(distinct)]
        rows.append(
            point._replace(
                geolocation_lat=repr(rng.uniform(38, 45.07)),
                geolocation_lng=repr(rng.uniform(100, 121.1)),
            )
        )
    rng.shuffle(rows)
    return rows


def layout(entity: str) -> CsvLayout:
    """The real file's byte format for one of the 9 Olist entities."""
    ds = DATASETS[entity]
    kinds = [QUOTING.get(entity, {}).get(c.name, BARE) for c in ds.columns]
    encoding = "utf-8-sig" if entity in BOM_FILES else "utf-8"
    return CsvLayout(ds.header, kinds, encoding=encoding, **FILE_FORMAT.get(entity, {}))


def write(out_dir: Path, entity: str, rows: list) -> int:
    """One whole file (the small ones: sellers, products, translations); returns rows."""
    lay = layout(entity)
    with open(out_dir / DATASETS[entity].file_name, "w", encoding=lay.encoding, newline="") as fh:
        return lay.write(fh, rows)


def translations() -> list[Translation]:
    return [Translation(*t) for t in CATEGORY_TRANSLATIONS]
