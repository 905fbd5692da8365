{#- How the incremental event facts replace the rows of their lookback window: by key on
    both engines. DuckDB deletes them and inserts the new ones; on Athena the facts are
    Iceberg tables and one MERGE updates and inserts them in one commit (readers see the
    table before or after it, never between). -#}
{% macro event_incremental_strategy() -%}
    {{ return(adapter.dispatch('event_incremental_strategy', 'ecom_lakehouse')()) }}
{%- endmacro %}

{% macro default__event_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro athena__event_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}


{#- The first date an incremental run rebuilds: the newest `date_column` already in the
    table minus `event_lookback_days` (late events land inside the window). An empty
    table rebuilds everything. Whole days: rows are replaced by key on both engines. -#}
{% macro incremental_cutoff_date(date_column) -%}
    (
        select
            coalesce(
                cast({{ dbt.dateadd('day', -1 * integer_var('event_lookback_days'), 'max(' ~ date_column ~ ')') }} as date),
                cast('1900-01-01' as date)
            )
        from {{ this }}
    )
{%- endmacro %}


{#- Table maintenance after an incremental build on Athena (post-hooks of the merged
    facts): OPTIMIZE rewrites the small files each merge leaves into fewer, VACUUM
    expires the snapshots older than the table's `vacuum_max_snapshot_age_seconds` and
    deletes the files only they held. Nothing to do on DuckDB. -#}
{% macro optimize_iceberg() -%}
    {{ return(adapter.dispatch('optimize_iceberg', 'ecom_lakehouse')()) }}
{%- endmacro %}

{% macro default__optimize_iceberg() -%}
    {{ return('') }}
{%- endmacro %}

{% macro athena__optimize_iceberg() -%}
    {{ return('optimize ' ~ this.schema ~ '.' ~ this.identifier ~ ' rewrite data using bin_pack') }}
{%- endmacro %}

{% macro vacuum_iceberg() -%}
    {{ return(adapter.dispatch('vacuum_iceberg', 'ecom_lakehouse')()) }}
{%- endmacro %}

{% macro default__vacuum_iceberg() -%}
    {{ return('') }}
{%- endmacro %}

{% macro athena__vacuum_iceberg() -%}
    {{ return('vacuum ' ~ this.schema ~ '.' ~ this.identifier) }}
{%- endmacro %}
