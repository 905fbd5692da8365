"""Row types keyed by the contract's columns, and the random helpers every feed uses.

A generated row is a named tuple whose fields are the contract's column names in file
order (`Order(order_id=..., customer_id=..., ...)`), so the code reads `order.customer_id`
rather than `order[1]`, the writers emit columns in the contract's order, and a column
renamed in the contract fails here at once. Weighted value lists name only values the
contract allows (checked when the module loads).
"""

from __future__ import annotations

import random
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from lakecore.contract import DATASETS


def row_type(entity: str) -> type:
    """A named tuple with the entity's cleaned column names, in raw file order."""
    return namedtuple(entity.title().replace("_", ""), [c.name for c in DATASETS[entity].columns])


Customer = row_type("customers")
Seller = row_type("sellers")
ProductRow = row_type("products")
Order = row_type("orders")
OrderItem = row_type("order_items")
Payment = row_type("order_payments")
Review = row_type("order_reviews")
Geolocation = row_type("geolocation")
Translation = row_type("product_category_name_translation")
Event = row_type("events")


def allowed(weights: Mapping[str, float], values: Iterable[str], what: str) -> dict[str, float]:
    """`weights`, once every value it names is one the contract allows for `what`."""
    unknown = set(weights) - set(values)
    if unknown:
        raise ValueError(f"{what}: {sorted(unknown)} are not allowed by the contract")
    return dict(weights)


def hex_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def weighted(rng: random.Random, weights: Mapping[str, float]) -> Callable[[], str]:
    """A picker of values in proportion to their weights."""
    values = list(weights)
    cum = []
    total = 0.0
    for w in weights.values():
        total += w
        cum.append(total)

    def pick() -> str:
        return rng.choices(values, cum_weights=cum, k=1)[0]

    return pick


def exactly(rng: random.Random, n: int, k: int) -> set[int]:
    """k distinct indices out of n: quirks with an exact count at every scale."""
    return set(rng.sample(range(n), min(k, n)))
