-- merge/095_session_errors_prune: errors the folder no longer shows (a file fixed or removed
-- since the last ingest) are removed; not by a lesser copy of a crawl (stage_session.secondary).
-- Parameters: none. Reads: stage_error, stage_session. Writes: ims.session_errors.
DELETE FROM ims.session_errors e
USING stage_session st
WHERE e.session_id = st.session_id
  AND st.secondary IS NOT TRUE
  AND NOT EXISTS (SELECT FROM stage_error se WHERE se.session_no = st.session_no AND se.error_key = e.error_key);
