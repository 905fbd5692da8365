{#- The semantic layer's ratio metrics (models/marts/core/_core__semantic.yml) as SQL, one
    macro each. The semantic layer defines each metric as a ratio of two of its measures;
    a mart or a query that holds those measures as columns (or sums of them) computes the
    metric through the macro of the same name, never by writing the ratio again.
    tests/python/test_dbt_project.py checks both sides: the marts' metric columns come
    from these macros, and the dashboard computes no metric the semantic layer defines. -#}

{#- conversion_rate = converted_sessions / sessions -#}
{% macro conversion_rate(converted_session_count, session_count) -%}
    {{ safe_ratio(converted_session_count, session_count) }}
{%- endmacro %}

{#- late_delivery_rate = late_orders / delivered_orders -#}
{% macro late_delivery_rate(late_order_count, delivered_order_count) -%}
    {{ safe_ratio(late_order_count, delivered_order_count) }}
{%- endmacro %}

{#- average_order_value = revenue / orders -#}
{% macro average_order_value(revenue_brl, order_count) -%}
    {{ safe_ratio(revenue_brl, order_count) }}
{%- endmacro %}

{#- A web conversion mart: the sessions grouped by one of their columns, with conversion,
    cart abandonment and the revenue of the orders the sessions placed. -#}
{% macro web_conversion_by(dimension) -%}
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

grouped as (

    select
        sessions.{{ dimension }},
        count(*) as session_count,
        sum(case when sessions.is_converted then 1 else 0 end) as converted_session_count,
        sum(case when sessions.is_cart_abandoned then 1 else 0 end) as cart_abandoned_count,
        count(distinct sessions.customer_id) as known_customer_count,
        cast(sum(coalesce(orders.revenue_brl, 0)) as decimal(18, 2)) as revenue_brl
    from sessions
    left join orders
        on sessions.order_id = orders.order_id
    group by sessions.{{ dimension }}

),

final as (

    select
        {{ dimension }},
        session_count,
        converted_session_count,
        cart_abandoned_count,
        known_customer_count,
        revenue_brl,
        {{ conversion_rate('converted_session_count', 'session_count') }} as conversion_rate,
        {{ safe_ratio('cart_abandoned_count', 'session_count') }} as cart_abandonment_rate,
        {{ safe_ratio('revenue_brl', 'session_count') }} as revenue_per_session_brl,
        {{ safe_ratio('session_count', 'sum(session_count) over ()') }} as session_share
    from grouped

)

select * from final
{%- endmacro %}

{#- A delivery performance mart: the delivered orders of `orders` (fct_orders), each
    once per `key` that `order_keys` (order_id, key) gives it, with how many arrived
    late, by how many days, how long delivery took and how they were reviewed. -#}
{% macro delivery_performance(orders, order_keys, key) -%}
delivered as (

    select
        {{ order_keys }}.{{ key }},
        {{ orders }}.order_id,
        {{ orders }}.is_late,
        {{ orders }}.delivery_days,
        {{ orders }}.delivery_delay_days,
        {{ orders }}.review_score
    from {{ orders }}
    inner join {{ order_keys }}
        on {{ orders }}.order_id = {{ order_keys }}.order_id
    where {{ orders }}.delivered_at is not null

),

final as (

    select
        {{ key }},
        count(*) as delivered_order_count,
        sum(case when is_late then 1 else 0 end) as late_order_count,
        {{ late_delivery_rate('sum(case when is_late then 1 else 0 end)', 'count(*)') }}
            as late_delivery_rate,
        avg(case when is_late then delivery_delay_days end) as average_delay_days_when_late,
        avg(delivery_days) as average_delivery_days,
        avg(review_score) as average_review_score
    from delivered
    group by {{ key }}

)
{%- endmacro %}
