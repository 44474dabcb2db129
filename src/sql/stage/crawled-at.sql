-- stage/crawled-at: the crawl moment of every staged file as timestamptz, computed once per
-- file: ims.crawler_ts costs tens of microseconds a call, and the merge statements would
-- otherwise call it once per comment, attachment and link (docs/performance.md).
-- Parameters: none. Reads and writes: stage_file (after the COPY, before ANALYZE).
UPDATE stage_file SET crawled_at = ims.crawler_ts(crawled_key);
