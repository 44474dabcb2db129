-- merge/100_search_queries: the query that started each session, one row per session.
-- Parameters: none. Reads: stage_session, ims.crawl_sessions, ims.search_queries.
-- Writes: ims.search_queries.
--
-- From metadata.json search_config in the migrated layout, else from the folder name
-- (docs/input-format.md §3); results_count is the number of search results crawled.
-- The NL-parsing columns stay NULL/false here: only the query history has them. A session
-- that a query history entry describes has that entry as its row instead (merge/105).
INSERT INTO ims.search_queries AS q (
    user_id, session_id, original_query, parsed_query, query_language, product,
    results_count, queried_at)
SELECT cs.user_id, cs.session_id, cs.original_query, cs.parsed_query, cs.query_language,
       cs.product, cs.issues_crawled, cs.started_at
FROM stage_session st
JOIN ims.crawl_sessions cs ON cs.session_id = st.session_id
WHERE NOT EXISTS (SELECT FROM ims.search_queries h WHERE h.session_id = cs.session_id AND h.history_key IS NOT NULL)
ORDER BY cs.session_id
ON CONFLICT (session_id) DO UPDATE SET
    user_id = EXCLUDED.user_id,
    original_query = EXCLUDED.original_query,
    parsed_query = EXCLUDED.parsed_query,
    query_language = EXCLUDED.query_language,
    product = EXCLUDED.product,
    results_count = EXCLUDED.results_count,
    queried_at = EXCLUDED.queried_at
WHERE (q.user_id, q.original_query, q.parsed_query, q.query_language, q.product,
       q.results_count, q.queried_at)
      IS DISTINCT FROM
      (EXCLUDED.user_id, EXCLUDED.original_query, EXCLUDED.parsed_query,
       EXCLUDED.query_language, EXCLUDED.product, EXCLUDED.results_count, EXCLUDED.queried_at);
