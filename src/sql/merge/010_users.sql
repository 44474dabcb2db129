-- merge/010_users: the session's user (users/<name>/ path segment, metadata.json user_id, or --user).
-- Parameters: none (runs before the session has an id). Reads: stage_session. Writes: ims.users.
INSERT INTO ims.users (username)
SELECT st.user_name FROM stage_session st
ON CONFLICT (username) DO NOTHING;
