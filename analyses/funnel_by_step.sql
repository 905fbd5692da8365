-- The web funnel over the whole period: sessions reaching each step and the share of
-- the step before that got there, from the daily funnel mart (a few kB, where the
-- event fact is the whole clickstream). Compile with `dbt compile --select
-- funnel_by_step` and run the SQL on either engine.
with

funnel as (

    select * from {{ ref('web_funnel_daily') }}

),

steps as (

    select * from {{ ref('funnel_steps') }}

),

totals as (

    select
        sum(visit_count) as visit_count,
        sum(product_view_count) as product_view_count,
        sum(add_to_cart_count) as add_to_cart_count,
        sum(checkout_count) as checkout_count,
        sum(purchase_count) as purchase_count
    from funnel

),

reached as (

    select
        steps.funnel_step_number,
        steps.funnel_step_name,
        case steps.funnel_step_number
            when 1 then totals.visit_count
            when 2 then totals.product_view_count
            when 3 then totals.add_to_cart_count
            when 4 then totals.checkout_count
            when 5 then totals.purchase_count
        end as session_count
    from steps
    cross join totals

)

select
    funnel_step_number,
    funnel_step_name,
    session_count,
    {{ safe_ratio(
        'session_count',
        'lag(session_count) over (order by funnel_step_number)'
    ) }} as share_of_previous_step
from reached
order by funnel_step_number
