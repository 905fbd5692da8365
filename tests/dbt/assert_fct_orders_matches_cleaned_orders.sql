{#- Reconciliation: the order fact has exactly one row per cleaned order. -#}
with

cleaned as (

    select count(*) as row_count from {{ source('olist', 'orders') }}

),

fact as (

    select count(*) as row_count from {{ ref('fct_orders') }}

)

select
    cleaned.row_count as cleaned_rows,
    fact.row_count as fact_rows
from cleaned
cross join fact
where cleaned.row_count != fact.row_count
