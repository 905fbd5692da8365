-- Retailrocket events by type: how many, by how many visitors and on how many items,
-- and each type's share of all events (the real file: 97% views, 2.5% add-to-carts,
-- 0.8% transactions).
with

events as (

    select * from {{ ref('fct_retailrocket_events') }}

),

by_type as (

    select
        event_type,
        funnel_step_number,
        count(*) as event_count,
        count(distinct visitor_id) as visitor_count,
        count(distinct item_id) as item_count
    from events
    group by event_type, funnel_step_number

)

select
    event_type,
    event_count,
    visitor_count,
    item_count,
    {{ safe_ratio('event_count', 'sum(event_count) over ()') }} as event_share
from by_type
order by funnel_step_number
