{#- One row per calendar day from start_date to end_date inclusive, as column
    `date_day`. DuckDB has range(); Athena/Trino unnests a sequence. -#}
{% macro date_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'ecom_lakehouse')(start_date, end_date)) }}
{%- endmacro %}

{#- Trino / Athena. -#}
{% macro default__date_spine(start_date, end_date) -%}
    select spine.date_day
    from unnest(
        sequence(date '{{ start_date }}', date '{{ end_date }}', interval '1' day)
    ) as spine (date_day)
{%- endmacro %}

{% macro duckdb__date_spine(start_date, end_date) -%}
    select cast(spine.day_at as date) as date_day
    from generate_series(
        date '{{ start_date }}', date '{{ end_date }}', interval 1 day
    ) as spine (day_at)
{%- endmacro %}

{#- ISO day of week of a date: 1 = Monday ... 7 = Sunday. -#}
{% macro iso_day_of_week(date_expr) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'ecom_lakehouse')(date_expr)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expr) -%}
    day_of_week({{ date_expr }})
{%- endmacro %}

{% macro duckdb__iso_day_of_week(date_expr) -%}
    isodow({{ date_expr }})
{%- endmacro %}
