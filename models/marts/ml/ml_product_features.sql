{#- Grain: one row per product in the catalog. Features use only what was known before
    the `feature_cutoff_date` var: sales, reviews and website events before it, and the
    catalog price and availability in force at it (from dim_product_history). -#}
{%- set cutoff = feature_cutoff_date() %}
with

products as (

    select * from {{ ref('dim_product') }}

),

product_versions as (

    select * from {{ ref('dim_product_history') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

past_orders as (

    {{ before_cutoff('fct_orders', 'purchase_date') }}

),

past_reviews as (

    {{ before_cutoff('fct_reviews', 'review_created_date') }}

),

past_events as (

    {{ before_cutoff('fct_events', 'event_date') }}

),

sales as (

    select
        order_items.product_id,
        count(*) as units_sold,
        count(distinct order_items.order_id) as order_count,
        cast(sum(order_items.revenue_brl) as decimal(18, 2))
            as revenue_brl,
        max(past_orders.purchase_date) as last_sale_date
    from order_items
    inner join past_orders
        on order_items.order_id = past_orders.order_id
    group by order_items.product_id

),

reviewed as (

    select
        order_items.product_id,
        avg(past_reviews.review_score) as average_review_score
    from past_reviews
    inner join order_items
        on past_reviews.order_id = order_items.order_id
    group by order_items.product_id

),

browsed as (

    select
        product_id,
        sum(case when event_type = 'view_product' then 1 else 0 end) as view_count,
        sum(case when event_type = 'add_to_cart' then 1 else 0 end) as add_to_cart_count
    from past_events
    where product_id is not null
    group by product_id

),

price_at_cutoff as (

    select
        product_id,
        price_brl,
        is_available
    from product_versions
    where
        valid_from < {{ cutoff }}
        and (valid_to >= {{ cutoff }} or valid_to is null)

),

final as (

    select
        products.product_id,
        products.category_name_english,
        coalesce(sales.units_sold, 0) as units_sold,
        coalesce(sales.order_count, 0) as order_count,
        cast(coalesce(sales.revenue_brl, 0) as decimal(18, 2)) as revenue_brl,
        reviewed.average_review_score,
        coalesce(browsed.view_count, 0) as view_count,
        coalesce(browsed.add_to_cart_count, 0) as add_to_cart_count,
        {{ safe_ratio('browsed.add_to_cart_count', 'browsed.view_count') }} as view_to_cart_rate,
        price_at_cutoff.price_brl as price_at_cutoff_brl,
        products.weight_g,
        products.photo_count,
        {{ dbt.datediff('sales.last_sale_date', cutoff, 'day') }}
            as days_since_last_sale,
        price_at_cutoff.is_available as is_available_at_cutoff,
        {{ cutoff }} as feature_cutoff_date
    from products
    left join sales
        on products.product_id = sales.product_id
    left join reviewed
        on products.product_id = reviewed.product_id
    left join browsed
        on products.product_id = browsed.product_id
    left join price_at_cutoff
        on products.product_id = price_at_cutoff.product_id
    where products.product_id != {{ unknown_key() }}

)

select * from final
