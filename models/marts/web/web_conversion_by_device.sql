{#- Grain: one row per device type: sessions, conversion and the revenue of the orders
    the sessions placed (macros/marts/metrics.sql). -#}
{{ web_conversion_by('device_type') }}
