-- 0010_isolation: whose request it is, row-level security on every per-user table, views that
-- obey it, and least privilege for every role.
-- Reads/writes: roles ims_app, ims_loader (created); column ims.users.db_role; functions
-- ims.app_user_id_of, ims.current_app_user_id; policies and grants on every table, view,
-- sequence and function of schema ims; grants on ims_ingest.migrations.
--
-- Identity (docs/schema.md §5): a login bound to one ims.users row through users.db_role
-- acts as that user, whatever it sets; a member of ims_app (a trusted web backend) acts for
-- the user named by app.current_user_id, set per transaction; anyone else is nobody (NULL)
-- and sees no per-user row. 0006 read the setting for every ims_user login, so any login
-- could become anyone with set_config.
--
-- Decisions:
--  * Per-user tables (RLS, ENABLE + FORCE): users (own row), crawl_sessions, search_queries,
--    audit_log, analytics_daily/monthly (own user_id; the all-users rows, user_id NULL, hold
--    other users' queries and totals and are not shown), session_issues and session_errors
--    (through their session). ims_admin, ims_loader and ims_readonly see every row; the
--    owner (the migrating role) keeps its own policy, as in 0006.
--  * attachments: a row is part of its issue (shared knowledge), but the download (file_path,
--    extracted_text, ...) came from one user's session folder, and no column says which
--    session downloaded it. ims_user gets SELECT on the listing columns only, and its own
--    downloads through ims.v_my_downloads.
--  * ims_user (and ims_app) write nothing: every row is a mirror of the crawler's files, the
--    loader rewrites it on the next ingest, and "the database equals the files" would break.
--  * audit_log partitions (audit_log_default, audit_log_YYYYqN) are granted to nobody but
--    the reading/administering roles: RLS binds queries through the parent only.
--  * Views run as their caller (security_invoker), so they show what the caller may see;
--    v_my_downloads alone runs as its owner and filters by the caller itself.
--  * Default privileges: tables created later by the migrating role are granted to
--    ims_readonly (SELECT), ims_admin and ims_loader (SELECT, INSERT, UPDATE, DELETE); never to
--    ims_user, whose grants and policies each migration writes explicitly.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_app') THEN
        CREATE ROLE ims_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_loader') THEN
        CREATE ROLE ims_loader NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'roles ims_app, ims_loader not created (%): see docs/schema.md', SQLERRM;
END;
$$;

ALTER TABLE ims.users ADD COLUMN db_role name CONSTRAINT uq_users_db_role UNIQUE;
COMMENT ON COLUMN ims.users.db_role IS 'Database login that acts as this user (ims.current_app_user_id); NULL: none';

-- The caller's user: `caller` is passed by ims.current_app_user_id as current_user, which
-- inside this SECURITY DEFINER function would be its owner. A caller may only ask about a
-- role its session can be, so nobody learns another login's binding.
CREATE FUNCTION ims.app_user_id_of(caller name)
RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN NOT pg_has_role(session_user, caller, 'MEMBER') THEN NULL
        ELSE coalesce(
            (SELECT u.user_id FROM ims.users u WHERE u.db_role = caller),
            (SELECT u.user_id FROM ims.users u WHERE u.db_role = session_user),
            CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_app')
                  AND pg_has_role(caller, 'ims_app', 'MEMBER')
                  AND current_setting('app.current_user_id', true) ~ '^\s*[0-9]{1,9}\s*$'
                 THEN btrim(current_setting('app.current_user_id', true))::integer
            END)
    END
$$;
COMMENT ON FUNCTION ims.app_user_id_of(name) IS 'The ims.users.user_id role `caller` acts as (see ims.current_app_user_id)';

CREATE FUNCTION ims.current_app_user_id()
RETURNS integer
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT ims.app_user_id_of(current_user)
$$;
COMMENT ON FUNCTION ims.current_app_user_id() IS 'User the current role acts as: its db_role binding, else app.current_user_id for ims_app members, else NULL';

-- The partition function creates and attaches tables, which only the owner may; it now runs
-- as its owner, so ims_admin and ims_loader call it without owning anything.
ALTER FUNCTION ims.ensure_audit_log_partition(timestamptz) SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION ims.ensure_audit_log_partition(timestamptz) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ims.refresh_analytics(text) FROM PUBLIC;

DROP POLICY IF EXISTS user_sessions_policy ON ims.crawl_sessions;

DO $$
DECLARE
    mine constant text := '(SELECT ims.current_app_user_id())';
    by_session constant text :=
        'session_id IN (SELECT cs.session_id FROM ims.crawl_sessions cs WHERE cs.user_id = (SELECT ims.current_app_user_id()))';
    t record;
    has_user boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_user');
    has_admin boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_admin');
    has_readonly boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_readonly');
    has_loader boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_loader');
BEGIN
    FOR t IN SELECT * FROM (VALUES
        ('users', 'user_id = ' || mine),
        ('crawl_sessions', 'user_id = ' || mine),
        ('search_queries', 'user_id = ' || mine),
        ('audit_log', 'user_id = ' || mine),
        ('analytics_daily', 'user_id = ' || mine),
        ('analytics_monthly', 'user_id = ' || mine),
        ('session_issues', by_session),
        ('session_errors', by_session)) AS v (tbl, own)
    LOOP
        EXECUTE format('ALTER TABLE ims.%I ENABLE ROW LEVEL SECURITY', t.tbl);
        EXECUTE format('ALTER TABLE ims.%I FORCE ROW LEVEL SECURITY', t.tbl);
        IF t.tbl <> 'crawl_sessions' THEN  -- 0006 made these three on crawl_sessions
            EXECUTE format('CREATE POLICY owner_all ON ims.%I FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true)', t.tbl);
            IF has_admin THEN
                EXECUTE format('CREATE POLICY admin_all ON ims.%I FOR ALL TO ims_admin USING (true) WITH CHECK (true)', t.tbl);
            END IF;
            IF has_readonly THEN
                EXECUTE format('CREATE POLICY readonly_all ON ims.%I FOR SELECT TO ims_readonly USING (true)', t.tbl);
            END IF;
        END IF;
        IF has_loader THEN
            EXECUTE format('CREATE POLICY loader_all ON ims.%I FOR ALL TO ims_loader USING (true) WITH CHECK (true)', t.tbl);
        END IF;
        IF has_user THEN
            EXECUTE format('CREATE POLICY user_own_rows ON ims.%I FOR SELECT TO ims_user USING (%s)', t.tbl, t.own);
        END IF;
    END LOOP;
END;
$$;

-- Every view obeys the caller's policies (a materialized view cannot: no user reads one, below).
DO $$
DECLARE
    v record;
BEGIN
    FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'ims' AND c.relkind = 'v' ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER VIEW ims.%I SET (security_invoker = true)', v.relname);
    END LOOP;
END;
$$;

-- A user's own downloads: the attachment columns ims_user may not select, for the rows whose
-- file lies in one of the user's session folders (merge/080 writes file_path as the
-- session's data_path || '/' || the file's path in it). The one view that runs with its
-- owner's rights, so it can show those columns; security_barrier keeps a caller's functions
-- from seeing rows before the filter. Only the newest download of an attachment is kept, so
-- one downloaded later in another user's session is not shown here.
CREATE VIEW ims.v_my_downloads WITH (security_barrier = true) AS
SELECT a.attachment_id, a.issue_pk, i.issue_id, a.filename, a.file_size, a.file_path,
       a.extracted_text, a.download_crawled_at, cs.session_id
FROM ims.attachments a
JOIN ims.issues i ON i.issue_pk = a.issue_pk
JOIN ims.crawl_sessions cs ON starts_with(a.file_path, cs.data_path || '/')
WHERE a.file_path IS NOT NULL
  AND cs.user_id = (SELECT ims.current_app_user_id());
COMMENT ON VIEW ims.v_my_downloads IS 'Attachments downloaded in the calling user''s sessions, with file_path and extracted_text';

-- Each role is handled if it exists, on its own: a role missing (no CREATEROLE) must not
-- leave another role with 0006's grants.
DO $$
DECLARE
    v record;
    has_user boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_user');
    has_app boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_app');
    has_readonly boolean := EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_readonly');
BEGIN
    -- 0006 gave ims_user read and write on everything, ims_admin ALL (TRUNCATE, which skips
    -- RLS, and CREATE on the schema), and the same on every future table.
    FOR v IN SELECT rolname FROM pg_roles WHERE rolname IN ('ims_user', 'ims_admin', 'ims_readonly') LOOP
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA ims FROM %I', v.rolname);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA ims FROM %I', v.rolname);
        EXECUTE format('REVOKE CREATE ON SCHEMA ims FROM %I', v.rolname);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA ims REVOKE ALL ON TABLES FROM %I', v.rolname);
    END LOOP;

    IF has_readonly THEN
        GRANT USAGE ON SCHEMA ims TO ims_readonly;
        GRANT SELECT ON ALL TABLES IN SCHEMA ims TO ims_readonly;
        ALTER DEFAULT PRIVILEGES IN SCHEMA ims GRANT SELECT ON TABLES TO ims_readonly;
    END IF;

    FOR v IN SELECT rolname FROM pg_roles WHERE rolname IN ('ims_admin', 'ims_loader') LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA ims TO %I', v.rolname);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ims TO %I', v.rolname);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ims TO %I', v.rolname);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA ims GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', v.rolname);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA ims GRANT USAGE, SELECT ON SEQUENCES TO %I', v.rolname);
        EXECUTE format('GRANT EXECUTE ON FUNCTION ims.ensure_audit_log_partition(timestamptz), ims.refresh_analytics(text) TO %I', v.rolname);
        -- ims-ingest checks the migration versions before every command.
        EXECUTE format('GRANT USAGE ON SCHEMA ims_ingest TO %I', v.rolname);
        EXECUTE format('GRANT SELECT ON ims_ingest.migrations TO %I', v.rolname);
    END LOOP;

    IF has_user THEN
        GRANT USAGE ON SCHEMA ims TO ims_user;
        GRANT SELECT ON ims.users, ims.crawl_sessions, ims.search_queries, ims.audit_log,
            ims.analytics_daily, ims.analytics_monthly, ims.session_issues, ims.session_errors,
            ims.issues, ims.issue_comments, ims.issue_history TO ims_user;
        GRANT SELECT (attachment_id, issue_pk, filename, file_type, file_size, size_text, file_id,
            attachment_key, source_crawled_at, created_at) ON ims.attachments TO ims_user;
        FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'ims' AND c.relkind = 'v'
        LOOP
            EXECUTE format('GRANT SELECT ON ims.%I TO ims_user', v.relname);
        END LOOP;
    END IF;
    FOR v IN SELECT c.relname, r.rolname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             CROSS JOIN pg_roles r
             WHERE n.nspname = 'ims' AND c.relkind = 'm' AND r.rolname IN ('ims_user', 'ims_app')
    LOOP
        EXECUTE format('REVOKE ALL ON ims.%I FROM %I', v.relname, v.rolname);
    END LOOP;

    -- ims_app is an ims_user that chooses, per transaction, whom it serves.
    IF has_user AND has_app THEN
        BEGIN
            GRANT ims_user TO ims_app;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'ims_user not granted to ims_app (%): GRANT ims_user TO ims_app by hand', SQLERRM;
        END;
    END IF;

    -- Staging tables are TEMPORARY (PUBLIC has TEMPORARY by default; say it for the loader).
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_loader') THEN
        BEGIN
            EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO ims_loader', current_database());
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE WARNING 'TEMPORARY on database % not granted to ims_loader (%)', current_database(), SQLERRM;
        END;
    END IF;
END;
$$;
