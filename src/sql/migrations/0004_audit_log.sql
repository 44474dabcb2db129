-- 0004_audit_log: the audit log, range-partitioned by quarter on created_at.
-- Reads/writes: ims.audit_log (partitioned), ims.audit_log_default, ims.audit_log_archive.
--
-- Partitioning decision (docs/schema.md §Partitioning): the seed wanted time partitions.
-- audit_log is the one table that only grows, is written append-only and is referenced by no
-- foreign key, so its primary key can include the partition key (log_id, created_at) at no
-- cost. A DEFAULT partition catches any row whose quarter has no partition yet (the seed made
-- partitions for the current month only, and with pg_cron, which a stock server lacks);
-- ims.ensure_audit_log_partition(ts) creates the quarter's partition before the loader
-- writes, moving any rows of that quarter out of DEFAULT first (so DEFAULT can be split).

CREATE TABLE ims.audit_log (
    log_id        BIGSERIAL,
    user_id       INTEGER REFERENCES ims.users (user_id),
    action        VARCHAR(100) NOT NULL,
    resource_type VARCHAR(50),
    resource_id   VARCHAR(100),
    old_value     JSONB,
    new_value     JSONB,
    ip_address    INET,
    user_agent    TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (log_id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE ims.audit_log_default PARTITION OF ims.audit_log DEFAULT;

CREATE INDEX idx_audit_user_id ON ims.audit_log (user_id);
CREATE INDEX idx_audit_action ON ims.audit_log (action);
CREATE INDEX idx_audit_resource_type ON ims.audit_log (resource_type, resource_id);
CREATE INDEX idx_audit_created_at ON ims.audit_log (created_at DESC);
COMMENT ON TABLE ims.audit_log IS 'Audit log (tracks every important operation), partitioned by quarter';

-- Old logs are archived to a separate table (seed: "audit_log - quarterly partitions").
CREATE TABLE ims.audit_log_archive (LIKE ims.audit_log INCLUDING ALL);

CREATE FUNCTION ims.ensure_audit_log_partition(ts timestamptz)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo   timestamptz := date_trunc('quarter', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    hi   timestamptz := lo + interval '3 months';
    name text := format('audit_log_%sq%s', to_char(lo AT TIME ZONE 'UTC', 'YYYY'),
                        to_char(lo AT TIME ZONE 'UTC', 'Q'));
BEGIN
    IF to_regclass(format('ims.%I', name)) IS NOT NULL THEN
        RETURN name;
    END IF;
    -- Two loaders may arrive at once: the second waits here, then finds the partition. The
    -- re-check reads pg_class with a fresh snapshot (to_regclass may answer from a cache that
    -- an advisory lock does not refresh).
    PERFORM pg_advisory_xact_lock(hashtext('ims.audit_log partitions'));
    IF EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'ims' AND c.relname = name) THEN
        RETURN name;
    END IF;
    EXECUTE format('CREATE TABLE ims.%I (LIKE ims.audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('WITH moved AS (DELETE FROM ims.audit_log_default WHERE created_at >= %L AND created_at < %L RETURNING *)
                    INSERT INTO ims.%I SELECT * FROM moved', lo, hi, name);
    EXECUTE format('ALTER TABLE ims.audit_log ATTACH PARTITION ims.%I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
    RETURN name;
END;
$$;
COMMENT ON FUNCTION ims.ensure_audit_log_partition(timestamptz) IS 'Creates the quarterly audit_log partition holding ts (idempotent, concurrency-safe)';
