-- queries/session-hash: content_hash recorded at the last ingest of sessions, to skip unchanged folders.
-- Parameters: $1 text[] of session_uuid. Reads: ims.crawl_sessions.
SELECT session_uuid, content_hash FROM ims.crawl_sessions WHERE session_uuid = ANY ($1::text[]);
