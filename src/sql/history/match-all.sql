-- history/match-all: every history entry matched again against every loaded session, after
-- the history files were read (src/sql/migrations/0011_query_history.sql).
-- Parameters: none. Reads/writes: see ims.match_query_history.
SELECT ims.match_query_history('-infinity', 'infinity') AS changed;
