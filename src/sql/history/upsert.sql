-- history/upsert: the entries of query_history.json and favorites.json, one search_queries row
-- per entry, keyed by history_key (`<timestamp>|<product>|<query>`), so reading the files
-- again (they are rewritten whole after every crawl) updates rows and never adds one twice.
-- An entry that left the files keeps its row (the crawler may trim its history).
-- queried_at is the crawl's start, `timestamp - execution_time` (timestamp is the end).
-- session_id is left to ims.match_query_history (history/match-all.sql), run next.
-- Parameters: $1 json array of src/files/query-history.ts HistoryEntry, $2 the default user.
-- Reads: ims.users. Writes: ims.search_queries.
INSERT INTO ims.search_queries AS q (
    user_id, original_query, parsed_query, query_language, product, results_count,
    parsing_method, parsing_confidence, queried_at, history_key, is_favorite, history_entry)
SELECT u.user_id, e.original_query, e.parsed_query, e.query_language, e.product, e.results_count,
       e.parsing_method, e.parsing_confidence,
       ims.crawler_ts(e.timestamp) - make_interval(secs => e.execution_time),
       e.history_key, e.is_favorite, e.entry || jsonb_build_object('default_user', $2::text)
FROM jsonb_to_recordset($1::jsonb) AS e(
    history_key text, original_query text, parsed_query text, query_language text, product text,
    parsing_method text, parsing_confidence numeric, results_count integer, "timestamp" text,
    execution_time double precision, is_favorite boolean, entry jsonb)
JOIN ims.users u ON u.username = $2::text
WHERE ims.crawler_ts(e.timestamp) IS NOT NULL
ON CONFLICT (history_key) DO UPDATE SET
    user_id = CASE WHEN q.session_id IS NULL THEN EXCLUDED.user_id ELSE q.user_id END,
    original_query = EXCLUDED.original_query,
    parsed_query = EXCLUDED.parsed_query,
    query_language = EXCLUDED.query_language,
    product = EXCLUDED.product,
    results_count = EXCLUDED.results_count,
    parsing_method = EXCLUDED.parsing_method,
    parsing_confidence = EXCLUDED.parsing_confidence,
    queried_at = EXCLUDED.queried_at,
    is_favorite = EXCLUDED.is_favorite,
    history_entry = EXCLUDED.history_entry
WHERE (q.user_id, q.original_query, q.parsed_query, q.query_language, q.product, q.results_count,
       q.parsing_method, q.parsing_confidence, q.queried_at, q.is_favorite, q.history_entry)
      IS DISTINCT FROM
      (CASE WHEN q.session_id IS NULL THEN EXCLUDED.user_id ELSE q.user_id END,
       EXCLUDED.original_query, EXCLUDED.parsed_query, EXCLUDED.query_language, EXCLUDED.product,
       EXCLUDED.results_count, EXCLUDED.parsing_method, EXCLUDED.parsing_confidence,
       EXCLUDED.queried_at, EXCLUDED.is_favorite, EXCLUDED.history_entry);
