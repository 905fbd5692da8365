{{
    config(
        unique_key='session_key',
        incremental_strategy=event_incremental_strategy(),
        incremental_predicates=event_merge_predicates('session_date'),
        pre_hook="{{ record_rebuilt_window('session_date') }}",
        partitioned_by=['session_month'],
    )
}}
{#- Grain: one row per web session (see int_events_sessionized): when it started and
    ended, how far down the funnel it went, whether it converted or abandoned a cart,
    and the channel and device it came from (those of its first event).
    Incremental: a run rebuilds the sessions that started on or after
    `incremental_cutoff_date` and replaces their rows by session_key (a MERGE into the
    Iceberg table on Athena). -#}
with

events as (

    select * from {{ ref('int_events_sessionized') }}
    {% if is_incremental() -%}
        where event_date >= {{ incremental_cutoff_date('session_date') }}
    {%- endif %}

),

funnel_steps as (

    select * from {{ ref('funnel_steps') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

sessions as (

    select
        session_key,
        max(session_id) as session_id,
        -- A visitor can log in mid-session: the session belongs to the known customer.
        max(customer_id) as customer_id,
        max(order_id) as order_id,
        count(*) as event_count,
        sum(case when event_type = 'view_product' then 1 else 0 end) as product_view_count,
        sum(case when event_type = 'add_to_cart' then 1 else 0 end) as add_to_cart_count,
        count(distinct order_id) as order_count,
        max(funnel_step_number) as furthest_funnel_step_number,
        min(event_at) as session_start_at,
        max(event_at) as session_end_at
    from events
    group by session_key

),

first_events as (

    select
        session_key,
        device_type,
        traffic_source
    from events
    where event_sequence_number = 1

),

final as (

    select
        sessions.session_key,
        sessions.session_id,
        case
            when sessions.customer_id is null then null
            else coalesce(customers.customer_id, {{ unknown_key() }})
        end as customer_id,
        sessions.order_id,
        first_events.traffic_source,
        first_events.device_type,
        funnel_steps.funnel_step_name as furthest_funnel_step_name,
        cast(sessions.event_count as integer) as event_count,
        cast(sessions.product_view_count as integer) as product_view_count,
        cast(sessions.add_to_cart_count as integer) as add_to_cart_count,
        cast(sessions.order_count as integer) as order_count,
        cast(sessions.furthest_funnel_step_number as integer) as furthest_funnel_step_number,
        {{ duration_seconds('sessions.session_start_at', 'sessions.session_end_at') }}
            as session_duration_seconds,
        sessions.furthest_funnel_step_number = 5 as is_converted,
        sessions.add_to_cart_count > 0
        and sessions.furthest_funnel_step_number < 5 as is_cart_abandoned,
        sessions.session_start_at,
        sessions.session_end_at,
        cast(sessions.session_start_at as date) as session_date,
        cast({{ dbt.date_trunc('month', 'sessions.session_start_at') }} as date) as session_month
    from sessions
    -- Sessions whose first event is before the window were built by an earlier run.
    inner join first_events
        on sessions.session_key = first_events.session_key
    left join funnel_steps
        on sessions.furthest_funnel_step_number = funnel_steps.funnel_step_number
    left join customers
        on sessions.customer_id = customers.customer_id

)

select * from final
