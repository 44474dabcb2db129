-- 0006_security: the seed's roles, grants and row-level security, made to run.
-- Reads/writes: roles ims_admin, ims_user, ims_readonly; grants on schema ims; RLS on
-- ims.crawl_sessions.
--
-- Roles are cluster-wide: they are created only if missing, so a second database (or a
-- test's copy) migrates cleanly. A login without CREATEROLE gets a warning and no roles
-- rather than a failed migration; the grants below are then skipped the same way.
--
-- Fixes against the seed's RLS: current_setting('app.current_user_id') raised an error when
-- the setting was unset; it is now read with missing_ok, and an unset or empty setting sees
-- no rows. The policy did not bind the table owner; FORCE ROW LEVEL SECURITY now makes it
-- apply to everyone, and explicit policies give the loader (the role that ran this
-- migration), ims_admin and ims_readonly the whole table.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_admin') THEN
        CREATE ROLE ims_admin NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_user') THEN
        CREATE ROLE ims_user NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_readonly') THEN
        CREATE ROLE ims_readonly NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'ims roles not created (%): grant them by hand, see docs/schema.md', SQLERRM;
END;
$$;

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_admin') THEN
        GRANT ALL ON SCHEMA ims TO ims_admin;
        GRANT ALL ON ALL TABLES IN SCHEMA ims TO ims_admin;
        GRANT ALL ON ALL SEQUENCES IN SCHEMA ims TO ims_admin;
        ALTER DEFAULT PRIVILEGES IN SCHEMA ims GRANT ALL ON TABLES TO ims_admin;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_user') THEN
        GRANT USAGE ON SCHEMA ims TO ims_user;
        GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA ims TO ims_user;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA ims TO ims_user;
        ALTER DEFAULT PRIVILEGES IN SCHEMA ims GRANT SELECT, INSERT, UPDATE ON TABLES TO ims_user;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_readonly') THEN
        GRANT USAGE ON SCHEMA ims TO ims_readonly;
        GRANT SELECT ON ALL TABLES IN SCHEMA ims TO ims_readonly;
        ALTER DEFAULT PRIVILEGES IN SCHEMA ims GRANT SELECT ON TABLES TO ims_readonly;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'ims grants not made (%): see docs/schema.md', SQLERRM;
END;
$$;

ALTER TABLE ims.crawl_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE ims.crawl_sessions FORCE ROW LEVEL SECURITY;

-- The loader: whoever applies the migrations owns the tables and loads them.
CREATE POLICY loader_all_policy ON ims.crawl_sessions
    FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);

DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_user') THEN
        CREATE POLICY user_sessions_policy ON ims.crawl_sessions
            FOR ALL TO ims_user
            USING (user_id = nullif(current_setting('app.current_user_id', true), '')::integer)
            WITH CHECK (user_id = nullif(current_setting('app.current_user_id', true), '')::integer);
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_admin') THEN
        CREATE POLICY admin_sessions_policy ON ims.crawl_sessions
            FOR ALL TO ims_admin USING (true) WITH CHECK (true);
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_readonly') THEN
        CREATE POLICY readonly_sessions_policy ON ims.crawl_sessions
            FOR SELECT TO ims_readonly USING (true);
    END IF;
END;
$$;
