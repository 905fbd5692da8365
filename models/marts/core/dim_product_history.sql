{#- Grain: one row per version of a product's catalog price and availability (type-2
    history), rebuilt from the catalog's change log rather than from snapshots taken at
    build time, so it covers every change since the feed began and any build reproduces
    it. A version is valid from `valid_from` (inclusive) until `valid_to` (exclusive);
    the current version has no `valid_to`, and is where dim_product reads the current
    price and availability: the one place they are computed. -#}
with

properties as (

    select * from {{ ref('stg_catalog__item_properties') }}

),

items as (

    select * from {{ ref('int_catalog_items_pivoted') }}

),

changes as (

    select
        item_id,
        changed_at,
        max(case when property_name = '790' then property_value_number end) as price_brl,
        max(case when property_name = 'available' then property_value end) as available_value
    from properties
    where property_name in ('790', 'available')
    group by item_id, changed_at

),

value_runs as (

    -- Each property only appears when it changed: carry the last known value forward.
    -- A running count of non-null values numbers the runs of rows that share it.
    select
        *,
        count(price_brl) over (
            partition by item_id
            order by changed_at
            rows between unbounded preceding and current row
        ) as price_run,
        count(available_value) over (
            partition by item_id
            order by changed_at
            rows between unbounded preceding and current row
        ) as availability_run
    from changes

),

filled as (

    select
        item_id,
        changed_at,
        max(price_brl) over (partition by item_id, price_run) as price_brl,
        -- A run starts at the change that set its price.
        min(changed_at) over (partition by item_id, price_run) as price_changed_at,
        max(available_value) over (partition by item_id, availability_run) as available_value
    from value_runs

),

versions as (

    select
        *,
        lead(changed_at) over (partition by item_id order by changed_at) as valid_to
    from filled

),

final as (

    select
        -- Epoch seconds, not the timestamp cast to text: DuckDB writes
        -- '2016-10-16 03:00:00' and Athena '2016-10-16 03:00:00.000'.
        {{ dbt.concat([
            'items.product_id', "'-'",
            'cast(' ~ duration_seconds("cast('1970-01-01 00:00:00' as timestamp)", 'versions.changed_at') ~ ' as varchar)'
        ]) }} as product_version_key,
        items.product_id,
        versions.item_id as catalog_item_id,
        cast(versions.price_brl as decimal(12, 2)) as price_brl,
        versions.available_value = '1' as is_available,
        versions.valid_to is null as is_current,
        versions.price_changed_at,
        versions.changed_at as valid_from,
        versions.valid_to
    from versions
    inner join items
        on versions.item_id = items.item_id
    where items.product_id is not null

)

select * from final
