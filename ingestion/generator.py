"""Deterministic generator of Olist-format files and an aligned website clickstream.

The real Kaggle download cannot be fetched on every machine, so the project generates
files with the same names, headers, quoting and quirks (see shared DATA_SPEC.md). Scale
1.0 reproduces the real row counts (99,441 orders); the demo uses a small scale. The same
seed always gives byte-identical files.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from glue_etl.schemas import DATASETS
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
    4, 324, 1, 800, 1780, 2682, 2404, 3700, 3245, 3700, 4331, 4285, 4631, 7544,
    5673, 7269, 6728, 7211, 6939, 6873, 6167, 6292, 6512, 16, 4,
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


def _geo_point(rng: random.Random, state: str) -> tuple[float, float]:
    lat, lng = STATE_CENTER[state]
    return lat + rng.uniform(-1.2, 1.2), lng + rng.uniform(-1.2, 1.2)


def generate(out_dir: Path, scale: float = 0.01, seed: int = 42) -> GenerationResult:
    """Write the 9 Olist files and the clickstream CSV into `out_dir`."""
    if scale <= 0:
        raise ValueError("--scale must be greater than 0")
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_orders = max(60, round(99441 * scale))
    n_products = max(40, round(32951 * scale))
    n_sellers = max(12, round(3095 * scale))

    pick_state = _weighted(rng, tuple((s[0], s[1]) for s in STATES))
    state_info = {s[0]: s for s in STATES}

    def zip_for(state: str) -> str:
        lo, hi = state_info[state][2]
        return f"{rng.randint(lo, hi) // 10 * 10 % 100000:05d}"[:5]

    def city_for(state: str) -> str:
        return rng.choice(state_info[state][3])

    # Sellers
    sellers = []
    for i in range(n_sellers):
        st = pick_state() if rng.random() < 0.4 else "SP"
        city = city_for(st)
        if i < len(DIRTY_SELLER_CITIES) and n_sellers > 50:
            city = DIRTY_SELLER_CITIES[i]
        sellers.append((_hex_id(rng), zip_for(st), city, st))

    # Products
    cat_names = [c for c, _ in CATEGORY_TRANSLATIONS] + list(UNTRANSLATED_CATEGORIES)
    cat_weights = [_CATEGORY_WEIGHT_OVERRIDES.get(c, 3.0) for c in cat_names]
    cat_weights[-2:] = [0.04, 0.04]  # the two untranslated categories are rare
    products = []
    product_price: dict[str, float] = {}
    for i in range(n_products):
        pid = _hex_id(rng)
        no_category = rng.random() < 610 / 32951
        cat = None if no_category else rng.choices(cat_names, weights=cat_weights)[0]
        if i < 2 and n_products >= 200:  # guarantee the untranslated categories appear
            cat = UNTRANSLATED_CATEGORIES[i]
        no_dims = rng.random() < 2 / 32951
        weight = 0 if rng.random() < 4 / 32951 else int(rng.lognormvariate(6.5, 1.2)) + 50
        products.append(
            (
                pid,
                cat,
                None if cat is None else rng.randint(5, 76),
                None if cat is None else rng.randint(4, 3992),
                None if cat is None else rng.choices((1, 2, 3, 4, 5), (50, 20, 12, 8, 10))[0],
                None if no_dims else min(weight, 40425),
                None if no_dims else rng.randint(7, 105),
                None if no_dims else rng.randint(2, 105),
                None if no_dims else rng.randint(6, 118),
            )
        )
        product_price[pid] = round(min(6735.0, max(0.85, rng.lognormvariate(4.35, 0.9))), 2)

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
    orders, items, payments, reviews = [], [], [], []
    review_ids: list[str] = []
    for idx, cust in enumerate(customers):
        oid = _hex_id(rng)
        m = rng.choices(months, weights=MONTHLY_ORDERS)[0]
        days_in_month = ((m.replace(day=28) + timedelta(days=4)).replace(day=1) - m).days
        purchased = m + timedelta(seconds=rng.randint(0, days_in_month * 86400 - 1))
        if purchased > datetime(2018, 10, 17, 17, 30):
            purchased = datetime(2018, 10, 17, 17, 30) - timedelta(minutes=idx % 500)
        status = pick_status()
        approved = purchased + timedelta(minutes=rng.randint(5, 3000))
        carrier = approved + timedelta(hours=rng.randint(10, 150))
        delivered = carrier + timedelta(hours=rng.randint(24, 600))
        estimated = (purchased + timedelta(days=rng.randint(10, 45))).replace(
            hour=0, minute=0, second=0
        )
        if status in ("created",) or rng.random() < 160 / 99441:
            approved = None
        if status not in ("delivered", "shipped") or rng.random() < 0.005:
            carrier = None
        if status != "delivered" or rng.random() < 0.0001:
            delivered = None
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
            n_items = rng.choices((1, 2, 3, 4, 6), (88, 8.5, 2.2, 1, 0.3))[0]
        total = 0.0
        seller = rng.choice(sellers)
        for item_no in range(1, n_items + 1):
            pid = rng.choice(products)[0]
            if rng.random() < 0.02:
                seller = rng.choice(sellers)  # multi-seller orders
            price = product_price[pid]
            freight = round(max(0.0, rng.gauss(20.0, 12.0)), 2)
            limit = purchased + timedelta(days=rng.randint(2, 9))
            items.append(
                (oid, item_no, pid, seller[0], _ts(limit), f"{price:.2f}", f"{freight:.2f}")
            )
            total += price + freight
        # Payments: usually one; sometimes vouchers split the amount.
        if idx == 7:
            pass  # one order without payment, as in the real data
        else:
            n_pay = 1 if rng.random() > 0.03 else rng.randint(2, 4)
            remaining = round(total, 2)
            for seq in range(1, n_pay + 1):
                ptype = pick_payment() if seq == 1 else "voucher"
                value = remaining if seq == n_pay else round(remaining * rng.uniform(0.1, 0.6), 2)
                remaining = round(remaining - value, 2)
                installments = (
                    1
                    if ptype in ("boleto", "voucher", "debit_card")
                    else (
                        rng.choices(
                            (1, 2, 3, 4, 5, 6, 8, 10, 0), (50, 12, 10, 7, 5, 4, 4, 7, 0.02)
                        )[0]
                    )
                )
                payments.append((oid, seq, ptype, installments, f"{value:.2f}"))
            if idx == 11:
                payments.append((oid, n_pay + 1, "not_defined", 1, "0.00"))
        # Reviews: worse scores for late deliveries.
        if rng.random() < 0.992:
            late = delivered is not None and delivered.date() > estimated.date()
            weights = (40, 12, 15, 15, 18) if late or delivered is None else (6, 2, 8, 20, 64)
            score = rng.choices((1, 2, 3, 4, 5), weights)[0]
            created = ((delivered or estimated) + timedelta(days=1)).replace(
                hour=0, minute=0, second=0
            )
            answered = created + timedelta(seconds=rng.randint(3600, 5 * 86400))
            rid = _hex_id(rng)
            if review_ids and rng.random() < 0.0082:
                rid = rng.choice(review_ids)  # duplicate review ids on other orders
            review_ids.append(rid)
            title = rng.choice(REVIEW_TITLES) if rng.random() < 0.12 else None
            message = rng.choice(REVIEW_MESSAGES) if rng.random() < 0.41 else None
            reviews.append((rid, oid, score, title, message, _ts(created), _ts(answered)))
    rng.shuffle(orders)
    rng.shuffle(reviews)
    rng.shuffle(payments)
    items.sort(key=lambda r: (r[0], r[1]))

    # Geolocation: several points per zip prefix, a quarter exact duplicates, a few
    # prefixes missing, a few points outside Brazil, accented city spellings.
    geo = []
    prefixes = {(c[2], c[3], c[4]) for c in customers} | {(s[1], s[2], s[3]) for s in sellers}
    for zp, city, st in sorted(prefixes):
        if rng.random() < 0.0016:
            continue  # prefix missing from geolocation
        for _ in range(rng.randint(2, 14)):
            lat, lng = _geo_point(rng, st)
            if rng.random() < 0.0003:
                lat, lng = rng.uniform(38, 45.07), rng.uniform(100, 121.1)
            shown = ACCENTED.get(city, city) if rng.random() < 0.3 else city
            row = (zp, repr(lat), repr(lng), shown, st)
            geo.append(row)
            if rng.random() < 0.35:
                geo.append(row)
    rng.shuffle(geo)

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
        "products": (products, (ID, BARE) + (BARE,) * 7, {}),
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

    events = _clickstream(rng, orders, customers, products, n_sessions_extra=2 * n_orders)
    ds = DATASETS["events"]
    with open(out_dir / ds.file_name, "w", encoding="utf-8", newline="") as fh:
        counts["events"] = write_csv(fh, ds.header, (BARE,) * len(ds.header), events)
    return GenerationResult(out_dir=out_dir, rows=counts)


def _clickstream(
    rng: random.Random,
    orders: list[tuple],
    customers: list[tuple],
    products: list[tuple],
    n_sessions_extra: int,
) -> list[tuple]:
    """Sessions aligned with the orders: every order has a converting session whose
    purchase event carries the real order_id at the order's purchase timestamp, and many
    more sessions drop out of the funnel."""
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

    def session(cust, end: datetime, depth: int, oid: str | None) -> None:
        source, device = pick_source(), pick_device()
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
                pid = rng.choice(products)[0]
                emit(sid, cust, "view_product", ts, pid, None, device, source, auth)
        for step, name in ((3, "add_to_cart"), (4, "checkout")):
            if depth >= step:
                ts += timedelta(seconds=rng.randint(10, 90))
                emit(sid, cust, name, ts, pid, None, device, source, auth)
        if depth >= 5:
            emit(sid, cust, "purchase", end, None, oid, device, source, auth)

    for order in orders:
        session(by_customer[order[1]], datetime.fromisoformat(order[3]), 5, order[0])
    start = datetime(2016, 9, 4)
    span = int((datetime(2018, 10, 17) - start).total_seconds())
    for _ in range(n_sessions_extra):
        cust = rng.choice(customers) if rng.random() < 0.6 else None
        depth = rng.choices((1, 2, 3, 4), (30, 45, 17, 8))[0]
        session(cust, start + timedelta(seconds=rng.randint(3600, span)), depth, None)
    rng.shuffle(events)
    return events
