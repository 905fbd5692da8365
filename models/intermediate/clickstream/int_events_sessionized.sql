{{
    config(
        unique_key='event_id',
        incremental_strategy=event_incremental_strategy(),
        incremental_predicates=event_merge_predicates('event_date'),
        pre_hook="{{ record_rebuilt_window('event_date') }}",
        partitioned_by=['event_month'],
    )
}}
{#- One row per event with the session it belongs to. The website's session_id is a
    visit cookie; a visit idle for more than `session_timeout_minutes` starts a new
    session, keyed `<session_id>-<session start, epoch seconds>`. A key that depends only
    on the session's own start (not on how many sessions came before) lets an
    incremental run sessionize just the recent days: it reads one extra day before its
    window for context (sessions are assumed shorter than a day) and writes the window's
    whole days, replacing their rows by event_id (a MERGE on Athena's Iceberg table,
    partitioned by event_month to keep its files few). -#}
{%- set epoch = "cast('1970-01-01 00:00:00' as timestamp)" %}
{%- if is_incremental() %}
    {%- set cutoff = incremental_cutoff_date('event_date') %}
{%- endif %}
with

events as (

    select * from {{ ref('stg_clickstream__events') }}
    {% if is_incremental() -%}
        where event_date >= {{ dbt.dateadd('day', -1, cutoff) }}
    {%- endif %}

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
        coalesce(
            previous_event_at is null
            or {{ duration_seconds('previous_event_at', 'event_at') }}
            > {{ integer_var('session_timeout_minutes') }} * 60,
            false
        ) as is_session_start
    from with_previous

),

sessions_assigned as (

    select
        *,
        max(case when is_session_start then event_at end) over (
            partition by session_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_start_at
    from session_starts

),

final as (

    select
        sessions_assigned.event_id,
        {{ dbt.concat([
            'sessions_assigned.session_id', "'-'",
            'cast(' ~ duration_seconds(epoch, 'sessions_assigned.session_start_at') ~ ' as varchar)'
        ]) }} as session_key,
        sessions_assigned.session_id,
        sessions_assigned.customer_id,
        sessions_assigned.product_id,
        sessions_assigned.order_id,
        sessions_assigned.event_type,
        funnel_steps.funnel_step_name,
        sessions_assigned.device_type,
        sessions_assigned.traffic_source,
        sessions_assigned.customer_state,
        cast(row_number() over (
            partition by sessions_assigned.session_id, sessions_assigned.session_start_at
            order by sessions_assigned.event_at, sessions_assigned.event_id
        ) as integer) as event_sequence_number,
        funnel_steps.funnel_step_number,
        case
            when not sessions_assigned.is_session_start
                then {{ duration_seconds(
                    'sessions_assigned.previous_event_at', 'sessions_assigned.event_at'
                ) }}
        end as seconds_since_previous_event,
        sessions_assigned.is_authenticated,
        sessions_assigned.is_session_start,
        sessions_assigned.session_start_at,
        sessions_assigned.event_at,
        sessions_assigned.event_date,
        cast({{ dbt.date_trunc('month', 'sessions_assigned.event_date') }} as date) as event_month
    from sessions_assigned
    left join funnel_steps
        on sessions_assigned.event_type = funnel_steps.event_type

)

select * from final
{% if is_incremental() -%}
    where event_date >= {{ cutoff }}
{%- endif %}
