-- history/user: the user that history entries no session describes are attributed to (the
-- history files name no user: --user / IMS_USER, default unknown).
-- Parameters: $1 user name. Writes: ims.users.
INSERT INTO ims.users (username) VALUES ($1) ON CONFLICT (username) DO NOTHING;
