-- cli/open-errors: files ims-ingest could not load (severity error, type reading or parsing),
-- per session: what keeps `backfill` exiting 1 until the file is fixed (or --accept-errors).
-- Crawler-reported errors (type crawling: a failed crawl, metadata.json errors; and the pages
-- the crawler saved after its IMS login expired, code LOGIN_EXPIRED: failed issues of the
-- crawl, docs/input-format.md) are facts about the crawl, listed by `ims-ingest errors` but
-- not failing a load.
-- Parameters: $1 text[] session_uuid (NULL: every session). Reads: ims.session_errors,
-- ims.crawl_sessions, ims.users.
SELECT CASE WHEN cs.layout = 'shared' THEN cs.folder_name ELSE u.username || '/' || cs.folder_name END AS session,
       se.error_type, se.error_key, se.error_message AS message, se.file_path AS file, se.occurred_at
FROM ims.session_errors se
JOIN ims.crawl_sessions cs ON cs.session_id = se.session_id
JOIN ims.users u ON u.user_id = cs.user_id
WHERE se.severity = 'error'
  AND se.error_type IN ('reading', 'parsing')
  AND coalesce(se.error_detail ->> 'code', '') <> 'LOGIN_EXPIRED'
  AND ($1::text[] IS NULL OR cs.session_uuid = ANY ($1::text[]))
ORDER BY session, se.file_path NULLS FIRST, se.error_key;
