{#- Grain: one row per traffic source: sessions, conversion and the revenue of the
    orders the sessions placed. -#}
{{ conversion_by('traffic_source') }}
