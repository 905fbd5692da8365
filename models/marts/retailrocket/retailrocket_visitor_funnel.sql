{#- Grain: one row per Retailrocket visitor: how far down the funnel they went over all
    their events (view -> add to cart -> transaction), how many events of each type and
    transactions, and when they were first and last seen. -#}
with

events as (

    select * from {{ ref('fct_retailrocket_events') }}

),

funnel_steps as (

    select * from {{ ref('retailrocket_funnel_steps') }}

),

per_visitor as (

    select
        visitor_id,
        max(funnel_step_number) as furthest_funnel_step_number,
        count(case when event_type = 'view' then 1 end) as view_count,
        count(case when event_type = 'addtocart' then 1 end) as add_to_cart_count,
        count(distinct transaction_id) as transaction_count,
        count(distinct event_date) as active_day_count,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at
    from events
    group by visitor_id

),

final as (

    select
        per_visitor.visitor_id,
        funnel_steps.funnel_step_name as furthest_funnel_step_name,
        cast(per_visitor.furthest_funnel_step_number as integer) as furthest_funnel_step_number,
        per_visitor.furthest_funnel_step_number = 3 as is_converted,
        per_visitor.view_count,
        per_visitor.add_to_cart_count,
        per_visitor.transaction_count,
        per_visitor.active_day_count,
        per_visitor.first_event_at,
        per_visitor.last_event_at
    from per_visitor
    left join funnel_steps
        on per_visitor.furthest_funnel_step_number = funnel_steps.funnel_step_number

)

select * from final
