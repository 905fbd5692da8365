{#- Grain: one row per day: how many visitors were active, how many reached each step
    of the Retailrocket funnel that day (view -> add to cart -> transaction) and the
    conversion from one step to the next, by the funnel macro web_funnel_daily uses. A
    visitor-day reached a step when its furthest step is at least that far. -#}
with

events as (

    select * from {{ ref('fct_retailrocket_events') }}

),

visitor_days as (

    select
        event_date,
        visitor_id,
        max(funnel_step_number) as furthest_funnel_step_number
    from events
    group by event_date, visitor_id

),

reached as (

    select
        event_date,
        count(*) as visitor_count,
        {{ funnel_reached_counts('furthest_funnel_step_number', [
            ['item_view_count', 1], ['add_to_cart_count', 2], ['transaction_count', 3]
        ]) }}
    from visitor_days
    group by event_date

),

final as (

    select
        event_date,
        visitor_count,
        item_view_count,
        add_to_cart_count,
        transaction_count,
        {{ safe_ratio('add_to_cart_count', 'item_view_count') }} as view_to_cart_rate,
        {{ safe_ratio('transaction_count', 'add_to_cart_count') }} as cart_to_transaction_rate,
        {{ safe_ratio('transaction_count', 'visitor_count') }} as visitor_conversion_rate
    from reached

)

select * from final
