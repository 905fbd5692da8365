{#- Grain: one row per Walmart customer: lifetime value (all they paid), purchases,
    categories bought, a frequency segment, and their share of all revenue with a
    Pareto class, through the analytics macros the Olist marts use. The file covers one
    shopping season, so the segments count purchases (products bought): heavy from 200,
    regular from 50 (the real file's median customer has about 54). -#}
with

sales as (

    select * from {{ ref('fct_walmart_sales') }}

),

customers as (

    select * from {{ ref('dim_walmart_customer') }}

),

per_customer as (

    select
        user_id,
        count(*) as purchase_count,
        count(distinct product_category_code) as product_category_count,
        cast(sum(purchase_amount) as bigint) as lifetime_value
    from sales
    group by user_id

),

ranked as (

    {{ revenue_contribution('per_customer', 'user_id', 'lifetime_value') }}

),

final as (

    select
        ranked.user_id,
        customers.gender,
        customers.age_band,
        customers.city_category,
        {{ frequency_segment(
            'ranked.purchase_count', [['heavy', 200], ['regular', 50]], otherwise='light'
        ) }} as frequency_segment,
        ranked.pareto_class,
        ranked.revenue_rank,
        ranked.purchase_count,
        ranked.product_category_count,
        ranked.lifetime_value,
        {{ safe_ratio('ranked.lifetime_value', 'ranked.purchase_count') }}
            as average_purchase_amount,
        ranked.revenue_share,
        ranked.cumulative_revenue_share
    from ranked
    left join customers
        on ranked.user_id = customers.user_id

)

select * from final
