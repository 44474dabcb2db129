-- cli/status-lag: how far the newest crawl loaded lags the newest session folder on disk, in
-- seconds (0 when the folder is loaded or older). The folder's name holds the crawler's naive
-- start time, read in the run's time zone as the loader reads it.
-- Parameters: $1 text YYYYMMDD_HHMMSS from the folder name, $2 text time zone, $3 timestamptz
-- start of the newest crawl loaded. Reads: nothing (ims.crawler_ts only).
SELECT greatest(0, extract(epoch FROM ims.crawler_ts($1, $2) - $3::timestamptz))::float8 AS lag;
