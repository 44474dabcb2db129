-- analytics/stale: true when the analytics were not computed from the sessions as they are now
-- (in time zone $1): never computed, a refresh that did not commit, sessions loaded, changed or
-- deleted since.
-- Parameters: $1 time zone. Reads: ims.crawl_sessions, ims_ingest.analytics_watermark.
SELECT NOT EXISTS (
           SELECT 1 FROM ims_ingest.analytics_watermark w
           WHERE w.timezone = $1 AND w.sessions_count = s.n AND w.sessions_updated_at IS NOT DISTINCT FROM s.latest
       ) AS stale
FROM (SELECT count(*) AS n, max(updated_at) AS latest FROM ims.crawl_sessions) AS s;
