-- merge/045_session_issues_prune: links of this session to issues whose files are gone from
-- the folder are removed, and those issues' crawl statistics recomputed without this session.
-- Parameters: $1 session_id. Reads: stage_file, stage_session, ims.session_issues.
-- Writes: ims.session_issues, ims.issues.
--
-- The folder is the truth: a session re-ingested after a file was deleted must not keep
-- claiming the issue. (The issue row keeps its values; docs/operations.md §Recovery.)
-- A lesser copy of the crawl (stage_session.secondary) prunes nothing.
WITH gone AS (
    DELETE FROM ims.session_issues si
    USING ims.issues i
    WHERE si.session_id = $1
      AND i.issue_pk = si.issue_pk
      AND NOT EXISTS (SELECT FROM stage_file sf WHERE sf.issue_id = i.issue_id)
      AND NOT EXISTS (SELECT FROM stage_session st WHERE st.secondary)
    RETURNING si.issue_pk
)
UPDATE ims.issues t
SET crawl_count = s.n, first_crawled_at = s.first_at, last_crawled_at = s.last_at
FROM (
    SELECT g.issue_pk, count(o.session_id)::int AS n,
           min(o.crawled_at) AS first_at, max(o.crawled_at) AS last_at
    FROM gone g
    LEFT JOIN ims.session_issues o ON o.issue_pk = g.issue_pk AND o.session_id <> $1
    GROUP BY g.issue_pk
) s
WHERE t.issue_pk = s.issue_pk;
