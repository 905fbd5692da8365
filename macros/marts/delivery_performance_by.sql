{#- The body of a delivery-performance mart: delivered orders grouped by the customer's
    state (`state_code`) or by seller (`seller_id`: an order counts once for each of its
    sellers), with late counts, delay and review scores. -#}
{% macro delivery_performance_by(key_name) %}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

{% if key_name == 'state_code' -%}
customers as (

    select * from {{ ref('dim_customer') }}

),
{%- else -%}
order_items as (

    select * from {{ ref('fct_order_items') }}

),

order_sellers as (

    select distinct
        order_id,
        seller_id
    from order_items

),
{%- endif %}

delivered as (

    select
        {{ 'customers.state_code' if key_name == 'state_code' else 'order_sellers.seller_id' }}
            as {{ key_name }},
        orders.order_id,
        orders.is_late,
        orders.delivery_days,
        orders.review_score,
        {{ dbt.datediff('orders.estimated_delivery_date', 'cast(orders.delivered_at as date)', 'day') }}
            as delay_days
    from orders
    {% if key_name == 'state_code' -%}
        inner join customers
            on orders.customer_id = customers.customer_id
    {%- else -%}
        inner join order_sellers
            on orders.order_id = order_sellers.order_id
    {%- endif %}
    where orders.delivered_at is not null

),

final as (

    select
        {{ key_name }},
        count(*) as delivered_order_count,
        sum(case when is_late then 1 else 0 end) as late_order_count,
        {{ safe_ratio('sum(case when is_late then 1 else 0 end)', 'count(*)') }}
            as late_delivery_rate,
        avg(case when is_late then delay_days end) as average_delay_days_when_late,
        avg(delivery_days) as average_delivery_days,
        avg(review_score) as average_review_score
    from delivered
    group by {{ key_name }}

)

select * from final
{% endmacro %}
