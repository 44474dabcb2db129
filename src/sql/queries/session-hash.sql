-- queries/session-hash: content_hash recorded at the last ingest of a session, to skip an unchanged folder.
-- Parameters: $1 session_uuid. Reads: ims.crawl_sessions.
SELECT content_hash FROM ims.crawl_sessions WHERE session_uuid = $1;
