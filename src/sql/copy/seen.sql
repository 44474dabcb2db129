-- copy/seen: the fingerprint a lesser copy of the crawl was last merged with (src/db/crawl-copy.ts).
-- Parameters: $1 session_uuid, $2 the copy's data_path. Reads: ims_ingest.session_copies.
SELECT content_hash FROM ims_ingest.session_copies WHERE session_uuid = $1 AND data_path = $2;
