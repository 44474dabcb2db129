-- cli/errors: rows of ims.session_errors for `ims-ingest errors`, newest first.
-- Parameters: $1 timestamptz occurred at or after (NULL: any), $2 text session: its
-- session_id, its <user>/<folder> identity or its folder name (NULL: any), $3 text severity
-- at least ('error', 'warning' or 'info'). Reads: ims.session_errors, ims.crawl_sessions, ims.users.
SELECT se.session_id::text AS session_id,
       CASE WHEN cs.layout = 'shared' THEN cs.folder_name ELSE u.username || '/' || cs.folder_name END AS session,
       se.severity, se.error_type, se.error_key, se.error_message AS message, se.file_path AS file,
       se.occurred_at
FROM ims.session_errors se
JOIN ims.crawl_sessions cs ON cs.session_id = se.session_id
JOIN ims.users u ON u.user_id = cs.user_id
WHERE ($1::timestamptz IS NULL OR se.occurred_at >= $1)
  AND ($2::text IS NULL OR se.session_id::text = $2 OR cs.folder_name = $2
       OR u.username || '/' || cs.folder_name = $2)
  AND CASE se.severity WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END
      >= CASE $3::text WHEN 'error' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END
ORDER BY se.occurred_at DESC, se.session_id DESC, se.error_key;
