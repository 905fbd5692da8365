{#- Grain: one row per Retailrocket catalog item: the latest value of each property
    (price, availability, category) pivoted side by side, where its category sits in
    the tree, when the item first appeared and how many property changes and price,
    availability or category versions it has. -#}
with

items as (

    select * from {{ ref('int_retailrocket_items_pivoted') }}

),

versions as (

    select * from {{ ref('int_retailrocket_item_versions') }}

),

categories as (

    select * from {{ ref('dim_retailrocket_category') }}

),

version_counts as (

    select
        item_id,
        count(*) as version_count
    from versions
    group by item_id

),

final as (

    select
        items.item_id,
        items.category_id,
        categories.root_category_id,
        categories.category_depth,
        items.price,
        items.is_available,
        items.product_id as olist_product_id,
        items.first_seen_at,
        items.property_change_count,
        coalesce(version_counts.version_count, 0) as version_count
    from items
    left join categories
        on items.category_id = categories.category_id
    left join version_counts
        on items.item_id = version_counts.item_id

)

select * from final
