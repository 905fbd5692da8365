{#- Grain: one row per delivery-delay bucket (days between the promised date and the
    delivery): delivered orders and their average review score, to answer "does late
    delivery hurt reviews?". -#}
with

orders as (

    select * from {{ ref('fct_orders') }}

),

delays as (

    select
        review_score,
        delivery_delay_days as delay_days
    from orders
    where delivered_at is not null

),

bucketed as (

    select
        case
            when delay_days < -7 then 1
            when delay_days < 0 then 2
            when delay_days = 0 then 3
            when delay_days <= 3 then 4
            when delay_days <= 7 then 5
            when delay_days <= 14 then 6
            else 7
        end as delay_bucket_order,
        review_score,
        delay_days
    from delays

),

final as (

    select
        case delay_bucket_order
            when 1 then 'more than a week early'
            when 2 then '1-7 days early'
            when 3 then 'on the promised day'
            when 4 then '1-3 days late'
            when 5 then '4-7 days late'
            when 6 then '8-14 days late'
            else 'more than 14 days late'
        end as delay_bucket,
        cast(delay_bucket_order as integer) as delay_bucket_order,
        count(*) as delivered_order_count,
        count(review_score) as reviewed_order_count,
        avg(review_score) as average_review_score,
        avg(delay_days) as average_delay_days
    from bucketed
    group by delay_bucket_order

)

select * from final
