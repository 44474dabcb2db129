-- 0012: what analytics_daily/analytics_monthly were last computed from (the number of
-- sessions, their latest updated_at, the time zone), so that a run which loads nothing still
-- refreshes them when they are older than the sessions they summarise: a refresh killed
-- half-way, sessions deleted by hand, another time zone.
-- Tables written: ims_ingest.analytics_watermark (one row).
CREATE TABLE ims_ingest.analytics_watermark (
    only_row            boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    timezone            text NOT NULL,
    sessions_count      bigint NOT NULL,
    sessions_updated_at timestamptz,
    refreshed_at        timestamptz NOT NULL DEFAULT now()
);
