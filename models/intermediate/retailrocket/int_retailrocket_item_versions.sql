{#- Grain: one row per version of a catalog item: its price, availability and category
    from one change in the Retailrocket change log until the next (type-2 history),
    rebuilt from the log rather than from snapshots taken at build time, so any build
    reproduces it. A version is valid from `valid_from` (inclusive) until `valid_to`
    (exclusive); the current one has no `valid_to`. The one place item versions are
    computed: dim_product_history (the Olist products), dim_retailrocket_item (the
    current version) and fct_retailrocket_events (the version at each event) read them. -#}
with

properties as (

    select * from {{ ref('stg_retailrocket__item_properties') }}

),

changes as (

    select
        item_id,
        changed_at,
        max(case when property_name = '790' then property_value_number end) as price,
        max(case when property_name = 'available' then property_value end) as available_value,
        max(case when property_name = 'categoryid' then property_value end) as category_value
    from properties
    where property_name in ('790', 'available', 'categoryid')
    group by item_id, changed_at

),

value_runs as (

    -- Each property only appears when it changed: carry the last known value forward.
    -- A running count of non-null values numbers the runs of rows that share it.
    select
        *,
        count(price) over (
            partition by item_id
            order by changed_at
            rows between unbounded preceding and current row
        ) as price_run,
        count(available_value) over (
            partition by item_id
            order by changed_at
            rows between unbounded preceding and current row
        ) as availability_run,
        count(category_value) over (
            partition by item_id
            order by changed_at
            rows between unbounded preceding and current row
        ) as category_run
    from changes

),

filled as (

    select
        item_id,
        changed_at,
        max(price) over (partition by item_id, price_run) as price,
        -- A run starts at the change that set its price.
        min(changed_at) over (partition by item_id, price_run) as price_changed_at,
        max(available_value) over (partition by item_id, availability_run) as available_value,
        max(category_value) over (partition by item_id, category_run) as category_value
    from value_runs

),

final as (

    select
        item_id,
        price,
        price_changed_at,
        available_value = '1' as is_available,
        cast(category_value as bigint) as category_id,
        changed_at as valid_from,
        lead(changed_at) over (partition by item_id order by changed_at) as valid_to
    from filled

)

select
    *,
    valid_to is null as is_current
from final
