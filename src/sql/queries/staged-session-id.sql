-- queries/staged-session-id: the session_id of the staged session, for the one case
-- merge/020_crawl_sessions.sql returns none: its row was already exactly as staged, so the
-- conditional DO UPDATE left it alone (and returned nothing), having locked it all the same.
-- Parameters: none. Reads: stage_session, ims.crawl_sessions.
SELECT cs.session_id FROM ims.crawl_sessions cs JOIN stage_session st ON st.session_uuid = cs.session_uuid;
