-- merge/105_query_history_match: the query history entries around the batch's sessions' starts
-- are matched again now that the sessions are loaded (sessions loaded after the history file,
-- or loaded again): a matching entry becomes its session's search_queries row and gives it the
-- query the user typed and the crawl's end (src/sql/migrations/0011_query_history.sql). One
-- call over the span of the batch: the match of a span is the match of every moment in it.
-- Parameters: none. Reads: stage_session, ims.crawl_sessions, ims.search_queries, ims.users.
-- Writes: ims.search_queries, ims.crawl_sessions (query columns, completed_at, duration).
SELECT ims.match_query_history(min(cs.started_at), max(cs.started_at))
FROM stage_session st
JOIN ims.crawl_sessions cs ON cs.session_id = st.session_id
HAVING count(*) > 0;
