-- copy/legacy-detach: before copy/legacy-uuid.sql removes a pre-0011 row of a migrated copy,
-- the query-history entry matched to it is detached (search_queries.session_id cascades on
-- delete: the entry would go with the row); the load that follows matches it again.
-- Parameters: $1 legacy session_uuid, $2 session_uuid. Writes: ims.search_queries.
UPDATE ims.search_queries q
SET session_id = NULL
FROM ims.crawl_sessions cs
WHERE cs.session_uuid = $1 AND q.session_id = cs.session_id AND q.history_key IS NOT NULL
  AND EXISTS (SELECT FROM ims.crawl_sessions n WHERE n.session_uuid = $2);
