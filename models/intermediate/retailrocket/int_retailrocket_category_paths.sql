{#- Grain: one row per category the tree's roots reach: its root, its full path of
    category ids from the root down to itself, and its depth (1 for a root). Walked
    from the roots down with a recursive CTE, so a tree of any depth up to the
    engine's recursion limit (Trino's, 10 levels; the real tree has 6) is placed.
    A table, not a view: Trino unrolls the recursion into one stage per level, so the
    walk runs on its own rather than inside the queries that read it. The CTE reads
    the staged categories twice (the roots, then each level's children): Trino wants
    column names on every query of a WITH RECURSIVE, so it holds the walk only. -#}
with recursive

walk (category_id, parent_category_id, root_category_id, category_path, category_depth) as (

    select
        category_id,
        parent_category_id,
        category_id as root_category_id,
        array[category_id] as category_path,
        1 as category_depth
    from {{ ref('stg_retailrocket__categories') }}
    where parent_category_id is null

    union all

    select
        children.category_id,
        children.parent_category_id,
        walk.root_category_id,
        walk.category_path || array[children.category_id] as category_path,
        walk.category_depth + 1 as category_depth
    from {{ ref('stg_retailrocket__categories') }} as children
    inner join walk
        on children.parent_category_id = walk.category_id

)

select
    category_id,
    parent_category_id,
    root_category_id,
    category_path,
    cast(category_depth as integer) as category_depth
from walk
