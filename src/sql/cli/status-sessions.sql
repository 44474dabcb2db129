-- cli/status-sessions: sessions loaded, by user and crawl status, for `ims-ingest status`.
-- Parameters: none. Reads: ims.crawl_sessions, ims.users.
SELECT u.username AS user, cs.status, count(*)::int AS sessions,
       min(cs.started_at) AS first_started, max(cs.started_at) AS last_started
FROM ims.crawl_sessions cs
JOIN ims.users u ON u.user_id = cs.user_id
GROUP BY u.username, cs.status
ORDER BY u.username, cs.status;
