"""The Olist orders and what hangs off them: items priced from the catalog's weekly price
history, payments (voucher splits, zero-installment and `not_defined` quirks) and
reviews (worse for late deliveries, review ids reused across orders), drawn per order
in a fixed order from the generator's random stream."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from datagen import retailrocket
from datagen.olist_reference import (
    MONTHLY_ORDERS,
    ORDER_STATUS_WEIGHTS,
    PAYMENT_TYPE_WEIGHTS,
    REVIEW_MESSAGES,
    REVIEW_TITLES,
)
from datagen.rows import (
    Customer,
    Order,
    OrderItem,
    Payment,
    Review,
    Seller,
    exactly,
    hex_id,
    ts,
    weighted,
)

LAST_PURCHASE = datetime(2018, 10, 17, 17, 30)

# Delivery times, calibrated on the real profile (DATA_SPEC.md, distributions): purchase
# to delivery a mean of 12.5 days and a median of 10, the estimate a mean of ~23.5 days,
# 8% of delivered orders late. Each order has a route (its lognormal typical time: far
# states take longer and are promised longer); the delivery scatters around it, and the
# estimate is the route stretched plus a margin, so lateness is rare but real.
DELIVERY_MEDIAN_DAYS = 10.0
DELIVERY_SIGMA = 0.668  # lognormal: mean / median = exp(sigma^2 / 2) = 1.25
DELIVERY_SCATTER_SIGMA = 0.62  # the part of that spread the estimate does not foresee
ESTIMATE_STRETCH, ESTIMATE_MARGIN_DAYS = 1.55, 8.0
# Review scores (1..5) for orders delivered on time, and for late or undelivered ones
# (~11% of the reviews): together the real shares 11.5 / 3.2 / 8.2 / 19.3 / 57.8%, mean
# 4.09, with low scores concentrated on late deliveries.
SCORE_WEIGHTS_ON_TIME = (7.5, 2.4, 7.5, 20.0, 62.6)
SCORE_WEIGHTS_LATE = (45.0, 10.0, 14.0, 13.0, 18.0)


@dataclass(frozen=True)
class OrderQuirks:
    """Which orders (by their number, 0 .. n_orders - 1) carry the quirks that have an
    exact count in the real data."""

    delivered_no_date: set[int]
    canceled_with_date: set[int]
    carrier_after_delivery: set[int]
    no_payment: set[int]
    not_defined: set[int]
    zero_installments: set[int]
    second_review: set[int]
    late_limit: set[int]


def draw_quirks(rng: random.Random, scaled: Callable[[int], int], n_orders: int) -> OrderQuirks:
    return OrderQuirks(
        delivered_no_date=exactly(rng, n_orders, scaled(8)),
        canceled_with_date=exactly(rng, n_orders, scaled(6)),
        carrier_after_delivery=exactly(rng, n_orders, scaled(23)),
        no_payment=exactly(rng, n_orders, scaled(1)),
        not_defined=exactly(rng, n_orders, scaled(3)),
        zero_installments=exactly(rng, n_orders, scaled(2)),
        second_review=exactly(rng, n_orders, scaled(547)),
        late_limit=exactly(rng, n_orders, scaled(4)),
    )


# The first day of each month of the real order curve (September 2016 onwards).
_MONTHS = [datetime(2016 + (8 + i) // 12, (8 + i) % 12 + 1, 1) for i in range(len(MONTHLY_ORDERS))]


def draw_orders(
    rng: random.Random,
    quirks: OrderQuirks,
    first: int,
    customers: list[Customer],
    sellers: list[Seller],
    products: retailrocket.Catalog,
) -> tuple[list[Order], list[OrderItem], list[Payment], list[Review]]:
    """One order per customer, numbered from `first`, over the months of the real curve,
    with their items, payments and reviews. Orders, payments and reviews come shuffled,
    items sorted by order and item number."""
    pick_status = weighted(rng, ORDER_STATUS_WEIGHTS)
    pick_payment = weighted(rng, PAYMENT_TYPE_WEIGHTS)
    orders: list[Order] = []
    items: list[OrderItem] = []
    payments: list[Payment] = []
    reviews: list[Review] = []
    review_ids: list[str] = []
    for idx, cust in enumerate(customers, start=first):
        oid = hex_id(rng)
        m = rng.choices(_MONTHS, weights=MONTHLY_ORDERS)[0]
        days_in_month = ((m.replace(day=28) + timedelta(days=4)).replace(day=1) - m).days
        purchased = m + timedelta(seconds=rng.randint(0, days_in_month * 86400 - 1))
        if purchased > LAST_PURCHASE:
            purchased = LAST_PURCHASE - timedelta(minutes=idx % 500)
        order, delivered, estimated = _order(rng, quirks, idx, oid, cust, purchased, pick_status())
        orders.append(order)
        total = _items(rng, quirks, idx, order, purchased, sellers, products, items)
        if idx not in quirks.no_payment:
            _payments(rng, quirks, pick_payment, idx, oid, total, payments)
        # Reviews: worse scores for late deliveries; review ids reused across orders. An
        # order picked for a second review always has one (its count is exact).
        if idx in quirks.second_review or rng.random() < 0.9923:
            late = delivered is not None and delivered.date() > estimated.date()
            for _ in range(2 if idx in quirks.second_review else 1):
                reviews.append(_review(rng, oid, late, delivered, estimated, review_ids))
    rng.shuffle(orders)
    rng.shuffle(reviews)
    rng.shuffle(payments)
    items.sort(key=lambda r: (r.order_id, r.order_item_id))
    return orders, items, payments, reviews


def _order(rng, quirks: OrderQuirks, idx: int, oid: str, cust: Customer, purchased, status):
    """The order row, its delivery time (or None) and its estimated delivery date."""
    if idx in quirks.delivered_no_date:
        status = "delivered"
    if idx in quirks.canceled_with_date:
        status = "canceled"
    approved = purchased + timedelta(minutes=rng.randint(5, 3000))
    route_sigma = (DELIVERY_SIGMA**2 - DELIVERY_SCATTER_SIGMA**2) ** 0.5
    route_days = rng.lognormvariate(math.log(DELIVERY_MEDIAN_DAYS), route_sigma)
    days = route_days * rng.lognormvariate(0.0, DELIVERY_SCATTER_SIGMA)
    delivered = max(purchased + timedelta(days=days), approved + timedelta(hours=12))
    carrier = approved + (delivered - approved) * rng.uniform(0.1, 0.5)
    promised = round(route_days * ESTIMATE_STRETCH + ESTIMATE_MARGIN_DAYS)
    estimated = (purchased + timedelta(days=promised)).replace(hour=0, minute=0, second=0)
    if status == "created" or rng.random() < 160 / 99441:
        approved = None
    if status not in ("delivered", "shipped") or rng.random() < 0.005:
        carrier = None
    if status != "delivered" or idx in quirks.delivered_no_date:
        delivered = None
    if idx in quirks.canceled_with_date:
        delivered = purchased + timedelta(days=rng.randint(5, 20))
    if idx in quirks.carrier_after_delivery and delivered and carrier:
        carrier = delivered + timedelta(hours=rng.randint(1, 48))
    if status == "delivered" and rng.random() < 1359 / 99441 and carrier and approved:
        approved = carrier + timedelta(hours=rng.randint(1, 30))  # approved after pickup
    order = Order(
        order_id=oid,
        customer_id=cust.customer_id,
        order_status=status,
        order_purchase_timestamp=ts(purchased),
        order_approved_at=ts(approved) if approved else None,
        order_delivered_carrier_date=ts(carrier) if carrier else None,
        order_delivered_customer_date=ts(delivered) if delivered else None,
        order_estimated_delivery_date=ts(estimated),
    )
    return order, delivered, estimated


def _items(rng, quirks, idx, order: Order, purchased, sellers, products, out) -> float:
    """The order's items (most orders have one; unavailable and canceled orders often
    none), priced from the catalog's price history; returns price + freight."""
    if order.order_status in ("unavailable", "canceled") and rng.random() < 0.62:
        n_items = 0
    else:
        n_items = rng.choices((1, 2, 3, 4, 6), (90, 7.5, 1.6, 0.6, 0.3))[0]
    total = 0.0
    seller = rng.choice(sellers)
    for item_no in range(1, n_items + 1):
        product = rng.choice(products)
        if item_no > 1 and rng.random() < 0.1:
            seller = rng.choice(sellers)  # multi-seller orders
        price = product.price_at(purchased)
        freight = round(max(0.0, rng.gauss(20.0, 12.0)), 2)
        limit = purchased + timedelta(days=rng.randint(2, 9))
        if idx in quirks.late_limit:
            limit = datetime(2020, 4, 9, 22, 35, 8) - timedelta(days=rng.randint(0, 60))
        out.append(
            OrderItem(
                order_id=order.order_id,
                order_item_id=item_no,
                product_id=product.product_id,
                seller_id=seller.seller_id,
                shipping_limit_date=ts(limit),
                price=f"{price:.2f}",
                freight_value=f"{freight:.2f}",
            )
        )
        total += price + freight
    return total


def _payments(rng, quirks: OrderQuirks, pick_payment, idx, oid: str, total: float, out) -> None:
    """Usually one payment; sometimes vouchers split the amount."""
    n_pay = 1 if rng.random() > 0.03 else rng.choices((2, 3, 4), (75, 17, 8))[0]
    remaining = round(total, 2)
    for seq in range(1, n_pay + 1):
        ptype = pick_payment() if seq == 1 else "voucher"
        value = remaining if seq == n_pay else round(remaining * rng.uniform(0.1, 0.6), 2)
        remaining = round(remaining - value, 2)
        if ptype == "credit_card":
            installments = 0 if idx in quirks.zero_installments else rng.choices(
                (1, 2, 3, 4, 5, 6, 8, 10, 12, 24), (50, 12, 10, 7, 5, 4, 4, 7, 1, 0.05)
            )[0]  # fmt: skip
        else:
            installments = 1
        out.append(Payment(oid, seq, ptype, installments, f"{value:.2f}"))
    if idx in quirks.not_defined:
        out.append(Payment(oid, n_pay + 1, "not_defined", 1, "0.00"))


def _review(rng, oid: str, late: bool, delivered, estimated, review_ids: list[str]) -> Review:
    weights = SCORE_WEIGHTS_LATE if late or delivered is None else SCORE_WEIGHTS_ON_TIME
    created = ((delivered or estimated) + timedelta(days=1)).replace(hour=0, minute=0, second=0)
    answered = created + timedelta(seconds=rng.randint(3600, 5 * 86400))
    rid = hex_id(rng)
    if review_ids and rng.random() < 0.0082:
        rid = rng.choice(review_ids)
    review_ids.append(rid)
    title = rng.choice(REVIEW_TITLES) if rng.random() < 0.12 else None
    message = None
    if rng.random() < 0.41:
        message = rng.choice(REVIEW_MESSAGES)
        if rng.random() < 0.1:
            message = message.replace(", ", ",\r\n", 1) if ", " in message else (
                message + "\r\nObrigado"
            )  # fmt: skip
        elif rng.random() < 0.2:
            message += "  "
    return Review(
        review_id=rid,
        order_id=oid,
        review_score=rng.choices((1, 2, 3, 4, 5), weights)[0],
        review_comment_title=title,
        review_comment_message=message,
        review_creation_date=ts(created),
        review_answer_timestamp=ts(answered),
    )
