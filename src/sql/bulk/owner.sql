-- bulk/owner.sql: whether the current login may take the bulk path of a backfill: only the
-- owner of the ims tables (or a member of the owning role) may drop and create their indexes,
-- and only it may record them in ims_ingest.deferred_indexes (0013_deferred_indexes.sql).
-- Parameters: none. Reads: pg_class, pg_namespace (the tables of schema ims and their owners).
SELECT current_user AS login,
       coalesce(bool_and(pg_has_role(current_user, c.relowner, 'USAGE')), false)
           AND has_table_privilege('ims_ingest.deferred_indexes', 'INSERT, DELETE') AS owner
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'ims' AND c.relkind IN ('r', 'p');
