-- 0013_deferred_indexes: the bulk path of a large backfill builds the secondary indexes
-- once after the load instead of maintaining them row by row, and survives a crash meanwhile.
-- Reads: pg_catalog (the ims schema's indexes). Writes: ims_ingest.deferred_indexes; drops and
-- re-creates indexes of ims tables.
--
-- Why: a backfill rewrites an issue once per crawl of it, each time through every GIN index
-- (trigram or bigram, full text, jsonb), about half of the database's work
-- (docs/performance.md); building them once over the final rows is a fraction of that, as
-- pgloader does. Deferred: every GIN index (they serve searches; no merge statement reads
-- through one) and every non-unique B-tree not leading on a foreign-key column (status,
-- product, dates, authors: filters of queries, not of the merge). Kept: unique indexes (the
-- ON CONFLICT targets) and the B-trees on issue_pk/session_id/user_id the merge statements
-- and foreign keys look rows up by. The merge results are the same with or without the
-- deferred ones; only their plans' speed would differ, and none of them uses one.
--
-- Crash safety: ims_ingest.defer_secondary_indexes() records each index's definition and drops it in
-- the caller's transaction, so either both are committed or neither; an index is restored
-- by ims_ingest.restore_deferred_index() (re-created and its record deleted, again in one
-- transaction). A backfill killed mid-load leaves the records; the next backfill (or watch)
-- re-creates every recorded index before it loads (src/db/deferred-indexes.ts).
-- All of it lives in ims_ingest, the loader's own bookkeeping schema beside its migrations,
-- not in the design's ims schema.

CREATE TABLE ims_ingest.deferred_indexes (
    index_name  text PRIMARY KEY,
    table_name  text NOT NULL,
    definition  text NOT NULL,
    deferred_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ims_ingest.deferred_indexes IS
    'Indexes of the ims schema dropped for a bulk backfill and not yet re-created; the next backfill or watch re-creates them';

-- Records and drops the deferrable indexes of the ims schema's tables; returns how many.
CREATE FUNCTION ims_ingest.defer_secondary_indexes()
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n integer := 0;
BEGIN
    FOR r IN
        SELECT c.relname AS index_name, t.relname AS table_name, pg_get_indexdef(c.oid) AS definition
        FROM pg_index x
        JOIN pg_class c ON c.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace s ON s.oid = c.relnamespace
        JOIN pg_am am ON am.oid = c.relam
        -- The tables a session's merge writes row by row (audit_log: one row per session).
        WHERE s.nspname = 'ims' AND t.relkind = 'r'
          AND t.relname IN ('issues', 'issue_comments', 'issue_history', 'attachments', 'session_issues',
                            'crawl_sessions', 'search_queries', 'session_errors')
          AND NOT x.indisunique
          AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = c.oid)
          AND (am.amname = 'gin'
               OR (am.amname = 'btree'
                   AND NOT EXISTS (SELECT FROM pg_constraint k
                                   WHERE k.contype = 'f' AND k.conrelid = x.indrelid
                                     AND k.conkey[1] = x.indkey[0])))
        ORDER BY t.relname, c.relname
    LOOP
        INSERT INTO ims_ingest.deferred_indexes (index_name, table_name, definition)
        VALUES (r.index_name, r.table_name, r.definition);
        EXECUTE format('DROP INDEX ims.%I', r.index_name);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- Re-creates one recorded index and deletes its record; false when another process already
-- did (its DELETE holds the row, so two restorers never build the same index).
CREATE FUNCTION ims_ingest.restore_deferred_index(name text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    def text;
BEGIN
    DELETE FROM ims_ingest.deferred_indexes WHERE index_name = name RETURNING definition INTO def;
    IF def IS NULL THEN
        RETURN false;
    END IF;
    IF to_regclass(format('ims.%I', name)) IS NULL THEN
        EXECUTE def;
    END IF;
    RETURN true;
END
$$;
