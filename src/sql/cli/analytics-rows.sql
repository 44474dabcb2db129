-- cli/analytics-rows: row counts of the statistics tables, for `ims-ingest analytics --json`.
-- Parameters: none. Reads: ims.analytics_daily, ims.analytics_monthly.
SELECT (SELECT count(*)::int FROM ims.analytics_daily) AS daily,
       (SELECT count(*)::int FROM ims.analytics_monthly) AS monthly;
