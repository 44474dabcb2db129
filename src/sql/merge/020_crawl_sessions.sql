-- merge/020_crawl_sessions: the session rows, keyed by session_uuid (the folder identity), so a
-- folder ingested again updates its row and never makes a second one. A batch never holds two
-- copies of one crawl (src/ingest/batches.ts), so no row is proposed twice.
-- Parameters: none. Reads: stage_session, stage_file, ims.users. Writes: ims.crawl_sessions.
--
-- Counts come from the files, never from the crawler's own figures: issues_crawled = distinct
-- issues with a crawl_order, related_issues = distinct issues reached only as related issues
-- (no crawl_order in any of their files), failed_issues = issue files that could not be read.
-- started_at: the folder name's stamp (a migrated copy's metadata.json created_at is the
-- migration's moment, only used when the name has none); completed_at: the last crawled_at,
-- else metadata.json completed_at, never before the start; duration from the two timestamps
-- (metadata.json duration_seconds can be negative, docs/input-format.md §8). A matching query
-- history entry later moves the end and the query (merge/105, ims.match_query_history), which
-- finds what the files said in metadata->'from_files'.
-- crawl_related: metadata.json's flag, or true when the folder holds related issues.
-- The user: a copy that names no user (shared layout, user_from 'default') keeps the user a
-- migrated copy of the same crawl gave the row (docs/column-mapping.md §2.1). A lesser copy
-- (stage_session.secondary) leaves the row as its best copy made it.
INSERT INTO ims.crawl_sessions AS cs (
    session_uuid, user_id, product, original_query, parsed_query, query_language, max_results,
    crawl_related, status, started_at, completed_at, duration_seconds, total_issues_found,
    issues_crawled, attachments_downloaded, failed_issues, related_issues, data_path, metadata,
    layout, folder_name, content_hash)
SELECT st.session_uuid, u.user_id, st.product, st.original_query, st.parsed_query,
       st.query_language, st.max_results, coalesce(st.crawl_related, false) OR f.total > f.crawled,
       st.status, t.started_at, t.completed_at,
       greatest(0, round(extract(epoch FROM t.completed_at - t.started_at)))::int,
       coalesce(st.total_issues_found, f.crawled),
       f.crawled, st.attachments_downloaded, st.failed_issues, f.total - f.crawled,
       st.data_path,
       st.metadata || jsonb_build_object('from_files', jsonb_build_object(
           'original_query', st.original_query, 'parsed_query', st.parsed_query,
           'query_language', st.query_language, 'completed_at', t.completed_at)),
       st.layout, st.folder_name, st.content_hash
FROM stage_session st
JOIN ims.users u ON u.username = st.user_name
LEFT JOIN (
    SELECT sf.session_no,
           count(DISTINCT sf.issue_id)::int AS total,
           count(DISTINCT sf.issue_id) FILTER (WHERE sf.crawl_order IS NOT NULL)::int AS crawled,
           max(sf.crawled_key) AS last_key
    FROM stage_file sf
    GROUP BY sf.session_no
) g ON g.session_no = st.session_no
CROSS JOIN LATERAL (
    SELECT coalesce(g.total, 0) AS total, coalesce(g.crawled, 0) AS crawled, g.last_key
) f
CROSS JOIN LATERAL (
    SELECT s.started_at,
           greatest(s.started_at, coalesce(ims.crawler_ts(f.last_key), ims.crawler_ts(st.completed_raw))) AS completed_at
    FROM (SELECT coalesce(ims.crawler_ts(st.started_raw), now()) AS started_at) s
) t
WHERE st.secondary IS NOT TRUE
ORDER BY st.session_uuid
ON CONFLICT (session_uuid) DO UPDATE SET
    user_id = CASE WHEN EXCLUDED.metadata->>'user_from' = 'default' AND cs.metadata->>'user_from' <> 'default'
                   THEN cs.user_id ELSE EXCLUDED.user_id END,
    product = EXCLUDED.product,
    original_query = EXCLUDED.original_query,
    parsed_query = EXCLUDED.parsed_query,
    query_language = EXCLUDED.query_language,
    max_results = EXCLUDED.max_results,
    crawl_related = EXCLUDED.crawl_related,
    status = EXCLUDED.status,
    started_at = EXCLUDED.started_at,
    completed_at = EXCLUDED.completed_at,
    duration_seconds = EXCLUDED.duration_seconds,
    total_issues_found = EXCLUDED.total_issues_found,
    issues_crawled = EXCLUDED.issues_crawled,
    attachments_downloaded = EXCLUDED.attachments_downloaded,
    failed_issues = EXCLUDED.failed_issues,
    related_issues = EXCLUDED.related_issues,
    data_path = EXCLUDED.data_path,
    metadata = CASE WHEN EXCLUDED.metadata->>'user_from' = 'default' AND cs.metadata->>'user_from' <> 'default'
                    THEN EXCLUDED.metadata || jsonb_build_object('user_from', cs.metadata->'user_from')
                    ELSE EXCLUDED.metadata END,
    layout = EXCLUDED.layout,
    folder_name = EXCLUDED.folder_name,
    content_hash = EXCLUDED.content_hash
WHERE (cs.user_id, cs.product, cs.original_query, cs.parsed_query, cs.query_language,
       cs.max_results, cs.crawl_related, cs.status, cs.started_at, cs.completed_at,
       cs.duration_seconds, cs.total_issues_found, cs.issues_crawled, cs.attachments_downloaded,
       cs.failed_issues, cs.related_issues, cs.data_path, cs.metadata, cs.layout,
       cs.folder_name, cs.content_hash)
      IS DISTINCT FROM
      (EXCLUDED.user_id, EXCLUDED.product, EXCLUDED.original_query, EXCLUDED.parsed_query,
       EXCLUDED.query_language, EXCLUDED.max_results, EXCLUDED.crawl_related, EXCLUDED.status,
       EXCLUDED.started_at, EXCLUDED.completed_at, EXCLUDED.duration_seconds,
       EXCLUDED.total_issues_found, EXCLUDED.issues_crawled, EXCLUDED.attachments_downloaded,
       EXCLUDED.failed_issues, EXCLUDED.related_issues, EXCLUDED.data_path, EXCLUDED.metadata,
       EXCLUDED.layout, EXCLUDED.folder_name, EXCLUDED.content_hash);
