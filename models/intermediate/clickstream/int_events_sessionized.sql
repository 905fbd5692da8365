{#- One row per event with the session it belongs to. The website's session_id is a
    visit cookie; a visit idle for more than `session_timeout_minutes` starts a new
    session, so session_key = `<session_id>-<n>`. Each event gets its position in the
    session and its funnel step. -#}
with

events as (

    select * from {{ ref('stg_clickstream__events') }}

),

funnel_steps as (

    select * from {{ ref('funnel_steps') }}

),

with_previous as (

    select
        events.*,
        lag(events.event_at) over (
            partition by events.session_id
            order by events.event_at, events.event_id
        ) as previous_event_at
    from events

),

session_starts as (

    select
        *,
        case
            when previous_event_at is null then 1
            when {{ duration_seconds('previous_event_at', 'event_at') }}
                > {{ var('session_timeout_minutes') }} * 60 then 1
            else 0
        end as starts_session
    from with_previous

),

numbered as (

    select
        *,
        sum(starts_session) over (
            partition by session_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from session_starts

),

final as (

    select
        numbered.event_id,
        {{ dbt.concat([
            'numbered.session_id', "'-'", 'cast(numbered.session_number as varchar)'
        ]) }} as session_key,
        numbered.session_id,
        numbered.customer_id,
        numbered.product_id,
        numbered.order_id,
        numbered.event_type,
        funnel_steps.funnel_step_name,
        numbered.device_type,
        numbered.traffic_source,
        numbered.customer_state,
        cast(numbered.session_number as integer) as session_number,
        cast(row_number() over (
            partition by numbered.session_id, numbered.session_number
            order by numbered.event_at, numbered.event_id
        ) as integer) as event_sequence_number,
        funnel_steps.funnel_step_number,
        case
            when numbered.starts_session = 0
                then {{ duration_seconds('numbered.previous_event_at', 'numbered.event_at') }}
        end as seconds_since_previous_event,
        numbered.is_authenticated,
        numbered.starts_session = 1 as is_session_start,
        numbered.event_date,
        numbered.event_at
    from numbered
    left join funnel_steps
        on numbered.event_type = funnel_steps.event_type

)

select * from final
