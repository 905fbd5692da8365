"""The dataset contract: which raw files arrive, their exact headers, the typed columns
of the cleaned tables, the values a column may take, and how each entity is cleaned.

The single source of truth for landing (`ingestion/`), the data generator (`datagen/`),
the cleaning job (`glue_etl/`), the Glue catalog and the dbt tests (a test checks that
every `accepted_values` list in the dbt YAML equals the contract's values). What differs
between entities is declared here as fields (`dedup`, `tie_breakers`, `coordinates`,
`multiline`, derived columns with their `derivation`), never as `if entity == ...`
branches in the code that reads the contract.

Logical types: `string`, `int`, `bigint`, `double`, `decimal` (12,2), `decimal18`
(18,3), `timestamp`, `boolean`, `date`. Money is `decimal(12,2)` in BRL.

A dataset's cleaned table has its typed raw columns, then the columns cleaning derives
(`derived`), then `ingest_date` (lineage); the `partition_by` columns (raw or derived)
become the table's partition keys, last, in that order.
"""

from __future__ import annotations

from lakecore.dataset import Column, Dataset, cols, normalized_column

ORDER_STATUSES = (
    "delivered",
    "shipped",
    "canceled",
    "unavailable",
    "invoiced",
    "processing",
    "created",
    "approved",
)
PAYMENT_TYPES = ("credit_card", "boleto", "voucher", "debit_card", "not_defined")
REVIEW_SCORES = ("1", "2", "3", "4", "5")
EVENT_TYPES = ("page_view", "view_product", "add_to_cart", "checkout", "purchase")
DEVICE_TYPES = ("desktop", "mobile", "tablet")
TRAFFIC_SOURCES = ("organic", "paid_search", "social", "email", "direct", "referral")

OLIST = "olist"
CLICKSTREAM = "clickstream"
RETAILROCKET = "retailrocket"
WALMART = "walmart"

# Retailrocket's visitor events (events.csv), as the real file writes them.
RETAILROCKET_EVENT_TYPES = ("view", "addtocart", "transaction")
_RETAILROCKET_EVENT_COLUMNS = cols(
    ("timestamp", "bigint"), ("visitorid", "bigint"), ("event_type", "string", "event"),
    ("itemid", "bigint"), ("transactionid", "bigint"),
)  # fmt: skip

# The Walmart (Black Friday) transactions' coded demographics, as the real file writes them.
WALMART_AGE_BANDS = ("0-17", "18-25", "26-35", "36-45", "46-50", "51-55", "55+")
WALMART_GENDERS = ("F", "M")
WALMART_CITY_CATEGORIES = ("A", "B", "C")
WALMART_STAY_YEARS = ("0", "1", "2", "3", "4+")
_WALMART_COLUMNS = cols(
    ("user_id", "bigint", "User_ID"), ("product_id", "string", "Product_ID"),
    ("gender", "string", "Gender"), ("age_band", "string", "Age"),
    ("occupation", "int", "Occupation"), ("city_category", "string", "City_Category"),
    ("stay_in_current_city_years", "string", "Stay_In_Current_City_Years"),
    ("is_married", "boolean", "Marital_Status"),
    ("product_category", "int", "Product_Category"), ("purchase_amount", "int", "Purchase"),
)  # fmt: skip

# The nested JSON lines the clickstream delivers through Kinesis Firehose, gzip, in
# `year=YYYY/month=MM/day=DD/hour=HH/` folders (UTC). One object per line:
#   {"event_id": "...", "event_type": "view_product", "session_id": "...",
#    "event_timestamp": "2018-08-15T10:31:02Z", "product_id": "...",
#    "customer": {"customer_id": "...", "city": "...", "state": "SP", "is_authenticated": true},
#    "order": {"order_id": "..."},
#    "session": {"device_type": "mobile", "traffic_source": "organic"}}
STREAM_PARTITIONS = ("year", "month", "day", "hour")
STREAM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "string"),
    ("event_type", "string"),
    ("session_id", "string"),
    ("event_timestamp", "string"),
    ("product_id", "string"),
    ("customer", "struct<customer_id:string,city:string,state:string,is_authenticated:boolean>"),
    ("order", "struct<order_id:string>"),
    ("session", "struct<device_type:string,traffic_source:string>"),
)
STREAM_ENTITY = "events_stream"  # the feed's name in the raw zone and the manifests
ZIP_PATTERN = r"^[0-9]{5}$"
STATE_PATTERN = r"^[A-Z]{2}$"

DATASETS: dict[str, Dataset] = {
    d.entity: d
    for d in (
        Dataset(
            entity="customers",
            file_name="olist_customers_dataset.csv",
            source=OLIST,
            columns=cols(
                "customer_id",
                "customer_unique_id",
                "customer_zip_code_prefix",
                "customer_city",
                "customer_state",
            ),
            primary_key=("customer_id",),
            description="Olist customers: one customer_id per order.",
            required=("customer_id", "customer_unique_id"),
            patterns={"customer_zip_code_prefix": ZIP_PATTERN, "customer_state": STATE_PATTERN},
            derived=(normalized_column("customer_city"),),
        ),
        Dataset(
            entity="geolocation",
            file_name="olist_geolocation_dataset.csv",
            source=OLIST,
            columns=cols(
                "geolocation_zip_code_prefix",
                ("geolocation_lat", "double"),
                ("geolocation_lng", "double"),
                "geolocation_city",
                "geolocation_state",
            ),
            primary_key=("geolocation_zip_code_prefix",),
            description="Olist zip prefix coordinates; cleaned to one point per prefix.",
            required=("geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng"),
            patterns={"geolocation_zip_code_prefix": ZIP_PATTERN},
            dedup="median_point",
            coordinates=("geolocation_lat", "geolocation_lng"),
            derived=(
                Column("geolocation_points", "bigint", derivation="aggregate"),
                normalized_column("geolocation_city"),
            ),
        ),
        Dataset(
            entity="order_items",
            file_name="olist_order_items_dataset.csv",
            source=OLIST,
            columns=cols(
                "order_id",
                ("order_item_id", "int"),
                "product_id",
                "seller_id",
                ("shipping_limit_date", "timestamp"),
                ("price", "decimal"),
                ("freight_value", "decimal"),
            ),
            primary_key=("order_id", "order_item_id"),
            description="Olist order items.",
            required=("order_id", "order_item_id", "product_id", "seller_id", "price"),
        ),
        Dataset(
            entity="order_payments",
            file_name="olist_order_payments_dataset.csv",
            source=OLIST,
            columns=cols(
                "order_id",
                ("payment_sequential", "int"),
                "payment_type",
                ("payment_installments", "int"),
                ("payment_value", "decimal"),
            ),
            primary_key=("order_id", "payment_sequential"),
            description="Olist order payments.",
            required=("order_id", "payment_sequential", "payment_value"),
            enums={"payment_type": PAYMENT_TYPES},
        ),
        Dataset(
            entity="order_reviews",
            file_name="olist_order_reviews_dataset.csv",
            source=OLIST,
            columns=cols(
                "review_id",
                "order_id",
                ("review_score", "int"),
                "review_comment_title",
                "review_comment_message",
                ("review_creation_date", "timestamp"),
                ("review_answer_timestamp", "timestamp"),
            ),
            primary_key=("review_id", "order_id"),
            description="Olist order reviews (review_id alone is not unique).",
            required=("review_id", "order_id", "review_score"),
            enums={"review_score": REVIEW_SCORES},
            multiline=True,
            tie_breakers=("review_answer_timestamp",),
        ),
        Dataset(
            entity="orders",
            file_name="olist_orders_dataset.csv",
            source=OLIST,
            columns=cols(
                "order_id",
                "customer_id",
                "order_status",
                ("order_purchase_timestamp", "timestamp"),
                ("order_approved_at", "timestamp"),
                ("order_delivered_carrier_date", "timestamp"),
                ("order_delivered_customer_date", "timestamp"),
                ("order_estimated_delivery_date", "timestamp"),
            ),
            primary_key=("order_id",),
            required=("order_id", "customer_id", "order_purchase_timestamp"),
            description="Olist orders.",
            enums={"order_status": ORDER_STATUSES},
            derived=(
                Column(
                    "order_purchase_year_month",
                    derivation="year_month",
                    source="order_purchase_timestamp",
                ),
            ),
            partition_by=("order_purchase_year_month",),
        ),
        Dataset(
            entity="products",
            file_name="olist_products_dataset.csv",
            source=OLIST,
            columns=cols(
                "product_id",
                "product_category_name",
                ("product_name_length", "int", "product_name_lenght"),
                ("product_description_length", "int", "product_description_lenght"),
                ("product_photos_qty", "int"),
                ("product_weight_g", "int"),
                ("product_length_cm", "int"),
                ("product_height_cm", "int"),
                ("product_width_cm", "int"),
            ),
            primary_key=("product_id",),
            description="Olist products.",
            required=("product_id",),
        ),
        Dataset(
            entity="sellers",
            file_name="olist_sellers_dataset.csv",
            source=OLIST,
            columns=cols("seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"),
            primary_key=("seller_id",),
            description="Olist sellers.",
            required=("seller_id",),
            patterns={"seller_zip_code_prefix": ZIP_PATTERN, "seller_state": STATE_PATTERN},
            derived=(normalized_column("seller_city"),),
        ),
        Dataset(
            entity="product_category_name_translation",
            file_name="product_category_name_translation.csv",
            source=OLIST,
            columns=cols("product_category_name", "product_category_name_english"),
            primary_key=("product_category_name",),
            description="Olist category name translation (Portuguese -> English).",
            required=("product_category_name", "product_category_name_english"),
        ),
        Dataset(
            entity="events",
            file_name="olist_clickstream_events.csv",
            source=CLICKSTREAM,
            columns=cols(
                "event_id",
                "session_id",
                "customer_id",
                "event_type",
                ("event_ts", "timestamp"),
                "product_id",
                "order_id",
                "device_type",
                "traffic_source",
                ("is_authenticated", "boolean"),
                "customer_city",
                "customer_state",
            ),
            primary_key=("event_id",),
            required=("event_id", "session_id", "event_type", "event_ts"),
            enums={
                "event_type": EVENT_TYPES,
                "device_type": DEVICE_TYPES,
                "traffic_source": TRAFFIC_SOURCES,
            },
            description="Website clickstream events (CSV export and Firehose feed).",
            feeds=(STREAM_ENTITY,),
            derived=(
                normalized_column("customer_city"),
                Column("event_date", "date", derivation="date", source="event_ts"),
            ),
            partition_by=("event_date",),
        ),
        Dataset(
            entity="item_properties",
            file_name="item_properties_part1.csv",
            more_file_names=("item_properties_part2.csv",),
            source=RETAILROCKET,
            columns=cols(("timestamp", "bigint"), ("itemid", "bigint"), "property", "value"),
            primary_key=("itemid", "property", "timestamp"),
            description="Catalog change log (Retailrocket format): a property's value is "
            "written at a weekly snapshot only when it changed.",
            required=("timestamp", "itemid", "property"),
            derived=(
                Column("changed_at", "timestamp", derivation="epoch_millis", source="timestamp"),
                Column("value_number", "decimal18", derivation="n_number", source="value"),
            ),
        ),
        Dataset(
            entity="category_tree",
            file_name="category_tree.csv",
            source=RETAILROCKET,
            columns=cols(("categoryid", "bigint"), ("parentid", "bigint")),
            primary_key=("categoryid",),
            description="Catalog category tree: department -> group -> category.",
            required=("categoryid",),
        ),
        Dataset(
            entity="retailrocket_events",
            file_name="events.csv",
            source=RETAILROCKET,
            columns=_RETAILROCKET_EVENT_COLUMNS,
            primary_key=("timestamp", "visitorid", "event_type", "itemid"),
            description="Retailrocket visitor events: views, add-to-carts and transactions "
            "of catalog items, at epoch-millisecond times.",
            required=("timestamp", "visitorid", "event_type", "itemid"),
            enums={"event_type": RETAILROCKET_EVENT_TYPES},
            present_only_when={"transactionid": ("event_type", "transaction")},
            derived=(
                Column("event_ts", "timestamp", derivation="epoch_millis", source="timestamp"),
                Column("event_date", "date", derivation="date", source="event_ts"),
            ),
            partition_by=("event_type", "event_date"),
        ),
        Dataset(
            entity="walmart_sales",
            file_name="walmart.csv",
            source=WALMART,
            columns=_WALMART_COLUMNS,
            primary_key=("user_id", "product_id"),
            description="Walmart Black Friday transactions: one row per customer and "
            "product bought, with the customer's coded demographics (masked occupation "
            "and product category ids).",
            required=tuple(c.name for c in _WALMART_COLUMNS),  # the real file has no gaps
            enums={
                "gender": WALMART_GENDERS,
                "age_band": WALMART_AGE_BANDS,
                "city_category": WALMART_CITY_CATEGORIES,
                "stay_in_current_city_years": WALMART_STAY_YEARS,
            },
            patterns={"product_id": r"^P[0-9]{8}$"},
        ),
    )
}

# The ETL run log: one row per entity per cleaning run that read raw files.
RUN_LOG_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "string"),
    ("entity", "string"),
    ("source", "string"),
    ("started_at", "timestamp"),
    ("finished_at", "timestamp"),
    ("raw_files", "bigint"),
    ("raw_rows", "bigint"),
    ("cleaned_rows", "bigint"),
    ("quarantined_rows", "bigint"),
    ("duplicate_rows", "bigint"),
    ("landed_rows", "bigint"),
    ("is_balanced", "boolean"),
)

OLIST_DATASETS = tuple(d for d in DATASETS.values() if d.source == OLIST)


def dataset_for_file(file_name: str) -> Dataset | None:
    """The contract of a raw file, looked up by its file name."""
    for d in DATASETS.values():
        if file_name in d.file_names:
            return d
    return None
