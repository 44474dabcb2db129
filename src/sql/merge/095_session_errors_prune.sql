-- merge/095_session_errors_prune: errors the folder no longer shows (a file fixed or removed
-- since the last ingest) are removed; not by a lesser copy of the crawl (stage_session.secondary).
-- Parameters: $1 session_id. Reads: stage_error, stage_session. Writes: ims.session_errors.
DELETE FROM ims.session_errors e
WHERE e.session_id = $1
  AND NOT EXISTS (SELECT FROM stage_error se WHERE se.error_key = e.error_key)
  AND NOT EXISTS (SELECT FROM stage_session st WHERE st.secondary);
