{#- Reconciliation: the funnel and both conversion marts count every session exactly
    once, and the conversion marts' session shares add up to 100%. -#}
with

sessions as (

    select count(*) as session_count from {{ ref('fct_sessions') }}

),

funnel as (

    select sum(session_count) as session_count from {{ ref('web_funnel_daily') }}

),

by_source as (

    select
        sum(session_count) as session_count,
        sum(session_share) as share_total
    from {{ ref('web_conversion_by_traffic_source') }}

),

by_device as (

    select
        sum(session_count) as session_count,
        sum(session_share) as share_total
    from {{ ref('web_conversion_by_device') }}

)

select
    sessions.session_count,
    funnel.session_count as funnel_sessions,
    by_source.session_count as source_sessions,
    by_device.session_count as device_sessions,
    by_source.share_total as source_share_total,
    by_device.share_total as device_share_total
from sessions
cross join funnel
cross join by_source
cross join by_device
where
    sessions.session_count > 0
    and (
        funnel.session_count != sessions.session_count
        or by_source.session_count != sessions.session_count
        or by_device.session_count != sessions.session_count
        or abs(by_source.share_total - 1) > 0.000001
        or abs(by_device.share_total - 1) > 0.000001
    )
