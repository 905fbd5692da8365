-- The deepest nodes of the Retailrocket category tree, with their full path from the
-- root and how many items sit in each.
with

categories as (

    select * from {{ ref('dim_retailrocket_category') }}

),

deepest as (

    select max(category_depth) as category_depth from categories

)

select
    categories.category_id,
    categories.category_path,
    categories.category_depth,
    categories.item_count
from categories
inner join deepest
    on categories.category_depth = deepest.category_depth
order by categories.item_count desc, categories.category_id asc
