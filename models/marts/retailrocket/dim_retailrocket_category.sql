{#- Grain: one row per category of the Retailrocket tree: its parent, its root (the
    department it falls under), its full path of category ids from the root down to
    itself and its depth (int_retailrocket_category_paths), whether it is a leaf, and
    the items currently in it. A category that no root reaches (a cycle, a missing
    parent) has no path and fails this model's row-count test. -#}
with

categories as (

    select * from {{ ref('stg_retailrocket__categories') }}

),

items as (

    select * from {{ ref('int_retailrocket_items_pivoted') }}

),

tree as (

    select * from {{ ref('int_retailrocket_category_paths') }}

),

child_counts as (

    select
        parent_category_id as category_id,
        count(*) as child_count
    from categories
    where parent_category_id is not null
    group by parent_category_id

),

item_counts as (

    select
        category_id,
        count(*) as item_count
    from items
    where category_id is not null
    group by category_id

),

final as (

    select
        tree.category_id,
        tree.parent_category_id,
        tree.root_category_id,
        tree.category_path,
        tree.category_depth,
        coalesce(child_counts.child_count, 0) = 0 as is_leaf,
        coalesce(child_counts.child_count, 0) as child_count,
        coalesce(item_counts.item_count, 0) as item_count
    from tree
    left join child_counts
        on tree.category_id = child_counts.category_id
    left join item_counts
        on tree.category_id = item_counts.category_id

)

select * from final
