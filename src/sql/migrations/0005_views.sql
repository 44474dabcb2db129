-- 0005_views: the seed's three views, without its row fan-out.
-- Reads: users, crawl_sessions, session_issues, issues, attachments, issue_comments.
--
-- Fixes against the seed: v_user_dashboard summed crawl_sessions.issues_crawled over the join
-- with session_issues, multiplying each session's count by its number of issues;
-- v_issue_search joined three one-to-many tables before COUNT(DISTINCT), building
-- sessions x attachments x comments rows per issue. Both now aggregate each table on its
-- own (LATERAL subqueries), which is exact and linear.

CREATE VIEW ims.v_user_dashboard AS
SELECT u.user_id,
       u.username,
       coalesce(s.total_sessions, 0)       AS total_sessions,
       coalesce(i.unique_issues, 0)        AS unique_issues,
       coalesce(s.total_issues_crawled, 0) AS total_issues_crawled,
       s.last_session_at,
       s.avg_session_duration
FROM ims.users u
LEFT JOIN LATERAL (
    SELECT count(*) AS total_sessions,
           sum(cs.issues_crawled) AS total_issues_crawled,
           max(cs.started_at) AS last_session_at,
           avg(cs.duration_seconds) AS avg_session_duration
    FROM ims.crawl_sessions cs
    WHERE cs.user_id = u.user_id
) s ON true
LEFT JOIN LATERAL (
    SELECT count(DISTINCT si.issue_pk) AS unique_issues
    FROM ims.crawl_sessions cs
    JOIN ims.session_issues si ON si.session_id = cs.session_id
    WHERE cs.user_id = u.user_id
) i ON true;

CREATE VIEW ims.v_session_detail AS
SELECT cs.session_id,
       cs.session_uuid,
       u.username,
       cs.product,
       cs.original_query,
       cs.status,
       cs.started_at,
       cs.completed_at,
       cs.duration_seconds,
       cs.issues_crawled,
       coalesce(x.actual_issue_count, 0) AS actual_issue_count,
       coalesce(x.issue_ids, '{}')      AS issue_ids
FROM ims.crawl_sessions cs
JOIN ims.users u ON u.user_id = cs.user_id
LEFT JOIN LATERAL (
    SELECT count(*) AS actual_issue_count,
           array_agg(i.issue_id ORDER BY si.crawl_order NULLS LAST, i.issue_id) AS issue_ids
    FROM ims.session_issues si
    JOIN ims.issues i ON i.issue_pk = si.issue_pk
    WHERE si.session_id = cs.session_id
) x ON true;

CREATE VIEW ims.v_issue_search AS
SELECT i.issue_pk,
       i.issue_id,
       i.title,
       i.description,
       i.product,
       i.status,
       i.priority,
       i.registered_date,
       i.last_crawled_at,
       (SELECT count(*) FROM ims.session_issues si WHERE si.issue_pk = i.issue_pk) AS crawled_in_sessions,
       (SELECT count(*) FROM ims.attachments a WHERE a.issue_pk = i.issue_pk)      AS attachment_count,
       (SELECT count(*) FROM ims.issue_comments c WHERE c.issue_pk = i.issue_pk)   AS comment_count
FROM ims.issues i;
