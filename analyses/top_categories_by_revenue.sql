-- Top 10 categories by revenue, with their share, order value and late rate.
select
    category_name_english,
    revenue_brl,
    revenue_share,
    order_count,
    average_order_value_brl,
    average_review_score,
    late_delivery_rate
from {{ ref('sales_category_performance') }}
order by revenue_brl desc
limit 10
