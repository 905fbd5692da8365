"""Raw-file contracts: which files arrive, their exact headers and the typed columns.

This module is the single source of truth shared by the generator and the landing code
(`ingestion/`) and by the cleaning jobs (`glue_etl/`). It is plain Python (no pyspark
import) so that ingestion can use it without starting Spark and so that it ships inside
the Glue `--extra-py-files` archive unchanged.

Logical types: `string`, `int`, `bigint`, `double`, `decimal` (12,2), `decimal18`
(18,3), `timestamp`, `boolean`, `date`. Money is `decimal(12,2)` in BRL.

A dataset's cleaned table has its typed raw columns, then the columns cleaning derives
(`derived`), then `ingest_date` (lineage); `partition_by` columns are among the derived
ones and become the table's partition keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    # Raw name in the file when it differs from the cleaned name (kept for the real
    # misspelled Olist headers such as `product_name_lenght`).
    raw_name: str | None = None

    @property
    def source_name(self) -> str:
        return self.raw_name or self.name


@dataclass(frozen=True)
class Dataset:
    """One raw file family and the cleaned entity built from it."""

    entity: str
    file_name: str
    source: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    description: str = ""
    # Columns whose values must be present for a row to be usable.
    required: tuple[str, ...] = ()
    # Column -> allowed values.
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns the cleaning job adds (normalized text, partition columns, ...).
    derived: tuple[Column, ...] = ()
    # Cleaned-zone partition columns (a subset of `derived`).
    partition_by: tuple[str, ...] = ()
    # Further file names that deliver the same entity (Retailrocket splits item
    # properties in two parts).
    more_file_names: tuple[str, ...] = ()
    # Other raw feeds whose rows belong to this entity (the clickstream's Firehose feed
    # delivers the same events as its CSV export).
    feeds: tuple[str, ...] = ()
    # Column -> regular expression a present value must match (zip prefixes, states).
    patterns: dict[str, str] = field(default_factory=dict)
    # False: cleaning aggregates across all raw rows, so new files mean a full rebuild.
    incremental: bool = True

    @property
    def file_names(self) -> tuple[str, ...]:
        return (self.file_name, *self.more_file_names)

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.source_name for c in self.columns)

    @property
    def cleaned_columns(self) -> tuple[Column, ...]:
        """The cleaned table's columns in order (partition columns last)."""
        derived = tuple(c for c in self.derived if c.name not in self.partition_by)
        parts = tuple(c for c in self.derived if c.name in self.partition_by)
        return (*self.columns, *derived, Column("ingest_date", "date"), *parts)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _cols(*specs: str | tuple[str, str] | tuple[str, str, str]) -> tuple[Column, ...]:
    out = []
    for s in specs:
        if isinstance(s, str):
            out.append(Column(s))
        else:
            out.append(Column(*s))
    return tuple(out)


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
EVENT_TYPES = ("page_view", "view_product", "add_to_cart", "checkout", "purchase")
DEVICE_TYPES = ("desktop", "mobile", "tablet")
TRAFFIC_SOURCES = ("organic", "paid_search", "social", "email", "direct", "referral")

OLIST = "olist"
CLICKSTREAM = "clickstream"
CATALOG = "catalog"

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
STREAM_FOLDER = "clickstream_stream"  # generator output folder for the JSON feed
STREAM_ENTITY = "events_stream"  # the feed's name in the raw zone and the manifests
ZIP_PATTERN = r"^[0-9]{5}$"
STATE_PATTERN = r"^[A-Z]{2}$"

# The latest value of each catalog property per item, pivoted from the cleaned change
# log (cleaned/item_latest): what dim_product reads as "current price/availability".
ITEM_LATEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("itemid", "bigint"),
    ("olist_product_id", "string"),
    ("categoryid", "bigint"),
    ("price", "decimal"),
    ("is_available", "boolean"),
    ("price_changed_at", "timestamp"),
    ("availability_changed_at", "timestamp"),
    ("last_changed_at", "timestamp"),
)

DATASETS: dict[str, Dataset] = {
    d.entity: d
    for d in (
        Dataset(
            entity="customers",
            file_name="olist_customers_dataset.csv",
            source=OLIST,
            columns=_cols(
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
            derived=(Column("customer_city_normalized"),),
        ),
        Dataset(
            entity="geolocation",
            file_name="olist_geolocation_dataset.csv",
            source=OLIST,
            columns=_cols(
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
            incremental=False,
            derived=(Column("geolocation_points", "bigint"), Column("geolocation_city_normalized")),
        ),
        Dataset(
            entity="order_items",
            file_name="olist_order_items_dataset.csv",
            source=OLIST,
            columns=_cols(
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
            columns=_cols(
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
            columns=_cols(
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
            enums={"review_score": ("1", "2", "3", "4", "5")},
        ),
        Dataset(
            entity="orders",
            file_name="olist_orders_dataset.csv",
            source=OLIST,
            columns=_cols(
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
            derived=(Column("order_purchase_year_month"),),
            partition_by=("order_purchase_year_month",),
        ),
        Dataset(
            entity="products",
            file_name="olist_products_dataset.csv",
            source=OLIST,
            columns=_cols(
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
            columns=_cols("seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"),
            primary_key=("seller_id",),
            description="Olist sellers.",
            required=("seller_id",),
            patterns={"seller_zip_code_prefix": ZIP_PATTERN, "seller_state": STATE_PATTERN},
            derived=(Column("seller_city_normalized"),),
        ),
        Dataset(
            entity="product_category_name_translation",
            file_name="product_category_name_translation.csv",
            source=OLIST,
            columns=_cols("product_category_name", "product_category_name_english"),
            primary_key=("product_category_name",),
            description="Olist category name translation (Portuguese -> English).",
            required=("product_category_name", "product_category_name_english"),
        ),
        Dataset(
            entity="events",
            file_name="olist_clickstream_events.csv",
            source=CLICKSTREAM,
            columns=_cols(
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
            derived=(Column("customer_city_normalized"), Column("event_date", "date")),
            partition_by=("event_date",),
        ),
        Dataset(
            entity="item_properties",
            file_name="item_properties_part1.csv",
            more_file_names=("item_properties_part2.csv",),
            source=CATALOG,
            columns=_cols(("timestamp", "bigint"), ("itemid", "bigint"), "property", "value"),
            primary_key=("itemid", "property", "timestamp"),
            description="Catalog change log (Retailrocket format): a property's value is "
            "written at a weekly snapshot only when it changed.",
            required=("timestamp", "itemid", "property"),
            derived=(Column("changed_at", "timestamp"), Column("value_number", "decimal18")),
        ),
        Dataset(
            entity="category_tree",
            file_name="category_tree.csv",
            source=CATALOG,
            columns=_cols(("categoryid", "bigint"), ("parentid", "bigint")),
            primary_key=("categoryid",),
            description="Catalog category tree: department -> group -> category.",
            required=("categoryid",),
        ),
    )
}

# The `_audit` zone, written through the lake's store (glue_etl/storage.py) by landing
# and by the cleaning job: small JSON files, never read by Spark.
MANIFEST_PREFIX = "_audit/manifests"  # <entity>/<sha256[:16]>.json per landed file
MANIFEST_INDEX_PREFIX = f"{MANIFEST_PREFIX}/_index"  # one JSON-lines index per ingest run
STATE_PREFIX = "_audit/state"  # the cleaning job's bookmark per entity
RUN_LOG_PREFIX = "_audit/run_log"  # one JSON-lines file per cleaning run

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
