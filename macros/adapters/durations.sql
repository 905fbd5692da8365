{#- Elapsed hours between two timestamps, fractional. DuckDB and Athena differ in how
    they count interval boundaries, so each engine gets the exact epoch difference. -#}
{% macro duration_hours(start_at, end_at) -%}
    {{ return(adapter.dispatch('duration_hours', 'ecom_lakehouse')(start_at, end_at)) }}
{%- endmacro %}

{#- Trino / Athena and most warehouses: date_diff in seconds. -#}
{% macro default__duration_hours(start_at, end_at) -%}
    (date_diff('second', {{ start_at }}, {{ end_at }}) / 3600.0)
{%- endmacro %}

{% macro duckdb__duration_hours(start_at, end_at) -%}
    ((epoch({{ end_at }}) - epoch({{ start_at }})) / 3600.0)
{%- endmacro %}

