-- stage/session-id: the session_id of the staged session (after merge/020_crawl_sessions.sql).
-- Reads: stage_session, ims.crawl_sessions.
SELECT cs.session_id FROM ims.crawl_sessions cs JOIN stage_session st ON st.session_uuid = cs.session_uuid;
