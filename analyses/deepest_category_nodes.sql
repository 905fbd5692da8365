-- The deepest nodes of the catalog category tree (leaves with the longest path from a
-- department), with how many products sit in each.
with

categories as (

    select * from {{ ref('stg_catalog__categories') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

depths as (

    select
        leaves.category_id,
        case
            when category_groups.parent_category_id is not null then 3
            when leaves.parent_category_id is not null then 2
            else 1
        end as tree_depth
    from categories as leaves
    left join categories as category_groups
        on leaves.parent_category_id = category_groups.category_id

),

final as (

    select
        depths.category_id,
        depths.tree_depth,
        count(products.product_id) as product_count
    from depths
    left join products
        on depths.category_id = products.catalog_category_id
    group by depths.category_id, depths.tree_depth

),

deepest as (

    select max(tree_depth) as tree_depth from depths

)

select final.*
from final
inner join deepest
    on final.tree_depth = deepest.tree_depth
order by final.product_count desc, final.category_id asc
