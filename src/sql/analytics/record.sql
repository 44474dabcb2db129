-- analytics/record: remembers what the analytics were just computed from, in the refresh's
-- transaction (a refresh that does not commit leaves the old watermark, so it is redone).
-- Parameters: $1 time zone, $2 sessions count, $3 latest sessions updated_at (watermark.sql).
-- Writes: ims_ingest.analytics_watermark.
INSERT INTO ims_ingest.analytics_watermark (timezone, sessions_count, sessions_updated_at, refreshed_at)
VALUES ($1, $2, $3, now())
ON CONFLICT (only_row) DO UPDATE
SET timezone = EXCLUDED.timezone, sessions_count = EXCLUDED.sessions_count,
    sessions_updated_at = EXCLUDED.sessions_updated_at, refreshed_at = EXCLUDED.refreshed_at;
