-- Conversion by traffic source, straight from the mart (the metric `conversion_rate`
-- in the semantic layer gives the same figure per any dimension).
select
    traffic_source,
    session_count,
    converted_session_count,
    conversion_rate,
    revenue_per_session_brl
from {{ ref('web_conversion_by_traffic_source') }}
order by conversion_rate desc
