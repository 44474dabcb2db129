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
--
-- Privileges: only the tables' owner can drop and re-create their indexes, so only the owner
-- takes the bulk path (bulk-load.ts checks first). ims_loader may read the records, to say
-- that indexes are missing, and never write them: restore_deferred_index runs a recorded
-- definition with the rights of whoever calls it, the owner, so a row the loader could write
-- would be SQL the owner runs for it. The function also refuses any text that is not a
-- CREATE INDEX of that index on a table of ims or ims_ingest. Grants on
-- ims_ingest.analytics_watermark, which 0012 left to nobody though the loader writes it.

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
          AND t.relname IN ('issues', 'issue_search_text', 'issue_comments', 'issue_history', 'attachments',
                            'session_issues', 'crawl_sessions', 'search_queries', 'session_errors')
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
-- did (its DELETE holds the row, so two restorers never build the same index). A definition
-- that is not one CREATE INDEX of this index on a table of ims or ims_ingest is refused (and its
-- record kept for an operator to look at): the text is run with the caller's rights.
CREATE FUNCTION ims_ingest.restore_deferred_index(name text)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    def text;
    tbl text;
    m text[];
BEGIN
    DELETE FROM ims_ingest.deferred_indexes WHERE index_name = name RETURNING definition, table_name INTO def, tbl;
    IF def IS NULL THEN
        RETURN false;
    END IF;
    -- The shape pg_get_indexdef gives: CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING am (
    m := regexp_match(def, '^CREATE (UNIQUE )?INDEX ([a-z_][a-z0-9_]*|"(?:[^"]|"")+") ON (ONLY )?(ims|ims_ingest)\.([a-z_][a-z0-9_]*|"(?:[^"]|"")+") USING [a-z_]+ \(');
    IF m IS NULL OR m[2] <> quote_ident(name) OR m[5] <> quote_ident(tbl) OR strpos(def, ';') > 0 THEN
        RAISE EXCEPTION 'deferred index % not re-created: its recorded definition is not CREATE INDEX % ON ims.%: %',
            name, quote_ident(name), quote_ident(tbl), left(def, 200)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'check the row of ims_ingest.deferred_indexes; only the tables'' owner writes it';
    END IF;
    IF to_regclass(format('%I.%I', m[4], name)) IS NULL THEN
        EXECUTE def;
    END IF;
    RETURN true;
END
$$;

-- The loader reads the records (to warn that indexes are missing) and writes nothing here.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_loader') THEN
        GRANT SELECT ON ims_ingest.deferred_indexes TO ims_loader;
        GRANT SELECT, INSERT, UPDATE, DELETE ON ims_ingest.analytics_watermark TO ims_loader;
    END IF;
END;
$$;
