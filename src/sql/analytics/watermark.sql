-- analytics/watermark: what the sessions are now, read BEFORE a refresh so that the watermark
-- recorded after it is never newer than what the refresh saw (a session committed in between
-- makes the next check find the analytics stale, never the reverse).
-- Parameters: none. Reads: ims.crawl_sessions.
-- The latest time as text: a JavaScript Date would drop its microseconds.
SELECT count(*) AS n, max(updated_at)::text AS latest FROM ims.crawl_sessions;
