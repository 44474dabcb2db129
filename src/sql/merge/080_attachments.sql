-- merge/080_attachments: attachments, one row per (issue, IMS file_id), unioned across crawls.
-- Parameters: none. Reads: stage_file, stage_download, stage_session, ims.issues,
-- ims.crawl_sessions (through ims.newer_crawl). Writes: ims.attachments.
--
-- Two provenances, so the result is the same in any ingest order:
--  * the listing (filename, type, size, session_id) comes from the newest crawl that lists
--    the attachment (source_crawled_at; ties broken by session, ims.newer_crawl);
--  * the download (file_path, extracted_text from the <name>.txt preview) from the newest
--    crawl that actually downloaded it (download_crawled_at; ties broken by path,
--    ims.newer_download); a later crawl that did not download it does not erase it
--    (docs/input-format.md §4: most crawls download nothing).
--  * download_url (attachments[].url, when the listing has one) from the newest crawl whose
--    listing has one (download_url_crawled_at; ties: the greater url): a later listing
--    without a url does not erase it.
-- A file under attachments/<issue_id>/ that no listing names gets a row of its own keyed
-- 'name:<file name>', so nothing on disk is lost.
-- Each session of the batch first gives one row per attachment, as it would alone (its newest
-- file, one with a download first: `per_session`); the batch's rows are then combined into one
-- per attachment, each provenance from the row that rule picks (`listing`, `download`, `url`),
-- which is what merging the sessions one after the other would leave. The ON CONFLICT below
-- applies the same three rules against the row already there.
WITH r AS (
    SELECT sf.session_no, sf.issue_id, sf.crawled_key, sf.crawled_at, sf.rel_path,
           coalesce(nullif(btrim(e.a->>'file_id'), ''), 'name:' || coalesce(e.a->>'name', '')) AS attachment_key,
           nullif(btrim(e.a->>'file_id'), '') AS file_id,
           coalesce(nullif(e.a->>'name', ''), nullif(e.a->>'file_id', ''), '(unnamed)') AS filename,
           nullif(e.a->>'type', '') AS file_type,
           nullif(e.a->>'size', '') AS size_text,
           CASE WHEN d.rel_path IS NOT NULL THEN st.data_path || '/' || d.rel_path END AS file_path,
           d.size_bytes, d.extracted_text,
           nullif(btrim(e.a->>'url'), '') AS download_url
    FROM stage_file sf
    JOIN stage_session st ON st.session_no = sf.session_no
    CROSS JOIN LATERAL jsonb_array_elements(sf.doc->'attachments') AS e(a)
    LEFT JOIN stage_download d
           ON d.session_no = sf.session_no AND d.issue_id = sf.issue_id AND d.file_name = e.a->>'name'
    UNION ALL
    SELECT d.session_no, d.issue_id, f.crawled_key, f.crawled_at, d.rel_path, 'name:' || d.file_name, NULL,
           d.file_name, NULL, NULL, st.data_path || '/' || d.rel_path, d.size_bytes, d.extracted_text, NULL
    FROM stage_download d
    JOIN stage_session st ON st.session_no = d.session_no
    JOIN LATERAL (SELECT sf.crawled_key, sf.crawled_at FROM stage_file sf
                  WHERE sf.session_no = d.session_no AND sf.issue_id = d.issue_id
                  ORDER BY sf.crawled_at DESC, sf.crawled_key DESC LIMIT 1) f ON true
    WHERE NOT EXISTS (
        SELECT FROM stage_file sf, jsonb_array_elements(sf.doc->'attachments') AS e(a)
        WHERE sf.session_no = d.session_no AND sf.issue_id = d.issue_id AND e.a->>'name' = d.file_name)
), per_session AS (
    SELECT DISTINCT ON (r.session_no, r.issue_id, r.attachment_key) r.*, st.session_id, st.session_uuid
    FROM r
    JOIN stage_session st ON st.session_no = r.session_no
    ORDER BY r.session_no, r.issue_id, r.attachment_key, r.crawled_at DESC, r.crawled_key DESC,
             (r.file_path IS NOT NULL) DESC, r.rel_path DESC
), listing AS (
    -- ims.newer_crawl's order: crawled_at, then session_uuid.
    SELECT DISTINCT ON (p.issue_id, p.attachment_key) p.*
    FROM per_session p
    ORDER BY p.issue_id, p.attachment_key, p.crawled_at DESC, p.session_uuid DESC
), download AS (
    -- ims.newer_download's order: crawled_at, then the path.
    SELECT DISTINCT ON (p.issue_id, p.attachment_key) p.issue_id, p.attachment_key, p.file_path,
           p.extracted_text, p.crawled_at
    FROM per_session p
    WHERE p.file_path IS NOT NULL
    ORDER BY p.issue_id, p.attachment_key, p.crawled_at DESC, p.file_path DESC
), url AS (
    SELECT DISTINCT ON (p.issue_id, p.attachment_key) p.issue_id, p.attachment_key, p.download_url, p.crawled_at
    FROM per_session p
    WHERE p.download_url IS NOT NULL
    ORDER BY p.issue_id, p.attachment_key, p.crawled_at DESC, p.download_url DESC
)
INSERT INTO ims.attachments AS a (
    issue_pk, attachment_key, file_id, session_id, filename, file_type, file_size, size_text,
    file_path, downloaded, extracted_text, text_extracted, source_crawled_at,
    download_crawled_at, download_url, download_url_crawled_at)
SELECT i.issue_pk, l.attachment_key, l.file_id, l.session_id, l.filename, l.file_type,
       coalesce(l.size_bytes, ims.parse_size(l.size_text)), l.size_text,
       dl.file_path, dl.file_path IS NOT NULL, dl.extracted_text, dl.extracted_text IS NOT NULL,
       l.crawled_at, dl.crawled_at, u.download_url, u.crawled_at
FROM listing l
LEFT JOIN download dl ON dl.issue_id = l.issue_id AND dl.attachment_key = l.attachment_key
LEFT JOIN url u ON u.issue_id = l.issue_id AND u.attachment_key = l.attachment_key
JOIN ims.issues i ON i.issue_id = l.issue_id
ORDER BY i.issue_pk, l.attachment_key
-- newer listing:  ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
-- newer download: ims.newer_download(EXCLUDED.download_crawled_at, EXCLUDED.file_path, a.download_crawled_at, a.file_path)
ON CONFLICT (issue_pk, attachment_key) DO UPDATE SET
    download_url = CASE WHEN (EXCLUDED.download_url IS NOT NULL AND (a.download_url_crawled_at IS NULL
        OR (EXCLUDED.download_url_crawled_at, EXCLUDED.download_url) > (a.download_url_crawled_at, a.download_url))) THEN EXCLUDED.download_url ELSE a.download_url END,
    download_url_crawled_at = CASE WHEN (EXCLUDED.download_url IS NOT NULL AND (a.download_url_crawled_at IS NULL
        OR (EXCLUDED.download_url_crawled_at, EXCLUDED.download_url) > (a.download_url_crawled_at, a.download_url))) THEN EXCLUDED.download_url_crawled_at ELSE a.download_url_crawled_at END,
    file_id = CASE WHEN ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
        THEN EXCLUDED.file_id ELSE a.file_id END,
    session_id = CASE WHEN ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
        THEN EXCLUDED.session_id ELSE a.session_id END,
    filename = CASE WHEN ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
        THEN EXCLUDED.filename ELSE a.filename END,
    file_type = CASE WHEN ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
        THEN EXCLUDED.file_type ELSE a.file_type END,
    size_text = CASE WHEN ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
        THEN EXCLUDED.size_text ELSE a.size_text END,
    file_size = CASE WHEN ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
        THEN EXCLUDED.file_size ELSE a.file_size END,
    source_crawled_at = CASE WHEN ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
        THEN EXCLUDED.source_crawled_at ELSE a.source_crawled_at END,
    file_path = CASE WHEN ims.newer_download(EXCLUDED.download_crawled_at, EXCLUDED.file_path, a.download_crawled_at, a.file_path)
        THEN EXCLUDED.file_path ELSE a.file_path END,
    downloaded = CASE WHEN ims.newer_download(EXCLUDED.download_crawled_at, EXCLUDED.file_path, a.download_crawled_at, a.file_path)
        THEN EXCLUDED.downloaded ELSE a.downloaded END,
    extracted_text = CASE WHEN ims.newer_download(EXCLUDED.download_crawled_at, EXCLUDED.file_path, a.download_crawled_at, a.file_path)
        THEN EXCLUDED.extracted_text ELSE a.extracted_text END,
    text_extracted = CASE WHEN ims.newer_download(EXCLUDED.download_crawled_at, EXCLUDED.file_path, a.download_crawled_at, a.file_path)
        THEN EXCLUDED.text_extracted ELSE a.text_extracted END,
    download_crawled_at = CASE WHEN ims.newer_download(EXCLUDED.download_crawled_at, EXCLUDED.file_path, a.download_crawled_at, a.file_path)
        THEN EXCLUDED.download_crawled_at ELSE a.download_crawled_at END
WHERE (EXCLUDED.download_url IS NOT NULL AND (a.download_url_crawled_at IS NULL
        OR (EXCLUDED.download_url_crawled_at, EXCLUDED.download_url) > (a.download_url_crawled_at, a.download_url)))
   OR (ims.newer_crawl(EXCLUDED.source_crawled_at, EXCLUDED.session_id, a.source_crawled_at, a.session_id)
       AND (a.file_id, a.session_id, a.filename, a.file_type, a.size_text, a.file_size, a.source_crawled_at) IS DISTINCT FROM (EXCLUDED.file_id, EXCLUDED.session_id, EXCLUDED.filename, EXCLUDED.file_type, EXCLUDED.size_text, EXCLUDED.file_size, EXCLUDED.source_crawled_at))
   OR (ims.newer_download(EXCLUDED.download_crawled_at, EXCLUDED.file_path, a.download_crawled_at, a.file_path)
       AND (a.file_path, a.downloaded, a.extracted_text, a.text_extracted, a.download_crawled_at) IS DISTINCT FROM (EXCLUDED.file_path, EXCLUDED.downloaded, EXCLUDED.extracted_text, EXCLUDED.text_extracted, EXCLUDED.download_crawled_at));
