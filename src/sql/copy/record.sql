-- copy/record: a lesser copy of the crawl is merged with this fingerprint (in the same
-- transaction as the merge, so a rolled-back load records nothing).
-- Parameters: $1 session_uuid, $2 data_path, $3 content_hash. Writes: ims_ingest.session_copies.
INSERT INTO ims_ingest.session_copies (session_uuid, data_path, content_hash) VALUES ($1, $2, $3)
ON CONFLICT (session_uuid, data_path) DO UPDATE SET content_hash = EXCLUDED.content_hash, loaded_at = now()
WHERE ims_ingest.session_copies.content_hash IS DISTINCT FROM EXCLUDED.content_hash;
