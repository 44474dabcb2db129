-- copy/user: a copy that is not loaded (a better copy of the crawl is) still says whose crawl
-- it was: a user from a migrated copy's path replaces a default user (shared layout), in the
-- session row and its search_queries row. The user is recorded whatever, as merge/010 would.
-- Parameters: $1 session_uuid, $2 user name, $3 true when the name comes from the copy's path
-- or metadata.json (not the default user). Writes: ims.users, ims.crawl_sessions,
-- ims.search_queries.
WITH u AS (
    INSERT INTO ims.users (username) VALUES ($2)
    ON CONFLICT (username) DO UPDATE SET username = EXCLUDED.username
    RETURNING user_id
), cs AS (
    UPDATE ims.crawl_sessions s
    SET user_id = u.user_id,
        metadata = s.metadata || jsonb_build_object('user_from', 'path')
    FROM u
    WHERE $3 AND s.session_uuid = $1 AND s.metadata->>'user_from' = 'default'
    RETURNING s.session_id, s.user_id
)
UPDATE ims.search_queries q SET user_id = cs.user_id FROM cs WHERE q.session_id = cs.session_id;
