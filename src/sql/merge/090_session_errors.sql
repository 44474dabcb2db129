-- merge/090_session_errors: what went wrong in each session of the batch, keyed by what it is about
-- (error_key), so a re-ingest updates the same rows instead of adding new ones.
-- Parameters: none. Reads: stage_error, stage_session, ims.crawl_sessions.
-- Writes: ims.session_errors.
--
-- Sources (docs/operations.md §Errors): a failed crawl (no_results_* / debug_screenshot_*
-- files, no issue), metadata.json errors and warnings, issue files that could not be read,
-- and text the reader had to repair (NUL characters, broken surrogates).
-- occurred_at: the time in the file name the error is about, else the session's start.
-- A lesser copy of the crawl (stage_session.secondary) records none: the crawl's errors are
-- those of its best copy (src/files/crawl-copy.ts).
INSERT INTO ims.session_errors AS e (
    session_id, error_key, error_type, severity, error_message, error_detail, file_path, occurred_at)
SELECT st.session_id, se.error_key, se.error_type, se.severity, se.message, se.detail, se.file_path,
       coalesce(ims.crawler_ts(se.occurred_raw), cs.started_at)
FROM stage_error se
JOIN stage_session st ON st.session_no = se.session_no
JOIN ims.crawl_sessions cs ON cs.session_id = st.session_id
WHERE st.secondary IS NOT TRUE
ORDER BY st.session_id, se.error_key
ON CONFLICT (session_id, error_key) DO UPDATE SET
    error_type = EXCLUDED.error_type,
    severity = EXCLUDED.severity,
    error_message = EXCLUDED.error_message,
    error_detail = EXCLUDED.error_detail,
    file_path = EXCLUDED.file_path,
    occurred_at = EXCLUDED.occurred_at
WHERE (e.error_type, e.severity, e.error_message, e.error_detail, e.file_path, e.occurred_at)
      IS DISTINCT FROM
      (EXCLUDED.error_type, EXCLUDED.severity, EXCLUDED.error_message, EXCLUDED.error_detail,
       EXCLUDED.file_path, EXCLUDED.occurred_at);
