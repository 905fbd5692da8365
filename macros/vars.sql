{#- The project's vars, checked before they reach SQL: a `--vars` value is text from
    the command line, and SQL built from it must not run whatever it holds. -#}

{#- A var that must be a whole number (days, minutes); a compile error otherwise. -#}
{% macro integer_var(name) -%}
    {%- set value = var(name) -%}
    {%- if value is number and value is not boolean and value == value | int -%}
        {{ return(value | int) }}
    {%- elif value is string and modules.re.fullmatch('[0-9]{1,9}', value) -%}
        {{ return(value | int) }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "var " ~ name ~ " must be a whole number, not '" ~ (value | string)[:40] ~ "'"
        ~ "; pass e.g. --vars '{" ~ name ~ ": 3}'") }}
{%- endmacro %}

{#- A var that must be a date, YYYY-MM-DD; a compile error otherwise. -#}
{% macro date_var(name) -%}
    {%- set value = var(name) | string -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a date YYYY-MM-DD, not '" ~ value[:40] ~ "'"
            ~ "; pass e.g. --vars '{" ~ name ~ ": 2018-07-01}'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
