-- cli/status-totals: the newest session loaded (by load time) and the newest crawled (by its
-- start), and the counts `ims-ingest status` shows. Parameters: none. Reads: ims.crawl_sessions,
-- ims.users, ims.issues, ims.session_issues, ims.attachments, ims.session_errors.
WITH ident AS (
    SELECT cs.session_uuid, cs.started_at, cs.updated_at,
           CASE WHEN cs.layout = 'shared' THEN cs.folder_name ELSE u.username || '/' || cs.folder_name END AS session
    FROM ims.crawl_sessions cs JOIN ims.users u ON u.user_id = cs.user_id
)
SELECT (SELECT count(*)::int FROM ims.crawl_sessions) AS sessions,
       (SELECT count(*)::int FROM ims.issues) AS issues,
       (SELECT count(*)::int FROM ims.session_issues) AS issue_files_loaded,
       (SELECT count(*)::int FROM ims.attachments) AS attachments,
       (SELECT json_object_agg(severity, n) FROM (
            SELECT severity, count(*)::int AS n FROM ims.session_errors GROUP BY severity) s) AS problems,
       (SELECT json_build_object('session', session, 'loaded_at', updated_at, 'started_at', started_at)
        FROM ident ORDER BY updated_at DESC LIMIT 1) AS last_loaded,
       (SELECT json_build_object('session', session, 'started_at', started_at)
        FROM ident ORDER BY started_at DESC LIMIT 1) AS newest_crawl,
       (SELECT coalesce(json_agg(session_uuid), '[]') FROM ims.crawl_sessions) AS loaded_uuids;
