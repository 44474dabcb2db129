-- merge/050_issue_crawl_stats: crawl_count, first_crawled_at and last_crawled_at of the
-- batch's issues, recomputed from all their session links (never incremented, so loading a
-- session twice cannot count it twice: the seed's upsert_issue trigger did).
-- Parameters: none. Reads: stage_file, ims.session_issues. Writes: ims.issues.
--
-- 030 locked every one of these rows, so a concurrent batch touching the same issues has
-- either committed (its links are visible to this statement) or waits for this transaction
-- and recomputes after it: no update is lost. An issue that no link names any more (only a
-- lesser copy of a crawl has it) keeps what 030 gave it: no crawl counted.
UPDATE ims.issues t
SET crawl_count = s.n, first_crawled_at = s.first_at, last_crawled_at = s.last_at
FROM (
    SELECT o.issue_pk, count(*)::int AS n, min(o.crawled_at) AS first_at, max(o.crawled_at) AS last_at
    FROM ims.session_issues o
    WHERE o.issue_pk IN (SELECT i.issue_pk FROM ims.issues i WHERE i.issue_id IN (SELECT sf.issue_id FROM stage_file sf))
    GROUP BY o.issue_pk
) s
WHERE t.issue_pk = s.issue_pk
  AND (t.crawl_count, t.first_crawled_at, t.last_crawled_at)
      IS DISTINCT FROM (s.n, s.first_at, s.last_at);
