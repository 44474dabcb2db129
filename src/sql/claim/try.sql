-- claim/try: claims one session for the calling transaction, so that several ims-ingest
-- processes on one database never load the same session at once; false when another holds it.
-- The claim ends with the transaction (commit, rollback or a lost connection).
-- Parameters: $1 session_uuid. Reads and writes: no table (an advisory lock).
SELECT pg_try_advisory_xact_lock(4201, hashtext($1::text)) AS claimed;
