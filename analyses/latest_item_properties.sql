-- The latest value of each Retailrocket item's properties (price, availability,
-- category), pivoted side by side, with where the category sits in the tree and how
-- many versions led there. The items whose price changed most recently come first.
with

items as (

    select * from {{ ref('dim_retailrocket_item') }}

),

versions as (

    select * from {{ ref('int_retailrocket_item_versions') }}

),

current_versions as (

    select
        item_id,
        price_changed_at
    from versions
    where is_current

)

select
    items.item_id,
    items.price,
    items.is_available,
    items.category_id,
    items.root_category_id,
    items.category_depth,
    current_versions.price_changed_at as price_since,
    items.version_count
from items
left join current_versions
    on items.item_id = current_versions.item_id
order by current_versions.price_changed_at desc nulls last, items.item_id asc
