"""The Walmart (Black Friday) transactions file, `walmart.csv`, in the real format.

One row per customer and product bought (the pair is unique), with the customer's coded
demographics repeated on each of their rows:

    User_ID,Product_ID,Gender,Age,Occupation,City_Category,Stay_In_Current_City_Years,Marital_Status,Product_Category,Purchase
    1000001,P00069042,F,0-17,10,A,2,0,3,8370

Unquoted, LF line breaks, no empty values. Scale 1 has the real file's 5,891 customers
and 3,631 products (550,068 rows); customers scale linearly, the catalog with the
square root of the scale. User ids run from 1000001, product ids are `P` + 8 digits.
Customers buy a heavy-tailed number of products (median ~54), products are bought with
Zipf-like popularity, and the amount follows the product's category (masked ids 1..20,
each with the real file's mean amount), between 12 and 23,961. Customers are
drawn in chunks of USERS_PER_CHUNK, each from its own random stream, like the Olist
orders: the bytes do not depend on the number of workers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from datagen.csv_format import BARE, CsvLayout
from datagen.rows import allowed, weighted
from lakecore.contract import (
    DATASETS,
    WALMART_AGE_BANDS,
    WALMART_CITY_CATEGORIES,
    WALMART_GENDERS,
    WALMART_STAY_YEARS,
)

USERS_AT_SCALE_1 = 5_891
PRODUCTS_AT_SCALE_1 = 3_631
USERS_PER_CHUNK = 500
FIRST_USER_ID = 1_000_001
# Products bought per customer: lognormal, median 54 and mean ~93 (550,068 / 5,891).
PURCHASES_MEDIAN, PURCHASES_SIGMA = 54.0, 1.047
PURCHASES_MIN, PURCHASES_MAX = 6, 1_026
AMOUNT_MIN, AMOUNT_MAX = 12, 23_961

# Shares of the customers (the real file's distinct users).
GENDER_WEIGHTS = allowed({"M": 71.7, "F": 28.3}, WALMART_GENDERS, "gender")
AGE_WEIGHTS = dict(zip(WALMART_AGE_BANDS, (3.7, 18.2, 34.8, 19.8, 9.0, 8.2, 6.3), strict=True))
OCCUPATION_WEIGHTS = {
    "4": 13.1, "0": 12.7, "7": 10.8, "1": 8.6, "17": 7.3, "20": 6.1, "12": 5.7, "14": 5.0,
    "2": 4.8, "16": 4.6, "6": 3.7, "3": 3.2, "10": 2.4, "5": 2.2, "15": 2.2, "11": 2.1,
    "19": 1.5, "13": 1.4, "18": 1.2, "9": 1.1, "8": 0.3,
}  # fmt: skip
CITY_WEIGHTS = allowed({"A": 17.7, "B": 29.0, "C": 53.3}, WALMART_CITY_CATEGORIES, "city_category")
STAY_WEIGHTS = dict(zip(WALMART_STAY_YEARS, (13.5, 35.2, 18.5, 17.3, 15.5), strict=True))
MARRIED_SHARE = 0.42  # never for the 0-17 band
# City C customers buy less (their share of the rows is 31%, of the customers 53%).
CITY_PURCHASE_FACTOR = {"A": 1.55, "B": 1.45, "C": 0.585}
# Product categories: share of the products, and the mean amount of a purchase.
CATEGORY_SHARES = {
    1: 20.0, 2: 4.0, 3: 2.5, 4: 2.5, 5: 24.0, 6: 3.3, 7: 2.9, 8: 22.0, 9: 0.1, 10: 0.7,
    11: 6.0, 12: 0.7, 13: 1.0, 14: 1.2, 15: 1.2, 16: 2.7, 17: 0.3, 18: 0.8, 19: 0.1, 20: 0.1,
}  # fmt: skip
CATEGORY_MEAN_AMOUNT = {
    1: 13_607, 2: 11_251, 3: 10_096, 4: 2_329, 5: 6_240, 6: 15_838, 7: 16_366, 8: 7_498,
    9: 15_537, 10: 19_676, 11: 4_685, 12: 1_350, 13: 722, 14: 13_141, 15: 14_780,
    16: 14_766, 17: 10_170, 18: 2_972, 19: 37, 20: 370,
}  # fmt: skip

LAYOUT = CsvLayout(
    DATASETS["walmart_sales"].header,
    [BARE] * len(DATASETS["walmart_sales"].header),
    quote_header=False,
)


@dataclass(frozen=True)
class Products:
    """The product catalog: ids, categories, typical amounts, popularity (cumulative)."""

    ids: list[str]
    categories: list[int]
    amounts: list[float]
    cumulative_popularity: list[float]


def n_users(scale: float) -> int:
    return max(2, round(USERS_AT_SCALE_1 * scale))


def draw_products(rng: random.Random, scale: float) -> Products:
    # The catalog grows with the square root of the scale: a small sample of customers
    # still buys from a broad catalog (and can buy its ~93 products each).
    n = max(10, round(PRODUCTS_AT_SCALE_1 * math.sqrt(scale)))
    # The real ids look like P00069042: 5 digits after the zeros while they fit.
    numbers = rng.sample(range(max(100_000, 4 * n)), n)
    pick_category = weighted(rng, {str(c): w for c, w in CATEGORY_SHARES.items()})
    categories = [int(pick_category()) for _ in range(n)]
    amounts = [CATEGORY_MEAN_AMOUNT[c] * rng.lognormvariate(0.0, 0.15) for c in categories]
    popularity = [1.0 / (rank + 1) ** 0.9 for rank in range(n)]
    rng.shuffle(popularity)
    cumulative, total = [], 0.0
    for p in popularity:
        total += p
        cumulative.append(total)
    return Products([f"P{k:08d}" for k in numbers], categories, amounts, cumulative)


def chunk_lines(rng: random.Random, products: Products, first: int, count: int) -> tuple[str, int]:
    """The rows of customers `first` .. `first + count - 1` (0-based), shuffled, as text."""
    pick = {
        "gender": weighted(rng, GENDER_WEIGHTS),
        "age": weighted(rng, AGE_WEIGHTS),
        "occupation": weighted(rng, OCCUPATION_WEIGHTS),
        "city": weighted(rng, CITY_WEIGHTS),
        "stay": weighted(rng, STAY_WEIGHTS),
    }
    n_products = len(products.ids)
    most = max(1, min(PURCHASES_MAX, n_products // 2))
    rows = []
    for number in range(first, first + count):
        age, city = pick["age"](), pick["city"]()
        married = age != "0-17" and rng.random() < MARRIED_SHARE
        # The customer's columns, in the file's order around Product_ID.
        user = FIRST_USER_ID + number
        who = (pick["gender"](), age, pick["occupation"](), city, pick["stay"](), int(married))
        wanted = rng.lognormvariate(math.log(PURCHASES_MEDIAN), PURCHASES_SIGMA)
        wanted *= CITY_PURCHASE_FACTOR[city]
        bought: set[int] = set()
        target = min(most, max(PURCHASES_MIN, round(wanted)))
        while len(bought) < target:
            bought.update(
                rng.choices(range(n_products), cum_weights=products.cumulative_popularity,
                            k=target - len(bought))
            )  # fmt: skip
        for p in sorted(bought):
            amount = products.amounts[p] * rng.uniform(0.8, 1.2)
            amount = min(AMOUNT_MAX, max(AMOUNT_MIN, round(amount)))
            rows.append((user, products.ids[p], *who, products.categories[p], amount))
    rng.shuffle(rows)
    return LAYOUT.block(rows)
