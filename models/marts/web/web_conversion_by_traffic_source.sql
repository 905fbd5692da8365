{#- Grain: one row per traffic source: sessions, conversion and the revenue of the
    orders the sessions placed (macros/marts/metrics.sql). -#}
{{ web_conversion_by('traffic_source') }}
