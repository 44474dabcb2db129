-- merge/045_session_issues_prune: links of the batch's sessions to issues whose files are gone
-- from their folder are removed, and those issues' crawl statistics recomputed without them.
-- Parameters: none. Reads: stage_file, stage_session, ims.session_issues.
-- Writes: ims.session_issues, ims.issues.
--
-- The folder is the truth: a session re-ingested after a file was deleted must not keep
-- claiming the issue. (The issue row keeps its values; docs/operations.md §Recovery.)
-- A lesser copy of a crawl (stage_session.secondary) prunes nothing. The statistics count the
-- links that remain: the DELETE's own rows are still visible to this statement's snapshot,
-- hence the anti-join on `gone`.
WITH staged AS MATERIALIZED (
    SELECT DISTINCT st.session_id, i.issue_pk
    FROM stage_file sf
    JOIN stage_session st ON st.session_no = sf.session_no
    JOIN ims.issues i ON i.issue_id = sf.issue_id
    WHERE st.secondary IS NOT TRUE
), gone AS (
    DELETE FROM ims.session_issues si
    USING stage_session st
    WHERE si.session_id = st.session_id
      AND st.secondary IS NOT TRUE
      AND (si.session_id, si.issue_pk) NOT IN (SELECT k.session_id, k.issue_pk FROM staged k)
    RETURNING si.session_id, si.issue_pk
)
UPDATE ims.issues t
SET crawl_count = s.n, first_crawled_at = s.first_at, last_crawled_at = s.last_at
FROM (
    SELECT g.issue_pk, count(o.session_id)::int AS n,
           min(o.crawled_at) AS first_at, max(o.crawled_at) AS last_at
    FROM (SELECT DISTINCT issue_pk FROM gone) g
    LEFT JOIN ims.session_issues o ON o.issue_pk = g.issue_pk
         AND NOT EXISTS (SELECT FROM gone x WHERE x.issue_pk = o.issue_pk AND x.session_id = o.session_id)
    GROUP BY g.issue_pk
) s
WHERE t.issue_pk = s.issue_pk;
