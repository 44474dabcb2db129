-- merge/105_query_history_match: the query history entries around this session's start are
-- matched again now that the session is loaded (a session loaded after the history file, or
-- loaded again): the matching entry becomes the session's search_queries row and gives it
-- the query the user typed and the crawl's end (src/sql/migrations/0011_query_history.sql).
-- Parameters: $1 session_id. Reads: ims.crawl_sessions, ims.search_queries, ims.users.
-- Writes: ims.search_queries, ims.crawl_sessions (query columns, completed_at, duration).
SELECT ims.match_query_history(cs.started_at, cs.started_at)
FROM ims.crawl_sessions cs
WHERE cs.session_id = $1;
