-- copy/rank: the copy the crawl's row was last loaded from (docs/column-mapping.md §2.1):
-- its rank (src/files/crawl-copy.ts), folder and fingerprint. A copy of lower rank does not
-- replace it.
-- Parameters: $1 session_uuid. Reads: ims.crawl_sessions.
SELECT coalesce((cs.metadata->>'copy_rank')::int, 0) AS rank, cs.data_path, cs.content_hash
FROM ims.crawl_sessions cs
WHERE cs.session_uuid = $1;
