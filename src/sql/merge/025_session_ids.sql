-- merge/025_session_ids: each staged session's crawl_sessions.session_id, for every later
-- statement (a row 020 left alone because it was already as staged, and the row of a lesser
-- copy, which 020 does not write, have one too).
-- Parameters: none. Reads: ims.crawl_sessions. Writes: stage_session.session_id.
UPDATE stage_session st
SET session_id = cs.session_id
FROM ims.crawl_sessions cs
WHERE cs.session_uuid = st.session_uuid;
