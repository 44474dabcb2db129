-- claim/wait: as claim/try, but waits until the process holding the session's claim is done.
-- Parameters: $1 session_uuid. Reads and writes: no table (an advisory lock).
SELECT true AS claimed FROM (SELECT pg_advisory_xact_lock(4201, hashtext($1::text))) AS waited;
