"""Deterministic generator of Olist-format files and an aligned website clickstream.

The real Kaggle download cannot be fetched on every machine, so the project generates
files with the same names, headers, quoting and quirks as the real ones. Scale 1.0
reproduces the real row counts (99,441 orders); the demo uses a small scale. The same
seed always gives byte-identical files.

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

import gzip
import json
import random
import zlib
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from glue_etl.schemas import DATASETS, STREAM_FOLDER
from ingestion.csv_format import BARE, ID, QUOTED, TEXT, ZIP, write_csv

# The 71 categories of the translation file, in the file's order (the English typos are
# the real file's), plus the two categories that have products but no translation.
CATEGORY_TRANSLATIONS: tuple[tuple[str, str], ...] = (
    ("beleza_saude", "health_beauty"),
    ("informatica_acessorios", "computers_accessories"),
    ("automotivo", "auto"),
    ("cama_mesa_banho", "bed_bath_table"),
    ("moveis_decoracao", "furniture_decor"),
    ("esporte_lazer", "sports_leisure"),
    ("perfumaria", "perfumery"),
    ("utilidades_domesticas", "housewares"),
    ("telefonia", "telephony"),
    ("relogios_presentes", "watches_gifts"),
    ("alimentos_bebidas", "food_drink"),
    ("bebes", "baby"),
    ("papelaria", "stationery"),
    ("tablets_impressao_imagem", "tablets_printing_image"),
    ("brinquedos", "toys"),
    ("telefonia_fixa", "fixed_telephony"),
    ("ferramentas_jardim", "garden_tools"),
    ("fashion_bolsas_e_acessorios", "fashion_bags_accessories"),
    ("eletroportateis", "small_appliances"),
    ("consoles_games", "consoles_games"),
    ("audio", "audio"),
    ("fashion_calcados", "fashion_shoes"),
    ("cool_stuff", "cool_stuff"),
    ("malas_acessorios", "luggage_accessories"),
    ("climatizacao", "air_conditioning"),
    ("construcao_ferramentas_construcao", "construction_tools_construction"),
    ("moveis_cozinha_area_de_servico_jantar_e_jardim", "kitchen_dining_laundry_garden_furniture"),
    ("construcao_ferramentas_jardim", "costruction_tools_garden"),
    ("fashion_roupa_masculina", "fashion_male_clothing"),
    ("pet_shop", "pet_shop"),
    ("moveis_escritorio", "office_furniture"),
    ("market_place", "market_place"),
    ("eletronicos", "electronics"),
    ("eletrodomesticos", "home_appliances"),
    ("artigos_de_festas", "party_supplies"),
    ("casa_conforto", "home_confort"),
    ("construcao_ferramentas_ferramentas", "construction_tools_tools"),
    ("agro_industria_e_comercio", "agro_industry_and_commerce"),
    ("moveis_colchao_e_estofado", "furniture_mattress_and_upholstery"),
    ("livros_tecnicos", "books_technical"),
    ("casa_construcao", "home_construction"),
    ("instrumentos_musicais", "musical_instruments"),
    ("moveis_sala", "furniture_living_room"),
    ("construcao_ferramentas_iluminacao", "construction_tools_lights"),
    ("industria_comercio_e_negocios", "industry_commerce_and_business"),
    ("alimentos", "food"),
    ("artes", "art"),
    ("moveis_quarto", "furniture_bedroom"),
    ("livros_interesse_geral", "books_general_interest"),
    ("construcao_ferramentas_seguranca", "construction_tools_safety"),
    ("fashion_underwear_e_moda_praia", "fashion_underwear_beach"),
    ("fashion_esporte", "fashion_sport"),
    ("sinalizacao_e_seguranca", "signaling_and_security"),
    ("pcs", "computers"),
    ("artigos_de_natal", "christmas_supplies"),
    ("fashion_roupa_feminina", "fashio_female_clothing"),
    ("eletrodomesticos_2", "home_appliances_2"),
    ("livros_importados", "books_imported"),
    ("bebidas", "drinks"),
    ("cine_foto", "cine_photo"),
    ("la_cuisine", "la_cuisine"),
    ("musica", "music"),
    ("casa_conforto_2", "home_comfort_2"),
    ("portateis_casa_forno_e_cafe", "small_appliances_home_oven_and_coffee"),
    ("cds_dvds_musicais", "cds_dvds_musicals"),
    ("dvds_blu_ray", "dvds_blu_ray"),
    ("flores", "flowers"),
    ("artes_e_artesanato", "arts_and_craftmanship"),
    ("fraldas_higiene", "diapers_and_hygiene"),
    ("fashion_roupa_infanto_juvenil", "fashion_childrens_clothes"),
    ("seguros_e_servicos", "security_and_services"),
)
UNTRANSLATED_CATEGORIES = ("pc_gamer", "portateis_cozinha_e_preparadores_de_alimentos")
# The largest categories get most products (cama_mesa_banho, esporte_lazer, ...).
_CATEGORY_WEIGHT_OVERRIDES = {
    "cama_mesa_banho": 30,
    "esporte_lazer": 26,
    "moveis_decoracao": 25,
    "beleza_saude": 28,
    "utilidades_domesticas": 20,
    "automotivo": 12,
    "informatica_acessorios": 17,
    "brinquedos": 12,
    "relogios_presentes": 17,
    "telefonia": 14,
}

# state, share of customers, (zip prefix range), a few cities (with and without accents)
STATES: tuple[tuple[str, float, tuple[int, int], tuple[str, ...]], ...] = (
    ("SP", 42.0, (1000, 19999), ("sao paulo", "campinas", "guarulhos", "santo andre", "sorocaba")),
    ("RJ", 12.9, (20000, 28999), ("rio de janeiro", "niteroi", "nova iguacu", "petropolis")),
    ("MG", 11.7, (30000, 39999), ("belo horizonte", "uberlandia", "contagem", "juiz de fora")),
    ("RS", 5.5, (90000, 99999), ("porto alegre", "caxias do sul", "pelotas", "canoas")),
    ("PR", 5.1, (80000, 87999), ("curitiba", "londrina", "maringa", "ponta grossa")),
    ("SC", 3.7, (88000, 89999), ("florianopolis", "joinville", "blumenau", "itajai")),
    ("BA", 3.4, (40000, 48999), ("salvador", "feira de santana", "vitoria da conquista")),
    ("DF", 2.2, (70000, 73699), ("brasilia", "taguatinga")),
    ("ES", 2.0, (29000, 29999), ("vitoria", "vila velha", "serra")),
    ("GO", 2.0, (72800, 76799), ("goiania", "anapolis", "aparecida de goiania")),
    ("PE", 1.7, (50000, 56999), ("recife", "jaboatao dos guararapes", "olinda")),
    ("CE", 1.3, (60000, 63999), ("fortaleza", "caucaia", "juazeiro do norte")),
    ("PA", 1.0, (66000, 68899), ("belem", "ananindeua", "santarem")),
    ("MT", 0.9, (78000, 78899), ("cuiaba", "varzea grande")),
    ("MA", 0.75, (65000, 65999), ("sao luis", "imperatriz")),
    ("MS", 0.7, (79000, 79999), ("campo grande", "dourados")),
    ("PB", 0.5, (58000, 58999), ("joao pessoa", "campina grande")),
    ("PI", 0.5, (64000, 64999), ("teresina", "parnaiba")),
    ("RN", 0.5, (59000, 59999), ("natal", "mossoro")),
    ("AL", 0.4, (57000, 57999), ("maceio", "arapiraca")),
    ("SE", 0.35, (49000, 49999), ("aracaju",)),
    ("TO", 0.28, (77000, 77999), ("palmas", "araguaina")),
    ("RO", 0.25, (76800, 76999), ("porto velho", "ji-parana")),
    ("AM", 0.15, (69000, 69299), ("manaus",)),
    ("AC", 0.08, (69900, 69999), ("rio branco",)),
    ("AP", 0.07, (68900, 68999), ("macapa",)),
    ("RR", 0.05, (69300, 69399), ("boa vista",)),
)
# Accented spellings that appear beside the plain ones in geolocation.
ACCENTED = {"sao paulo": "são paulo", "niteroi": "niterói", "sao luis": "são luís",
            "brasilia": "brasília", "belem": "belém", "goiania": "goiânia"}  # fmt: skip
# Rough state centroids for coordinates inside Brazil.
STATE_CENTER = {
    "SP": (-23.0, -47.0), "RJ": (-22.5, -43.2), "MG": (-19.5, -44.5), "RS": (-30.0, -52.0),
    "PR": (-24.8, -51.0), "SC": (-27.3, -49.5), "BA": (-12.5, -41.0), "DF": (-15.8, -47.9),
    "ES": (-19.8, -40.6), "GO": (-16.3, -49.5), "PE": (-8.3, -36.5), "CE": (-4.5, -39.3),
    "PA": (-3.5, -51.0), "MT": (-13.0, -56.0), "MA": (-4.5, -44.8), "MS": (-20.5, -54.8),
    "PB": (-7.1, -36.5), "PI": (-7.0, -42.5), "RN": (-5.8, -36.5), "AL": (-9.6, -36.5),
    "SE": (-10.6, -37.3), "TO": (-10.2, -48.3), "RO": (-10.8, -63.0), "AM": (-3.5, -62.0),
    "AC": (-9.0, -70.0), "AP": (1.0, -51.5), "RR": (2.5, -61.0),
}  # fmt: skip

ORDER_STATUS_WEIGHTS = (
    ("delivered", 96478), ("shipped", 1107), ("canceled", 625), ("unavailable", 609),
    ("invoiced", 314), ("processing", 301), ("created", 5), ("approved", 2),
)  # fmt: skip
PAYMENT_TYPE_WEIGHTS = (
    ("credit_card", 76795), ("boleto", 19784), ("voucher", 5775), ("debit_card", 1529),
)  # fmt: skip
# Orders per month, 2016-09 .. 2018-10 (shape of the real curve; Black Friday 2017-11).
MONTHLY_ORDERS = (
    4, 324, 0, 1,  # 2016-09 .. 2016-12
    800, 1780, 2682, 2404, 3700, 3245, 4026, 4331, 4285, 4631, 7544, 5673,  # 2017
    7269, 6728, 7211, 6939, 6873, 6167, 6292, 6512, 16, 4,  # 2018-01 .. 2018-10
)  # fmt: skip
TRAFFIC_SOURCE_WEIGHTS = (
    ("organic", 34), ("paid_search", 24), ("direct", 16), ("social", 12), ("email", 8),
    ("referral", 6),
)  # fmt: skip
TRAFFIC_CONVERSION = {"email": 1.6, "paid_search": 1.2, "direct": 1.3, "organic": 1.0,
                      "referral": 0.9, "social": 0.6}  # fmt: skip
DEVICE_WEIGHTS = (("mobile", 55), ("desktop", 38), ("tablet", 7))
REVIEW_TITLES = ("recomendo", "Ótimo", "Bom", "Não recebi", "produto bom", "super recomendo")
REVIEW_MESSAGES = (
    "Produto chegou antes do prazo, muito bom",
    "Recebi bem antes do prazo estipulado.",
    "Não recebi o produto ainda",
    'Produto "original", recomendo a loja',
    "Parabéns lojas, adorei comprar pela Internet, seguro e prático",
    "Veio errado, quero trocar, aguardo resposta",
    "Muito bom,\r\nchegou rápido",
    "O produto é ótimo, mas a entrega atrasou  ",
)
DIRTY_SELLER_CITIES = ("vendas@loja.com.br", "04482255", "sao paulo - sp", "sbc/sp")


def _hex_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> Callable[[], str]:
    values = [p[0] for p in pairs]
    cum = []
    total = 0.0
    for _, w in pairs:
        total += w
        cum.append(total)

    def pick() -> str:
        return rng.choices(values, cum_weights=cum, k=1)[0]

    return pick


@dataclass(frozen=True)
class GenerationResult:
    out_dir: Path
    rows: dict[str, int]


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
# The clickstream export covers all events; the Firehose feed starts on this day, so the
# events after it arrive twice (backfill export + stream) and cleaning deduplicates them.
STREAM_FROM = datetime(2018, 8, 15)
# How many times `generate` reports progress (for a progress bar's total).
GENERATION_STEPS = 15


def category_path(category: str) -> tuple[str, str]:
    """(department, group) of an Olist category in the catalog tree."""
    for prefix, department, group in CATEGORY_TREE_RULES:
        if category.startswith(prefix):
            return department, group
    return "other", "general"


def _geo_point(rng: random.Random, state: str) -> tuple[float, float]:
    lat, lng = STATE_CENTER[state]
    return lat + rng.uniform(-1.2, 1.2), lng + rng.uniform(-1.2, 1.2)


def _exactly(rng: random.Random, n: int, k: int) -> set[int]:
    """k distinct indices out of n: quirks with an exact count at every scale."""
    return set(rng.sample(range(n), min(k, n)))


@dataclass
class _Product:
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


def generate(
    out_dir: Path,
    scale: float = 0.01,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> GenerationResult:
    """Write the 9 Olist files, the clickstream (CSV and Firehose JSON feed) and the
    catalog change feed into `out_dir`. Same seed and scale, same bytes."""
    if scale <= 0:
        raise ValueError("--scale must be greater than 0")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = progress or (lambda _label: None)

    def scaled(real: int, minimum: int = 1) -> int:
        return max(minimum, round(real * scale))

    n_orders = scaled(99441, 60)
    n_products = scaled(32951, 40)
    n_sellers = scaled(3095, 12)

    pick_state = _weighted(rng, tuple((s[0], s[1]) for s in STATES))
    state_info = {s[0]: s for s in STATES}

    # Zip prefix pool: geolocation knows more prefixes than customers use; a few used
    # prefixes are missing from geolocation (157 customer and 7 seller prefixes at 1.0).
    pool: dict[str, list[str]] = {}
    seen: set[str] = set()
    for _ in range(scaled(19015, 60)):
        st = pick_state()
        lo, hi = state_info[st][2]
        for _attempt in range(20):
            z = f"{rng.randint(lo, hi):05d}"
            if z not in seen:
                seen.add(z)
                pool.setdefault(st, []).append(z)
                break

    def zip_for(state: str) -> str:
        options = pool.get(state)
        if not options:
            lo, hi = state_info[state][2]
            options = pool.setdefault(state, [f"{rng.randint(lo, hi):05d}"])
            seen.add(options[0])
        return rng.choice(options)

    def city_for(state: str) -> str:
        return rng.choice(state_info[state][3])

    # Sellers: mostly in SP; a few dirty city values.
    sellers = []
    dirty = _exactly(rng, n_sellers, scaled(len(DIRTY_SELLER_CITIES) * 2))
    for i in range(n_sellers):
        st = pick_state() if rng.random() < 0.4 else "SP"
        city = rng.choice(DIRTY_SELLER_CITIES) if i in dirty else city_for(st)
        sellers.append((_hex_id(rng), zip_for(st), city, st))

    # Products with a weekly price/availability history (the catalog change feed).
    cat_names = [c for c, _ in CATEGORY_TRANSLATIONS]
    cat_weights = [_CATEGORY_WEIGHT_OVERRIDES.get(c, 3.0) for c in cat_names]
    untranslated = sorted(_exactly(rng, n_products, scaled(13)))
    no_category = _exactly(rng, n_products, scaled(610))
    no_dims = _exactly(rng, n_products, scaled(2))
    zero_weight = _exactly(rng, n_products, scaled(4))
    itemids = rng.sample(range(1, 470_000), n_products)
    products: list[_Product] = []
    product_rows = []
    for i in range(n_products):
        if i in untranslated:
            cat = UNTRANSLATED_CATEGORIES[untranslated.index(i) % 2]
        elif i in no_category:
            cat = None
        else:
            cat = rng.choices(cat_names, weights=cat_weights)[0]
        base = round(min(6735.0, max(0.85, rng.lognormvariate(4.3, 0.95))), 2)
        weeks, prices = [0], [base]
        for week in range(1, CATALOG_WEEKS):
            if rng.random() < 0.04:
                weeks.append(week)
                prices.append(round(max(0.85, prices[-1] * rng.uniform(0.85, 1.15)), 2))
        off = {w for w in range(CATALOG_WEEKS) if rng.random() < 0.01}
        p = _Product(_hex_id(rng), itemids[i], cat, base, weeks, prices, off)
        products.append(p)
        weight = 0 if i in zero_weight else min(40425, int(rng.lognormvariate(6.5, 1.2)) + 50)
        product_rows.append(
            (
                p.product_id,
                cat,
                None if cat is None else rng.randint(5, 76),
                None if cat is None else rng.randint(4, 3992),
                None if cat is None else rng.choices((1, 2, 3, 4, 5), (50, 20, 12, 8, 10))[0],
                None if i in no_dims else weight,
                None if i in no_dims else rng.randint(7, 105),
                None if i in no_dims else rng.randint(2, 105),
                None if i in no_dims else rng.randint(6, 118),
            )
        )
    report("products")

    # Customers: one customer_id per order; repeat buyers share customer_unique_id.
    unique_ids: list[tuple[str, str, str, str]] = []
    customers = []
    for _ in range(n_orders):
        if unique_ids and rng.random() < 0.033:
            uid, zp, city, st = rng.choice(unique_ids)
        else:
            st = pick_state()
            uid, zp, city = _hex_id(rng), zip_for(st), city_for(st)
            unique_ids.append((uid, zp, city, st))
        customers.append((_hex_id(rng), uid, zp, city, st))

    # Orders spread over months following the real curve.
    months = []
    year, month = 2016, 9
    for _ in MONTHLY_ORDERS:
        months.append(datetime(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    pick_status = _weighted(rng, ORDER_STATUS_WEIGHTS)
    pick_payment = _weighted(rng, PAYMENT_TYPE_WEIGHTS)
    delivered_no_date = _exactly(rng, n_orders, scaled(8))
    canceled_with_date = _exactly(rng, n_orders, scaled(6))
    carrier_after_delivery = _exactly(rng, n_orders, scaled(23))
    no_payment = _exactly(rng, n_orders, scaled(1))
    not_defined = _exactly(rng, n_orders, scaled(3))
    zero_installments = _exactly(rng, n_orders, scaled(2))
    second_review = _exactly(rng, n_orders, scaled(547))
    late_limit = _exactly(rng, n_orders, scaled(4))
    orders, items, payments, reviews = [], [], [], []
    review_ids: list[str] = []
    last_purchase = datetime(2018, 10, 17, 17, 30)
    for idx, cust in enumerate(customers):
        oid = _hex_id(rng)
        m = rng.choices(months, weights=MONTHLY_ORDERS)[0]
        days_in_month = ((m.replace(day=28) + timedelta(days=4)).replace(day=1) - m).days
        purchased = m + timedelta(seconds=rng.randint(0, days_in_month * 86400 - 1))
        if purchased > last_purchase:
            purchased = last_purchase - timedelta(minutes=idx % 500)
        status = pick_status()
        if idx in delivered_no_date:
            status = "delivered"
        if idx in canceled_with_date:
            status = "canceled"
        approved = purchased + timedelta(minutes=rng.randint(5, 3000))
        carrier = approved + timedelta(hours=rng.randint(10, 150))
        delivered = carrier + timedelta(hours=rng.randint(24, 600))
        estimated = (purchased + timedelta(days=rng.randint(10, 45))).replace(
            hour=0, minute=0, second=0
        )
        if status == "created" or rng.random() < 160 / 99441:
            approved = None
        if status not in ("delivered", "shipped") or rng.random() < 0.005:
            carrier = None
        if status != "delivered" or idx in delivered_no_date:
            delivered = None
        if idx in canceled_with_date:
            delivered = purchased + timedelta(days=rng.randint(5, 20))
        if idx in carrier_after_delivery and delivered and carrier:
            carrier = delivered + timedelta(hours=rng.randint(1, 48))
        if status == "delivered" and rng.random() < 1359 / 99441 and carrier and approved:
            approved = carrier + timedelta(hours=rng.randint(1, 30))  # approved after pickup
        orders.append(
            (
                oid,
                cust[0],
                status,
                _ts(purchased),
                _ts(approved) if approved else None,
                _ts(carrier) if carrier else None,
                _ts(delivered) if delivered else None,
                _ts(estimated),
            )
        )
        # Items: most orders have one; unavailable/canceled orders often have none.
        if status in ("unavailable", "canceled") and rng.random() < 0.62:
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
            if idx in late_limit:
                limit = datetime(2020, 4, 9, 22, 35, 8) - timedelta(days=rng.randint(0, 60))
            items.append(
                (oid, item_no, product.product_id, seller[0], _ts(limit), f"{price:.2f}",
                 f"{freight:.2f}")
            )  # fmt: skip
            total += price + freight
        # Payments: usually one; sometimes vouchers split the amount.
        if idx not in no_payment:
            n_pay = 1 if rng.random() > 0.03 else rng.choices((2, 3, 4), (75, 17, 8))[0]
            remaining = round(total, 2)
            for seq in range(1, n_pay + 1):
                ptype = pick_payment() if seq == 1 else "voucher"
                value = remaining if seq == n_pay else round(remaining * rng.uniform(0.1, 0.6), 2)
                remaining = round(remaining - value, 2)
                if ptype == "credit_card":
                    installments = 0 if idx in zero_installments else rng.choices(
                        (1, 2, 3, 4, 5, 6, 8, 10, 12, 24), (50, 12, 10, 7, 5, 4, 4, 7, 1, 0.05)
                    )[0]  # fmt: skip
                else:
                    installments = 1
                payments.append((oid, seq, ptype, installments, f"{value:.2f}"))
            if idx in not_defined:
                payments.append((oid, n_pay + 1, "not_defined", 1, "0.00"))
        # Reviews: worse scores for late deliveries; review ids reused across orders.
        if rng.random() < 0.9923:
            late = delivered is not None and delivered.date() > estimated.date()
            for _ in range(2 if idx in second_review else 1):
                weights = (40, 12, 15, 15, 18) if late or delivered is None else (6, 2, 8, 20, 64)
                created = ((delivered or estimated) + timedelta(days=1)).replace(
                    hour=0, minute=0, second=0
                )
                answered = created + timedelta(seconds=rng.randint(3600, 5 * 86400))
                rid = _hex_id(rng)
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
                reviews.append(
                    (rid, oid, rng.choices((1, 2, 3, 4, 5), weights)[0], title, message,
                     _ts(created), _ts(answered))
                )  # fmt: skip
    rng.shuffle(orders)
    rng.shuffle(reviews)
    rng.shuffle(payments)
    items.sort(key=lambda r: (r[0], r[1]))
    report("orders")

    geo = _geolocation(rng, scale, pool, customers, sellers)
    report("geolocation")

    files = {
        "customers": (customers, (ID, ID, ZIP, BARE, BARE), {}),
        "geolocation": (geo, (ZIP, BARE, BARE, BARE, BARE), {}),
        "order_items": (items, (ID, BARE, ID, ID, BARE, BARE, BARE), {}),
        "order_payments": (payments, (ID, BARE, BARE, BARE, BARE), {}),
        "order_reviews": (
            reviews,
            (QUOTED, QUOTED, BARE, TEXT, TEXT, BARE, BARE),
            {"newline": "\r\n"},
        ),
        "orders": (orders, (ID, ID, BARE, BARE, BARE, BARE, BARE, BARE), {}),
        "products": (product_rows, (ID, BARE) + (BARE,) * 7, {}),
        "sellers": (sellers, (ID, ZIP, BARE, BARE), {}),
        "product_category_name_translation": (
            CATEGORY_TRANSLATIONS,
            (BARE, BARE),
            {"newline": "\r\n", "quote_header": False, "final_newline": False},
        ),
    }
    counts: dict[str, int] = {}
    for entity, (rows, kinds, fmt) in files.items():
        ds = DATASETS[entity]
        encoding = "utf-8-sig" if entity == "product_category_name_translation" else "utf-8"
        with open(out_dir / ds.file_name, "w", encoding=encoding, newline="") as fh:
            counts[entity] = write_csv(fh, ds.header, kinds, rows, **fmt)
        report(ds.file_name)

    events = _clickstream(rng, orders, customers, products, n_sessions_extra=3 * n_orders)
    ds = DATASETS["events"]
    with open(out_dir / ds.file_name, "w", encoding="utf-8", newline="") as fh:
        counts["events"] = write_csv(fh, ds.header, (BARE,) * len(ds.header), events)
    report(ds.file_name)
    counts["events_stream"] = _write_stream(out_dir / STREAM_FOLDER, events, seed)
    report("clickstream stream")
    counts.update(_write_catalog(out_dir, rng, products))
    report("catalog")
    return GenerationResult(out_dir=out_dir, rows=counts)


def _geolocation(rng, scale, pool, customers, sellers) -> list[tuple]:
    """About 1,000,163 rows at scale 1: several points per prefix, ~26% exact duplicate
    rows, a few prefixes missing, a few under two states, a few dozen points outside
    Brazil, and accented spellings beside plain ones."""
    target = max(200, round(1_000_163 * scale))
    distinct_target = round(target * 0.74)
    used = {c[2] for c in customers} | {s[1] for s in sellers}
    city_of = {c[2]: c[3] for c in customers} | {s[1]: s[2] for s in sellers}
    missing = set(rng.sample(sorted(used), min(len(used) // 10, max(1, round(164 * scale)))))
    prefixes = [(z, st) for st, zs in sorted(pool.items()) for z in zs if z not in missing]
    prefixes += [(z, st) for z, st in ((c[2], c[4]) for c in customers) if z not in missing]
    prefixes = sorted(set(prefixes))
    two_states = _exactly(rng, len(prefixes), max(1, round(8 * scale)))
    outside = max(1, round(29 * scale))
    per_prefix = max(1, distinct_target // len(prefixes))
    rows: list[tuple] = []
    for i, (zp, st) in enumerate(prefixes):
        city = city_of.get(zp) or rng.choice(STATES[[s[0] for s in STATES].index(st)][3])
        for _ in range(rng.randint(1, 2 * per_prefix - 1) if per_prefix > 1 else 1):
            lat, lng = _geo_point(rng, st)
            shown = ACCENTED.get(city, city) if rng.random() < 0.3 else city
            state = st
            if i in two_states and rng.random() < 0.3:
                state = rng.choice([s[0] for s in STATES if s[0] != st])
            rows.append((zp, repr(lat), repr(lng), shown, state))
    for _ in range(outside):
        zp, _lat, _lng, city, st = rng.choice(rows)
        rows.append((zp, repr(rng.uniform(38, 45.07)), repr(rng.uniform(100, 121.1)), city, st))
    while len(rows) < target:
        rows.append(rng.choice(rows))  # exact duplicates
    rng.shuffle(rows)
    return rows


def _clickstream(
    rng: random.Random,
    orders: list[tuple],
    customers: list[tuple],
    products: list[_Product],
    n_sessions_extra: int,
) -> list[tuple]:
    """Sessions aligned with the orders: every order has a converting session whose
    purchase event carries the real order_id at the order's purchase timestamp, and many
    more sessions drop out of the funnel (fewer for email and paid search)."""
    by_customer = {c[0]: c for c in customers}
    pick_source = _weighted(rng, TRAFFIC_SOURCE_WEIGHTS)
    pick_device = _weighted(rng, DEVICE_WEIGHTS)
    events: list[tuple] = []
    counter = 0

    def emit(session: str, cust, etype: str, ts: datetime, pid, oid, device, source, auth):
        nonlocal counter
        counter += 1
        events.append(
            (
                f"ev_{counter:09d}",
                session,
                cust[0] if cust and auth else None,
                etype,
                _ts(ts),
                pid,
                oid,
                device,
                source,
                "true" if auth else "false",
                cust[3] if cust else None,
                cust[4] if cust else None,
            )
        )

    def session(cust, end: datetime, depth: int, oid: str | None, source: str) -> None:
        device = pick_device()
        sid = f"s_{rng.getrandbits(64):016x}"
        auth = oid is not None or rng.random() < 0.35
        views = rng.randint(1, 4)
        steps = 1 + views + (depth >= 3) + (depth >= 4) + (depth >= 5)
        ts = end - timedelta(seconds=steps * rng.randint(20, 120))
        emit(sid, cust, "page_view", ts, None, None, device, source, auth)
        pid = None
        if depth >= 2:
            for _ in range(views):
                ts += timedelta(seconds=rng.randint(15, 120))
                pid = rng.choice(products).product_id
                emit(sid, cust, "view_product", ts, pid, None, device, source, auth)
        for step, name in ((3, "add_to_cart"), (4, "checkout")):
            if depth >= step:
                ts += timedelta(seconds=rng.randint(10, 90))
                emit(sid, cust, name, ts, pid, None, device, source, auth)
        if depth >= 5:
            emit(sid, cust, "purchase", end, None, oid, device, source, auth)

    for order in orders:
        # Converting sessions lean towards the channels that convert best.
        source = pick_source()
        if rng.random() > TRAFFIC_CONVERSION[source] / 1.6:
            source = pick_source()
        session(by_customer[order[1]], datetime.fromisoformat(order[3]), 5, order[0], source)
    start = datetime(2016, 9, 4)
    span = int((datetime(2018, 10, 17) - start).total_seconds())
    for _ in range(n_sessions_extra):
        cust = rng.choice(customers) if rng.random() < 0.6 else None
        depth = rng.choices((1, 2, 3, 4), (30, 45, 17, 8))[0]
        end = start + timedelta(seconds=rng.randint(3600, span))
        session(cust, end, depth, None, pick_source())
    rng.shuffle(events)
    return events


def _write_stream(folder: Path, events: list[tuple], seed: int) -> int:
    """The Firehose delivery of the events since STREAM_FROM: nested JSON lines, gzip,
    one object per hour in `year=/month=/day=/hour=/` (UTC), named like Firehose does."""
    cutoff = _ts(STREAM_FROM)
    by_hour: dict[str, list[tuple]] = {}
    for e in events:
        if e[4] >= cutoff:
            by_hour.setdefault(e[4][:13], []).append(e)
    n = 0
    for hour, rows in sorted(by_hour.items()):
        rows.sort(key=lambda e: (e[4], e[0]))
        y, mo, d, h = hour[:4], hour[5:7], hour[8:10], hour[11:13]
        part = folder / f"year={y}" / f"month={mo}" / f"day={d}" / f"hour={h}"
        part.mkdir(parents=True, exist_ok=True)
        # Firehose names: <stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz
        token = f"{zlib.crc32(f'{seed}-{hour}'.encode()):08x}-0000-4000-8000-{int(h):012d}"
        name = f"ecom-clickstream-1-{y}-{mo}-{d}-{h}-00-00-{token}.gz"
        lines = []
        for e in rows:
            record = {
                "event_id": e[0],
                "event_type": e[3],
                "session_id": e[1],
                "event_timestamp": e[4].replace(" ", "T") + "Z",
                "product_id": e[5],
                "customer": {"customer_id": e[2], "city": e[10], "state": e[11],
                             "is_authenticated": e[9] == "true"},
                "order": {"order_id": e[6]} if e[6] else None,
                "session": {"device_type": e[7], "traffic_source": e[8]},
            }  # fmt: skip
            lines.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
        # mtime=0 keeps the gzip bytes deterministic.
        with open(part / name, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(("\n".join(lines) + "\n").encode("utf-8"))
        n += len(rows)
    return n


def _write_catalog(out_dir: Path, rng: random.Random, products: list[_Product]) -> dict[str, int]:
    """Retailrocket-format catalog feed aligned with the Olist products: a category tree
    (department -> group -> category) and an item property change log of weekly
    snapshots (price `790` as `n`-prefixed numbers, `available`, `categoryid`, the Olist
    product id, and one hashed-token property), split in two files like the original."""
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
    with open(out_dir / "category_tree.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("categoryid,parentid\n")
        for i in order:
            cid, parent = tree[i]
            fh.write(f"{cid},{'' if parent is None else parent}\n")

    def ms(week: int) -> int:
        return int((CATALOG_START + timedelta(weeks=week)).replace(tzinfo=UTC).timestamp() * 1000)

    rows: list[tuple[int, int, str, str]] = []
    for p in products:
        t0 = ms(0) + rng.randint(0, 3600_000)
        rows.append((t0, p.itemid, "olist_product_id", p.product_id))
        rows.append((t0, p.itemid, "888", f"{rng.randint(10**5, 10**6)} n{rng.randint(1, 99)}.000"))
        if p.category:
            rows.append((t0, p.itemid, "categoryid", str(leaf[p.category])))
        for week, price in zip(p.change_weeks, p.prices, strict=True):
            rows.append((ms(week) if week else t0, p.itemid, PRICE_PROPERTY, f"n{price:.3f}"))
        available = 1
        rows.append((t0, p.itemid, "available", "1"))
        for week in range(1, CATALOG_WEEKS):
            now = 0 if week in p.unavailable_weeks else 1
            if now != available:
                rows.append((ms(week), p.itemid, "available", str(now)))
                available = now
    rng.shuffle(rows)
    half = (len(rows) + 1) // 2
    for name, chunk in (("item_properties_part1.csv", rows[:half]),
                        ("item_properties_part2.csv", rows[half:])):  # fmt: skip
        with open(out_dir / name, "w", encoding="utf-8", newline="") as fh:
            fh.write("timestamp,itemid,property,value\n")
            fh.writelines(f"{t},{i},{prop},{v}\n" for t, i, prop, v in chunk)
    return {"item_properties": len(rows), "category_tree": len(tree)}
