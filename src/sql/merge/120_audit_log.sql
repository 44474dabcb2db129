-- merge/120_audit_log: records that each session's content was loaded, once per distinct
-- content: a re-ingest of an unchanged folder adds nothing, a changed folder adds a row with
-- the previous and the new fingerprint.
-- Parameters: none. Reads: stage_session, ims.crawl_sessions, ims.audit_log. Writes: ims.audit_log.
INSERT INTO ims.audit_log (user_id, action, resource_type, resource_id, old_value, new_value, user_agent)
SELECT cs.user_id, 'ingest_session', 'session', cs.session_uuid,
       prev.new_value,
       jsonb_build_object('session_id', cs.session_id, 'folder', cs.folder_name,
                          'data_path', cs.data_path, 'status', cs.status,
                          'content_hash', cs.content_hash, 'issues_crawled', cs.issues_crawled,
                          'related_issues', cs.related_issues, 'failed_issues', cs.failed_issues),
       'ims-ingest'
FROM stage_session st
JOIN ims.crawl_sessions cs ON cs.session_id = st.session_id
LEFT JOIN LATERAL (
    SELECT al.new_value FROM ims.audit_log al
    WHERE al.resource_type = 'session' AND al.resource_id = cs.session_uuid
      AND al.action = 'ingest_session'
    ORDER BY al.created_at DESC, al.log_id DESC
    LIMIT 1
) prev ON true
WHERE prev.new_value->>'content_hash' IS DISTINCT FROM cs.content_hash
ORDER BY st.session_no;
