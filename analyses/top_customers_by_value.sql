-- The Walmart customers of highest lifetime value: what they paid, how often they
-- bought, their share of all revenue and who they are (coded demographics).
with

customers as (

    select * from {{ ref('walmart_customer_value') }}

)

select
    revenue_rank,
    user_id,
    lifetime_value,
    purchase_count,
    frequency_segment,
    revenue_share,
    cumulative_revenue_share,
    gender,
    age_band,
    city_category
from customers
where revenue_rank <= 20
order by revenue_rank
