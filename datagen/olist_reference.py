"""Reference shapes of the real Olist download that the generator reproduces: the category
translation file, the states with their share of customers, zip ranges and cities,
centroids for coordinates, the real counts per order status and payment type, the
monthly order curve, review texts and dirty seller cities."""

from __future__ import annotations

from typing import NamedTuple

from datagen.rows import allowed
from lakecore.contract import ORDER_STATUSES, PAYMENT_TYPES

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
CATEGORY_WEIGHT_OVERRIDES = {
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


class State(NamedTuple):
    code: str
    share: float  # of customers, percent
    zips: tuple[int, int]  # zip prefix range
    cities: tuple[str, ...]  # a few cities (with and without accents)


STATES: tuple[State, ...] = tuple(
    State(*s)
    for s in (
        (
            "SP",
            42.0,
            (1000, 19999),
            ("sao paulo", "campinas", "guarulhos", "santo andre", "sorocaba"),
        ),
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

# Real counts per order status and payment type (the `not_defined` payments are added as
# a quirk); every value must be one the contract allows.
ORDER_STATUS_WEIGHTS = allowed(
    {"delivered": 96478, "shipped": 1107, "canceled": 625, "unavailable": 609,
     "invoiced": 314, "processing": 301, "created": 5, "approved": 2},
    ORDER_STATUSES, "order_status",
)  # fmt: skip
PAYMENT_TYPE_WEIGHTS = allowed(
    {"credit_card": 76795, "boleto": 19784, "voucher": 5775, "debit_card": 1529},
    PAYMENT_TYPES, "payment_type",
)  # fmt: skip
# Orders per month, 2016-09 .. 2018-10 (shape of the real curve; Black Friday 2017-11).
MONTHLY_ORDERS = (
    4, 324, 0, 1,  # 2016-09 .. 2016-12
    800, 1780, 2682, 2404, 3700, 3245, 4026, 4331, 4285, 4631, 7544, 5673,  # 2017
    7269, 6728, 7211, 6939, 6873, 6167, 6292, 6512, 16, 4,  # 2018-01 .. 2018-10
)  # fmt: skip
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
