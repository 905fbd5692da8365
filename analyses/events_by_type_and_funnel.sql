-- Events by type, and the funnel they make: how many sessions reached each step.
-- Compile with `dbt compile --select events_by_type_and_funnel` and run the SQL.
with

events as (

    select * from {{ ref('fct_events') }}

),

sessions as (

    select * from {{ ref('fct_sessions') }}

),

by_type as (

    select
        event_type,
        funnel_step_number,
        count(*) as event_count,
        count(distinct session_key) as session_count
    from events
    group by event_type, funnel_step_number

),

reached as (

    select
        furthest_funnel_step_number,
        count(*) as session_count
    from sessions
    group by furthest_funnel_step_number

),

final as (

    select
        by_type.event_type,
        by_type.event_count,
        by_type.session_count as sessions_with_event,
        (
            select sum(reached.session_count)
            from reached
            where reached.furthest_funnel_step_number >= by_type.funnel_step_number
        ) as sessions_reaching_step
    from by_type

)

select * from final
order by event_count desc
