-- merge/040_session_issues: one link per (session, issue).
-- Parameters: none. Reads: stage_file, stage_session, ims.issues. Writes: ims.session_issues.
--
-- crawl_order: the issue's best rank among the session's files (NULL when every file of it
-- was reached as a related issue); crawled_at and source_file: the session's newest file of
-- it (as merge/030 orders files). A lesser copy of a crawl (stage_session.secondary) writes no
-- link: the crawl's links are those of its best copy (src/files/crawl-copy.ts).
INSERT INTO ims.session_issues AS si (session_id, issue_pk, crawl_order, crawled_at, source_file)
SELECT f.session_id, i.issue_pk, f.crawl_order, f.crawled_at, f.rel_path
FROM (
    SELECT DISTINCT ON (sf.session_no, sf.issue_id) st.session_id, sf.issue_id, sf.crawled_at, sf.rel_path,
           min(sf.crawl_order) OVER (PARTITION BY sf.session_no, sf.issue_id) AS crawl_order
    FROM stage_file sf
    JOIN stage_session st ON st.session_no = sf.session_no
    WHERE st.secondary IS NOT TRUE
    ORDER BY sf.session_no, sf.issue_id, sf.crawled_at DESC, sf.crawled_key DESC, sf.rel_path DESC
) f
JOIN ims.issues i ON i.issue_id = f.issue_id
ORDER BY i.issue_pk, f.session_id
ON CONFLICT (session_id, issue_pk) DO UPDATE SET
    crawl_order = EXCLUDED.crawl_order,
    crawled_at = EXCLUDED.crawled_at,
    source_file = EXCLUDED.source_file
WHERE (si.crawl_order, si.crawled_at, si.source_file)
      IS DISTINCT FROM (EXCLUDED.crawl_order, EXCLUDED.crawled_at, EXCLUDED.source_file);
