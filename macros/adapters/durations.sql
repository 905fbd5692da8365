{#- Elapsed whole seconds between two timestamps, as a bigint. DuckDB and Athena differ
    in how they count interval boundaries, so each engine gets the exact epoch
    difference. -#}
{% macro duration_seconds(start_at, end_at) -%}
    {{ return(adapter.dispatch('duration_seconds', 'ecom_lakehouse')(start_at, end_at)) }}
{%- endmacro %}

{#- Trino / Athena and most warehouses: date_diff in seconds. -#}
{% macro default__duration_seconds(start_at, end_at) -%}
    date_diff('second', {{ start_at }}, {{ end_at }})
{%- endmacro %}

{#- DuckDB: whole seconds elapsed, truncated as Trino's date_diff does (a cast to bigint
    would round, and DuckDB's own date_diff counts second boundaries crossed); found by
    the twin's parity check on timestamps with milliseconds. -#}
{% macro duckdb__duration_seconds(start_at, end_at) -%}
    cast(trunc(epoch({{ end_at }}) - epoch({{ start_at }})) as bigint)
{%- endmacro %}


{#- Elapsed hours between two timestamps, fractional. -#}
{% macro duration_hours(start_at, end_at) -%}
    (cast({{ duration_seconds(start_at, end_at) }} as double) / 3600)
{%- endmacro %}
