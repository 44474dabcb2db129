-- merge/030_issues: one row per IMS issue, holding the values of its NEWEST crawl.
-- Parameters: none. Reads: stage_file, stage_session, ims.issues, ims.session_issues,
-- ims.crawl_sessions (through ims.newer_crawl). Writes: ims.issues.
--
-- The newest file of an issue in the batch wins: the latest crawled_at, ties between sessions
-- broken as ims.newer_crawl breaks them (the greater session_uuid), within a session by the
-- file's own stamp and path (docs/input-format.md §9: the same issue can be written twice).
-- Across batches the row is only overwritten by a crawl at least as new as the one it holds
-- (ims.newer_crawl on source_crawled_at), so the result is the same in any ingest order and
-- however the sessions are batched. Rows are taken in issue_id order, the order every loader
-- locks them in, so two batches sharing issues wait for each other instead of deadlocking;
-- the conflicting row is locked even when the WHERE below leaves it alone, so every later
-- statement writes only rows of issues this transaction holds.
-- first/last_crawled_at and crawl_count are set here from the links of sessions outside the
-- batch plus the links the batch is about to write (merge/040), so that in the usual case 050
-- finds them right and the row is written once, not twice (every write of an issue row
-- re-indexes its indexes, docs/performance.md); 050 still recomputes them and corrects a row
-- a concurrent batch changed meanwhile. Column mapping: docs/column-mapping.md.
WITH per_session AS (
    -- One link per (issue, session) of the batch, as 040 writes it (lesser copies write none).
    SELECT sf.issue_id, max(sf.crawled_at) AS crawled_at
    FROM stage_file sf
    JOIN stage_session st ON st.session_no = sf.session_no
    WHERE st.secondary IS NOT TRUE
    GROUP BY sf.issue_id, sf.session_no
), batch_links AS (
    SELECT p.issue_id, count(*)::int AS n, min(p.crawled_at) AS first_at, max(p.crawled_at) AS last_at
    FROM per_session p
    GROUP BY p.issue_id
)
INSERT INTO ims.issues AS t (
    issue_id, title, description, product, status, priority, severity, issue_type,
    reporter, owner, manager, registered_date, modified_date, closed_date,
    project_code, project_name, site, customer, found_version, fixed_version, target_version,
    full_data, first_crawled_at, last_crawled_at, crawl_count,
    assignee, url, source_session_id, source_crawled_at)
SELECT n.issue_id, n.title, n.description, n.product, n.status, n.priority, n.severity,
       n.issue_type, n.reporter, n.owner, NULL, n.registered_date, n.modified_date,
       CASE WHEN n.status ILIKE 'closed%' THEN n.modified_date END,
       NULL, n.project_name, NULL, n.customer, n.found_version, n.fixed_version, NULL,
       n.doc, least(o.first_at, b.first_at), greatest(o.last_at, b.last_at), o.n + coalesce(b.n, 0),
       n.assignee, n.url, n.session_id, n.crawled_at
FROM (
    SELECT l.issue_id, l.doc, l.session_id,
           coalesce(d.title, '')                           AS title,
           nullif(d.description, '')                       AS description,
           nullif(d.product, '')                           AS product,
           nullif(d.status, '')                            AS status,
           nullif(d.priority, '')                          AS priority,
           nullif(d.metadata->>'severity', '')             AS severity,
           nullif(d.metadata->>'category', '')             AS issue_type,
           nullif(d.reporter, '')                          AS reporter,
           nullif(d.metadata->>'owner', '')                AS owner,
           ims.crawler_ts(d.created_date)                  AS registered_date,
           ims.crawler_ts(d.updated_date)                  AS modified_date,
           nullif(d.metadata->>'project', '')              AS project_name,
           nullif(d.metadata->>'customer', '')             AS customer,
           nullif(d.metadata->>'version', '')              AS found_version,
           nullif(d.metadata->>'patch_version', '')        AS fixed_version,
           nullif(d.assignee, '')                          AS assignee,
           nullif(d.url, '')                               AS url,
           l.crawled_at
    FROM (
        SELECT DISTINCT ON (sf.issue_id) sf.issue_id, sf.doc, sf.crawled_at, st.session_id
        FROM stage_file sf
        JOIN stage_session st ON st.session_no = sf.session_no
        ORDER BY sf.issue_id, sf.crawled_at DESC, st.session_uuid DESC, sf.crawled_key DESC, sf.rel_path DESC
    ) l
    -- One pass over the document for all its fields: each d->>'key' would fetch the whole
    -- document from the staging table's TOAST again (docs/performance.md).
    CROSS JOIN LATERAL jsonb_to_record(l.doc) AS d(
        title text, description text, product text, status text, priority text,
        reporter text, created_date text, updated_date text, assignee text, url text,
        metadata jsonb)
) n
LEFT JOIN batch_links b ON b.issue_id = n.issue_id
CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, min(si.crawled_at) AS first_at, max(si.crawled_at) AS last_at
    FROM ims.issues i JOIN ims.session_issues si ON si.issue_pk = i.issue_pk
    WHERE i.issue_id = n.issue_id
      AND si.session_id NOT IN (SELECT st.session_id FROM stage_session st WHERE st.secondary IS NOT TRUE)
) o
ORDER BY n.issue_id
ON CONFLICT (issue_id) DO UPDATE SET
    title = EXCLUDED.title,
    description = EXCLUDED.description,
    product = EXCLUDED.product,
    status = EXCLUDED.status,
    priority = EXCLUDED.priority,
    severity = EXCLUDED.severity,
    issue_type = EXCLUDED.issue_type,
    reporter = EXCLUDED.reporter,
    owner = EXCLUDED.owner,
    registered_date = EXCLUDED.registered_date,
    modified_date = EXCLUDED.modified_date,
    closed_date = EXCLUDED.closed_date,
    project_name = EXCLUDED.project_name,
    customer = EXCLUDED.customer,
    found_version = EXCLUDED.found_version,
    fixed_version = EXCLUDED.fixed_version,
    full_data = EXCLUDED.full_data,
    assignee = EXCLUDED.assignee,
    url = EXCLUDED.url,
    source_session_id = EXCLUDED.source_session_id,
    source_crawled_at = EXCLUDED.source_crawled_at,
    first_crawled_at = EXCLUDED.first_crawled_at,
    last_crawled_at = EXCLUDED.last_crawled_at,
    crawl_count = EXCLUDED.crawl_count
WHERE ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.source_session_id, t.source_crawled_at, t.source_session_id)
  AND (t.title, t.description, t.product, t.status, t.priority, t.severity, t.issue_type,
       t.reporter, t.owner, t.registered_date, t.modified_date, t.closed_date, t.project_name,
       t.customer, t.found_version, t.fixed_version, t.assignee, t.url, t.source_session_id,
       t.source_crawled_at, t.full_data)
      IS DISTINCT FROM
      (EXCLUDED.title, EXCLUDED.description, EXCLUDED.product, EXCLUDED.status,
       EXCLUDED.priority, EXCLUDED.severity, EXCLUDED.issue_type, EXCLUDED.reporter,
       EXCLUDED.owner, EXCLUDED.registered_date, EXCLUDED.modified_date, EXCLUDED.closed_date,
       EXCLUDED.project_name, EXCLUDED.customer, EXCLUDED.found_version,
       EXCLUDED.fixed_version, EXCLUDED.assignee, EXCLUDED.url, EXCLUDED.source_session_id,
       EXCLUDED.source_crawled_at, EXCLUDED.full_data);
