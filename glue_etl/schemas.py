"""Raw-file contracts: which files arrive, their exact headers and the typed columns.

This module is the single source of truth shared by the generator and the landing code
(`ingestion/`) and by the cleaning jobs (`glue_etl/`). It is plain Python (no pyspark
import) so that ingestion can use it without starting Spark and so that it ships inside
the Glue `--extra-py-files` archive unchanged.

Logical types: `string`, `int`, `bigint`, `double`, `decimal`, `timestamp`, `boolean`.
Money is `decimal(12,2)` in BRL.
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
    # Columns whose values must be present for a row to be usable.
    required: tuple[str, ...] = ()
    # Column -> allowed values.
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Cleaned-zone partition columns (derived during cleaning).
    partition_by: tuple[str, ...] = ()

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.source_name for c in self.columns)

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
BRAZIL_STATES = (
    "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
    "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
)  # fmt: skip

OLIST = "olist"
CLICKSTREAM = "clickstream"

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
            required=("customer_id", "customer_unique_id"),
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
            required=("geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng"),
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
            enums={"order_status": ORDER_STATUSES},
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
            required=("product_id",),
        ),
        Dataset(
            entity="sellers",
            file_name="olist_sellers_dataset.csv",
            source=OLIST,
            columns=_cols("seller_id", "seller_zip_code_prefix", "seller_city", "seller_state"),
            primary_key=("seller_id",),
            required=("seller_id",),
        ),
        Dataset(
            entity="product_category_name_translation",
            file_name="product_category_name_translation.csv",
            source=OLIST,
            columns=_cols("product_category_name", "product_category_name_english"),
            primary_key=("product_category_name",),
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
            partition_by=("event_date",),
        ),
    )
}

OLIST_DATASETS = tuple(d for d in DATASETS.values() if d.source == OLIST)


def dataset_for_file(file_name: str) -> Dataset | None:
    """The contract of a raw file, looked up by its file name."""
    for d in DATASETS.values():
        if d.file_name == file_name:
            return d
    return None
