-- copy/legacy-uuid: before 0011, a migrated copy was its own session, keyed by UUIDv5 of
-- `<user>/<folder>`; it is now the crawl of its folder name (UUIDv5 of `<folder>`). The old row
-- takes the new key, or goes when the crawl already has a row (its shared original's): the
-- load that follows writes the crawl's links, counts and errors again.
-- Parameters: $1 legacy session_uuid, $2 session_uuid. Writes: ims.crawl_sessions (and, by
-- cascade, its session_issues, session_errors, search_queries), ims.issues crawl statistics.
WITH gone AS (
    DELETE FROM ims.crawl_sessions cs
    WHERE cs.session_uuid = $1 AND EXISTS (SELECT FROM ims.crawl_sessions n WHERE n.session_uuid = $2)
    RETURNING cs.session_id
), renamed AS (
    UPDATE ims.crawl_sessions cs SET session_uuid = $2
    WHERE cs.session_uuid = $1 AND NOT EXISTS (SELECT FROM ims.crawl_sessions n WHERE n.session_uuid = $2)
    RETURNING cs.session_id
)
SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM renamed) AS n;
