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
    table rebuilds everything. Whole days: rows are replaced by key on both engines.

    Read once when the model is compiled for a run (one query) and written into the SQL
    as a date literal: a literal lets the engine skip the partitions and files before
    the window (Athena scans only the window's days of the cleaned events and of
    int_events_sessionized), which a subquery in the filter does not. The query reads
    the date column only (on Athena, its column chunks). At parse time nothing is read:
    the model is never run from that text. -#}
{% macro incremental_cutoff_date(date_column) -%}
    {{ return("cast('" ~ incremental_cutoff_value(date_column) ~ "' as date) " ~ cutoff_marker()) }}
{%- endmacro %}

{#- The comment after the cutoff in the compiled SQL: the model's post-hooks find the
    cutoff the model ran with there (optimize_iceberg). -#}
{% macro cutoff_marker() -%}
    {{ return('/* incremental cutoff */') }}
{%- endmacro %}

{#- The cutoff as text (YYYY-MM-DD), read from the existing table; '1900-01-01' at parse
    time and when the table is empty. -#}
{% macro incremental_cutoff_value(date_column) -%}
    {%- if not execute -%}
        {{ return('1900-01-01') }}
    {%- endif -%}
    {%- set newest -%}
        select
            cast(
                coalesce(
                    cast({{ dbt.dateadd('day', -1 * integer_var('event_lookback_days'), 'max(' ~ date_column ~ ')') }} as date),
                    cast('1900-01-01' as date)
                ) as varchar
            ) as cutoff
        from {{ this }}
    {%- endset -%}
    {{ return(run_query(newest).columns[0].values()[0] | string) }}
{%- endmacro %}


{#- What else an incremental event fact's MERGE matches on besides its key, on Athena:
    the row's date (`date_column`), which never changes for a key (an event's date is when
    it happened; a session's, when it started). Trino and Athena push the dates of the
    merged rows down to the table's scan (dynamic filtering), so the MERGE reads only
    the files of the window's days instead of the whole table. A key that came back with
    a different date would be inserted beside its old row, and the fact's unique test
    fails the build before it is published. DuckDB's delete+insert needs none. -#}
{% macro event_merge_predicates(date_column) -%}
    {{ return(adapter.dispatch('event_merge_predicates', 'ecom_lakehouse')(date_column)) }}
{%- endmacro %}

{% macro default__event_merge_predicates(date_column) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro athena__event_merge_predicates(date_column) -%}
    {{ return(['target.' ~ date_column ~ ' = src.' ~ date_column]) }}
{%- endmacro %}


{#- Table maintenance after an incremental build on Athena (post-hooks of the merged
    facts): OPTIMIZE rewrites the small files each merge leaves into fewer, VACUUM
    expires the snapshots older than the table's `vacuum_max_snapshot_age_seconds` and
    deletes the files only they held. Nothing to do on DuckDB.

    OPTIMIZE rewrites only the partitions (`partition_column`, the month of the cutoff's
    date column) the MERGE wrote into: the months from the cutoff the model was compiled
    with (read from its compiled SQL, where incremental_cutoff_date marked it), so no
    second query of the table. The months before are left alone: Athena bills what
    OPTIMIZE reads, and its bin packing may pick files below its size target in every
    partition. A build without that cutoff (the first, a full refresh) wrote fresh
    files: nothing to compact. -#}
{% macro optimize_iceberg(partition_column) -%}
    {{ return(adapter.dispatch('optimize_iceberg', 'ecom_lakehouse')(partition_column)) }}
{%- endmacro %}

{% macro default__optimize_iceberg(partition_column) -%}
    {{ return('') }}
{%- endmacro %}

{% macro athena__optimize_iceberg(partition_column) -%}
    {%- set pattern = "cast\\('(\\d{4})-(\\d{2})-\\d{2}' as date\\) " ~ modules.re.escape(cutoff_marker()) -%}
    {%- set cutoff = modules.re.search(pattern, (model.compiled_code or '') if execute else '') -%}
    {%- if cutoff is none -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(
        'optimize ' ~ this.schema ~ '.' ~ this.identifier ~ ' rewrite data using bin_pack'
        ~ ' where ' ~ partition_column ~ " >= date '" ~ cutoff.group(1) ~ '-' ~ cutoff.group(2) ~ "-01'"
    ) }}
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
