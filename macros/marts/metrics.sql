{#- Shared business definitions, so every mart computes them the same way. -#}

{#- Revenue: price + freight, except for orders that were canceled or never fulfilled
    (unavailable), which earn nothing. `amount` defaults to the order's total; pass an
    item's total to get the item's revenue. -#}
{% macro revenue_brl(orders_alias, amount=none) -%}
    case
        when {{ orders_alias }}.order_status in ('canceled', 'unavailable') then 0
        else {{ amount or orders_alias ~ '.order_total_brl' }}
    end
{%- endmacro %}

{#- numerator / denominator as a double, null when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}

{#- The ML feature tables' cut-off, as a SQL date: the `feature_cutoff_date` var. -#}
{% macro feature_cutoff_date() -%}
    cast('{{ var("feature_cutoff_date") }}' as date)
{%- endmacro %}
