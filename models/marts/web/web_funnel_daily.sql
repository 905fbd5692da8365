{#- Grain: one row per day, traffic source and device: how many sessions reached each
    funnel step and the conversion from one step to the next. A session "reached" a step
    when its furthest step is at least that far. -#}
with

sessions as (

    select * from {{ ref('fct_sessions') }}

),

reached as (

    select
        session_date,
        traffic_source,
        device_type,
        count(*) as session_count,
        {{ funnel_reached_counts('furthest_funnel_step_number', [
            ['visit_count', 1], ['product_view_count', 2], ['add_to_cart_count', 3],
            ['checkout_count', 4], ['purchase_count', 5]
        ]) }}
    from sessions
    group by session_date, traffic_source, device_type

),

final as (

    select
        {{ dbt.concat([
            'cast(session_date as varchar)', "'-'", 'traffic_source', "'-'", 'device_type'
        ]) }} as funnel_day_key,
        traffic_source,
        device_type,
        session_count,
        visit_count,
        product_view_count,
        add_to_cart_count,
        checkout_count,
        purchase_count,
        {{ safe_ratio('product_view_count', 'visit_count') }} as visit_to_product_view_rate,
        {{ safe_ratio('add_to_cart_count', 'product_view_count') }} as product_view_to_cart_rate,
        {{ safe_ratio('checkout_count', 'add_to_cart_count') }} as cart_to_checkout_rate,
        {{ safe_ratio('purchase_count', 'checkout_count') }} as checkout_to_purchase_rate,
        {{ conversion_rate('purchase_count', 'session_count') }} as session_conversion_rate,
        session_date
    from reached

)

select * from final
