-- merge/050_issue_crawl_stats: crawl_count, first_crawled_at and last_crawled_at of the
-- session's issues, recomputed from all their session links (never incremented, so loading a
-- session twice cannot count it twice: the seed's upsert_issue trigger did).
-- Parameters: $1 session_id. Reads: ims.session_issues. Writes: ims.issues.
--
-- 030 locked every one of these rows, so a concurrent session touching the same issues has
-- either committed (its links are visible to this statement) or waits for this transaction
-- and recomputes after it: no update is lost.
UPDATE ims.issues t
SET crawl_count = s.n, first_crawled_at = s.first_at, last_crawled_at = s.last_at
FROM (
    SELECT o.issue_pk, count(*)::int AS n, min(o.crawled_at) AS first_at, max(o.crawled_at) AS last_at
    FROM ims.session_issues o
    WHERE o.issue_pk IN (SELECT issue_pk FROM ims.session_issues WHERE session_id = $1)
    GROUP BY o.issue_pk
) s
WHERE t.issue_pk = s.issue_pk
  AND (t.crawl_count, t.first_crawled_at, t.last_crawled_at)
      IS DISTINCT FROM (s.n, s.first_at, s.last_at);
