-- copy/lock: serialises the loads of one crawl (its copies may be loaded at the same time on
-- other connections) until the end of the transaction. Run before copy/rank.sql, as its own
-- statement, so that statement's snapshot sees what a load that held the lock committed.
-- Parameters: $1 session_uuid. Reads/writes: an advisory lock only.
SELECT pg_advisory_xact_lock(hashtextextended('ims-ingest crawl ' || $1, 0));
