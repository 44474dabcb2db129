-- merge/060_issue_comments: comments, one row per (issue, IMS action_no), unioned across
-- every crawl; a comment's content is that of the newest crawl that has it (files ordered as
-- merge/030 orders them).
-- Parameters: none (comments belong to the issue, not to the session that saw them).
-- Reads: stage_file, stage_session, ims.issues. Writes: ims.issue_comments.
--
-- A comment with no action_no gets the key 'md5:' || md5(author, date, content): it cannot be
-- matched across crawls if its text changes, but is never duplicated by a re-crawl.
-- All files of the batch count, not only the newest per issue, so the table depends only
-- on the set of files ever loaded, not on their order.
INSERT INTO ims.issue_comments AS c (
    issue_pk, comment_key, comment_number, author, content, commented_at, source_crawled_at)
SELECT d.issue_pk, d.comment_key,
       CASE WHEN d.c->>'action_no' ~ '^\s*\d{1,18}\s*$' THEN btrim(d.c->>'action_no')::bigint END,
       nullif(d.c->>'author', ''),
       d.c->>'content',
       ims.crawler_ts(d.c->>'date'),
       d.crawled_at
FROM (
    -- The batch's newest copy of each comment, before anything is computed from it: a comment
    -- of an issue crawled ten times in the batch is converted once. The issue is looked up per
    -- file, before the comments are unnested, so a small batch finds it by its index.
    SELECT DISTINCT ON (i.issue_pk, k.comment_key) i.issue_pk, k.comment_key, e.c, sf.crawled_at
    FROM stage_file sf
    JOIN stage_session st ON st.session_no = sf.session_no
    JOIN ims.issues i ON i.issue_id = sf.issue_id
    CROSS JOIN LATERAL jsonb_array_elements(sf.doc->'comments') AS e(c)
    CROSS JOIN LATERAL (
        SELECT coalesce(nullif(btrim(e.c->>'action_no'), ''),
                        'md5:' || md5(concat_ws(E'\x1f', e.c->>'author', e.c->>'date', e.c->>'content'))) AS comment_key
    ) k
    ORDER BY i.issue_pk, k.comment_key, sf.crawled_at DESC, st.session_uuid DESC, sf.crawled_key DESC, sf.rel_path DESC
) d
-- A comment the table holds from a newer crawl is left as it is (the WHERE below would), and
-- not even locked: it belongs to an issue 030 locked, so no other loader is changing it. A
-- scalar subquery, so it is one index probe per comment whatever the size of the table.
WHERE (SELECT o.source_crawled_at > d.crawled_at FROM ims.issue_comments o
       WHERE o.issue_pk = d.issue_pk AND o.comment_key = d.comment_key) IS NOT TRUE
ON CONFLICT (issue_pk, comment_key) DO UPDATE SET
    comment_number = EXCLUDED.comment_number,
    author = EXCLUDED.author,
    content = EXCLUDED.content,
    commented_at = EXCLUDED.commented_at,
    source_crawled_at = EXCLUDED.source_crawled_at
WHERE (c.source_crawled_at IS NULL OR EXCLUDED.source_crawled_at >= c.source_crawled_at)
  AND (c.comment_number, c.author, c.content, c.commented_at, c.source_crawled_at)
      IS DISTINCT FROM
      (EXCLUDED.comment_number, EXCLUDED.author, EXCLUDED.content, EXCLUDED.commented_at,
       EXCLUDED.source_crawled_at);
