-- merge/010_users: the batch's users (users/<name>/ path segment, metadata.json user_id, or --user).
-- Parameters: none. Reads: stage_session. Writes: ims.users.
INSERT INTO ims.users (username)
SELECT DISTINCT st.user_name FROM stage_session st
ORDER BY st.user_name
ON CONFLICT (username) DO NOTHING;
