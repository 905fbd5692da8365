{#- Grain: one row per product that sold: its revenue, share of all revenue, the
    cumulative share of the products ranked above it, and its Pareto class: A for the
    products making the first 80% of revenue, B for the next 15%, C for the last 5%. -#}
with

order_items as (

    select * from {{ ref('fct_order_items') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

per_product as (

    select
        order_items.product_id,
        count(*) as units_sold,
        cast(sum(order_items.revenue_brl) as decimal(18, 2)) as revenue_brl
    from order_items
    group by order_items.product_id

),

ranked as (

    select
        *,
        row_number() over (order by revenue_brl desc, product_id asc) as revenue_rank,
        {{ safe_ratio('revenue_brl', 'sum(revenue_brl) over ()') }} as revenue_share,
        {{ safe_ratio(
            'sum(revenue_brl) over (order by revenue_brl desc, product_id'
            ~ ' rows between unbounded preceding and current row)',
            'sum(revenue_brl) over ()'
        ) }} as cumulative_revenue_share
    from per_product

),

final as (

    select
        ranked.product_id,
        products.category_name_english,
        case
            when ranked.cumulative_revenue_share - ranked.revenue_share < 0.80 then 'A'
            when ranked.cumulative_revenue_share - ranked.revenue_share < 0.95 then 'B'
            else 'C'
        end as pareto_class,
        cast(ranked.revenue_rank as integer) as revenue_rank,
        ranked.units_sold,
        ranked.revenue_brl,
        ranked.revenue_share,
        ranked.cumulative_revenue_share
    from ranked
    left join products
        on ranked.product_id = products.product_id

)

select * from final
