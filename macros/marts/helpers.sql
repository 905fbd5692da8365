{#- SQL helpers the marts share. Business rules are not here: they are columns on the
    facts (revenue_brl, delivery_delay_days, is_late), so every consumer reads one value. -#}

{#- numerator / denominator as a double, null when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}

{#- The rows of a fact that were known before the ML features' cut-off: the one way the
    ML marts import a fact, so no feature can read past the `feature_cutoff_date` var. -#}
{% macro before_cutoff(model, date_column) -%}
    select * from {{ ref(model) }}
    where {{ date_column }} < {{ feature_cutoff_date() }}
{%- endmacro %}

{#- The ML feature tables' cut-off, as a SQL date: the `feature_cutoff_date` var. -#}
{% macro feature_cutoff_date() -%}
    cast('{{ date_var("feature_cutoff_date") }}' as date)
{%- endmacro %}
