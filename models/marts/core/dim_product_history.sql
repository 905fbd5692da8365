{#- Grain: one row per version of an Olist product's catalog price, availability and
    category (type-2 history): the versions of its catalog item
    (int_retailrocket_item_versions, rebuilt from the catalog's change log), so it
    covers every change since the feed began and any build reproduces it. A version is
    valid from `valid_from` (inclusive) until `valid_to` (exclusive); the current version
    has no `valid_to`, and is where dim_product reads the current price and availability:
    the one place they are computed. -#}
with

versions as (

    select * from {{ ref('int_retailrocket_item_versions') }}

),

items as (

    select * from {{ ref('int_retailrocket_items_pivoted') }}

),

final as (

    select
        -- Epoch seconds, not the timestamp cast to text: DuckDB writes
        -- '2016-10-16 03:00:00' and Athena '2016-10-16 03:00:00.000'.
        {{ dbt.concat([
            'items.product_id', "'-'",
            'cast(' ~ duration_seconds("cast('1970-01-01 00:00:00' as timestamp)", 'versions.valid_from') ~ ' as varchar)'
        ]) }} as product_version_key,
        items.product_id,
        versions.item_id as catalog_item_id,
        cast(versions.price as decimal(12, 2)) as price_brl,
        versions.is_available,
        versions.is_current,
        versions.price_changed_at,
        versions.valid_from,
        versions.valid_to
    from versions
    inner join items
        on versions.item_id = items.item_id
    where items.product_id is not null

)

select * from final
