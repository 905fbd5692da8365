{#- Grain: one row per person who ordered: recency, frequency and monetary value as of
    the day after the last order in the data, their 1-5 scores (5 is best; recency and
    monetary by quintile, frequency by order count) and the RFM segment they fall in. -#}
with

lifetime as (

    select * from {{ ref('customer_lifetime_value') }}

),

as_of as (

    select {{ dbt.dateadd('day', 1, 'max(last_order_date)') }} as as_of_date
    from lifetime

),

measured as (

    select
        lifetime.customer_unique_id,
        {{ dbt.datediff('lifetime.last_order_date', 'as_of.as_of_date', 'day') }}
            as recency_days,
        lifetime.order_count as frequency,
        lifetime.lifetime_revenue_brl as monetary_brl
    from lifetime
    cross join as_of

),

scored as (

    select
        *,
        ntile(5) over (order by recency_days desc, customer_unique_id asc) as recency_score,
        -- Most people order once, so frequency quintiles would split identical people:
        -- the score follows the order count instead (1 order = 1, 2 = 3, 3 = 4, 4+ = 5).
        case
            when frequency >= 4 then 5
            when frequency = 3 then 4
            when frequency = 2 then 3
            else 1
        end as frequency_score,
        ntile(5) over (order by monetary_brl, customer_unique_id) as monetary_score
    from measured

),

final as (

    select
        customer_unique_id,
        case
            when recency_score >= 4 and frequency_score >= 4 then 'Champions'
            when recency_score >= 3 and frequency_score >= 3 then 'Loyal'
            when recency_score >= 4 and frequency_score <= 2 then 'New'
            when recency_score = 3 and frequency_score <= 2 then 'Promising'
            when recency_score <= 2 and frequency_score >= 3 then 'At risk'
            when recency_score = 2 then 'Need attention'
            else 'Hibernating'
        end as rfm_segment,
        {{ dbt.concat([
            'cast(recency_score as varchar)',
            'cast(frequency_score as varchar)',
            'cast(monetary_score as varchar)'
        ]) }} as rfm_code,
        cast(recency_days as integer) as recency_days,
        frequency,
        monetary_brl,
        cast(recency_score as integer) as recency_score,
        cast(frequency_score as integer) as frequency_score,
        cast(monetary_score as integer) as monetary_score
    from scored

)

select * from final
