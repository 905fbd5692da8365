{#- Grain: one row per person (customer_unique_id) with at least one order before the
    `feature_cutoff_date` var. Every feature uses only what was known before the cut-off
    (orders placed, reviews written, deliveries made and sessions started before it),
    so a model trained on these features does not see the future. -#}
{%- set cutoff = feature_cutoff_date() %}
with

past_orders as (

    {{ before_cutoff('fct_orders', 'purchase_date') }}
        and customer_unique_id is not null

),

past_reviews as (

    {{ before_cutoff('fct_reviews', 'review_created_date') }}

),

past_sessions as (

    {{ before_cutoff('fct_sessions', 'session_date') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

purchasing as (

    select
        past_orders.customer_unique_id,
        count(*) as order_count,
        cast(sum(past_orders.revenue_brl) as decimal(18, 2)) as revenue_brl,
        min(past_orders.purchase_date) as first_order_date,
        max(past_orders.purchase_date) as last_order_date,
        sum(case when past_orders.delivered_at < {{ cutoff }} then 1 else 0 end)
            as delivered_order_count,
        sum(
            case
                when past_orders.delivered_at < {{ cutoff }} and past_orders.is_late then 1 else 0
            end
        )
            as late_order_count,
        avg(case when past_orders.delivered_at < {{ cutoff }} then past_orders.delivery_days end)
            as average_delivery_days
    from past_orders
    group by past_orders.customer_unique_id

),

reviewing as (

    select
        past_orders.customer_unique_id,
        avg(past_reviews.review_score) as average_review_score,
        count(*) as review_count
    from past_reviews
    inner join past_orders
        on past_reviews.order_id = past_orders.order_id
    group by past_orders.customer_unique_id

),

browsing as (

    select
        customers.customer_unique_id,
        count(*) as session_count,
        sum(case when past_sessions.is_converted then 1 else 0 end) as converted_session_count,
        sum(case when past_sessions.is_cart_abandoned then 1 else 0 end) as cart_abandoned_count
    from past_sessions
    inner join customers
        on past_sessions.customer_id = customers.customer_id
    group by customers.customer_unique_id

),

category_spend as (

    select
        past_orders.customer_unique_id,
        products.category_name_english,
        sum(order_items.item_total_brl) as spend_brl
    from order_items
    inner join past_orders
        on order_items.order_id = past_orders.order_id
    inner join products
        on order_items.product_id = products.product_id
    group by past_orders.customer_unique_id, products.category_name_english

),

favorite_category as (

    select
        customer_unique_id,
        category_name_english,
        -- In double: Athena divides decimals at the dividend's scale (2 places here).
        cast(spend_brl as double)
        / nullif(cast(sum(spend_brl) over (partition by customer_unique_id) as double), 0)
            as category_spend_share,
        row_number() over (
            partition by customer_unique_id
            order by spend_brl desc, category_name_english asc
        ) as category_rank
    from category_spend

),

final as (

    select
        purchasing.customer_unique_id,
        favorite_category.category_name_english as favorite_category_name,
        purchasing.order_count,
        purchasing.revenue_brl,
        {{ average_order_value('purchasing.revenue_brl', 'purchasing.order_count') }}
            as average_order_value_brl,
        {{ dbt.datediff('purchasing.last_order_date', cutoff, 'day') }}
            as recency_days,
        {{ dbt.datediff('purchasing.first_order_date', cutoff, 'day') }}
            as tenure_days,
        coalesce(reviewing.review_count, 0) as review_count,
        reviewing.average_review_score,
        purchasing.delivered_order_count,
        {{ late_delivery_rate('purchasing.late_order_count', 'purchasing.delivered_order_count') }}
            as late_delivery_share,
        purchasing.average_delivery_days,
        coalesce(browsing.session_count, 0) as session_count,
        {{ conversion_rate('browsing.converted_session_count', 'browsing.session_count') }}
            as session_conversion_rate,
        coalesce(browsing.cart_abandoned_count, 0) as cart_abandoned_count,
        cast(favorite_category.category_spend_share as double) as favorite_category_spend_share,
        purchasing.order_count > 1 as is_repeat_customer,
        {{ cutoff }} as feature_cutoff_date,
        purchasing.first_order_date,
        purchasing.last_order_date
    from purchasing
    left join reviewing
        on purchasing.customer_unique_id = reviewing.customer_unique_id
    left join browsing
        on purchasing.customer_unique_id = browsing.customer_unique_id
    left join favorite_category
        on
            purchasing.customer_unique_id = favorite_category.customer_unique_id
            and favorite_category.category_rank = 1

)

select * from final
