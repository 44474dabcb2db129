-- 0011_query_history: the crawler's data/history/query_history.json and favorites.json in
-- ims.search_queries, matched to the sessions they describe (docs/input-format.md §11,
-- docs/column-mapping.md §4).
-- Reads/writes: ims.search_queries (new columns), ims.crawl_sessions (query columns and times
-- of matched sessions, through ims.match_query_history); ims.attachments gains
-- download_url_crawled_at (which crawl download_url comes from, merge/080);
-- ims_ingest.session_copies (new: the loader's bookkeeping of lesser copies, not data;
-- granted to ims_loader).
--
-- search_queries then holds two kinds of rows, one per crawl at most:
--  * a history row (history_key NOT NULL): one entry of the history files, natural key
--    `<timestamp>|<product>|<query>` as written, so an entry read again is the same row;
--    session_id is the crawl it describes, or NULL when no loaded session matches;
--  * a session row (history_key NULL): what a session's own folder says, only for a session
--    that no history row describes.
-- Matching is recomputed from what is loaded (never from load order): entry start
-- (`timestamp - execution_time`) within 10 s of the session's folder-name start, same
-- sanitised product as the folder name's prefix; each side takes its nearest candidate (ties:
-- smaller session_uuid, smaller history_key) and only mutual choices match (one-to-one).

ALTER TABLE ims.search_queries
    ADD COLUMN history_key   TEXT,
    ADD COLUMN is_favorite   BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN history_entry JSONB;
CREATE UNIQUE INDEX uq_queries_history_key ON ims.search_queries (history_key);
COMMENT ON COLUMN ims.search_queries.history_key IS 'query_history.json/favorites.json entry: timestamp|product|query as written; NULL for a row made from a session folder';
COMMENT ON COLUMN ims.search_queries.is_favorite IS 'entry is_favorite, or the entry is listed in favorites.json';
COMMENT ON COLUMN ims.search_queries.history_entry IS 'the history entry as written (all its fields), plus default_user: the user an unmatched entry is attributed to';

ALTER TABLE ims.attachments ADD COLUMN download_url_crawled_at TIMESTAMPTZ;
COMMENT ON COLUMN ims.attachments.download_url_crawled_at IS 'crawled_at of the newest listing that gave attachments[].url (download_url)';

-- The lesser copies of a crawl (src/files/crawl-copy.ts) whose issue data was merged, with
-- the fingerprint they had: an unchanged lesser copy is not read again.
CREATE TABLE ims_ingest.session_copies (
    session_uuid VARCHAR(100) NOT NULL,
    data_path    TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    loaded_at    TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (session_uuid, data_path)
);
COMMENT ON TABLE ims_ingest.session_copies IS 'Lesser copies of a crawl (a shared original of a migrated copy) and the fingerprint their issue data was merged with';
-- The loader writes it on every load (src/sql/copy/record.sql); 0010's default privileges
-- cover schema ims only, and each migration grants what it creates (docs/schema.md §5).
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_loader') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON ims_ingest.session_copies TO ims_loader;
    END IF;
END;
$$;

-- Pairs (history row, session) that describe the same crawl, for history rows whose start is
-- in [p_from - 30 s, p_to + 30 s] (exact for sessions starting in [p_from - 20 s, p_to + 20 s]).
CREATE FUNCTION ims.query_history_matches(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (query_id bigint, session_id bigint)
LANGUAGE sql STABLE AS $$
    WITH pairs AS (
        SELECT q.query_id, cs.session_id, cs.session_uuid, q.history_key,
               abs(extract(epoch FROM q.queried_at - cs.started_at)) AS dist
        FROM ims.search_queries q
        JOIN ims.crawl_sessions cs
          ON cs.started_at BETWEEN q.queried_at - interval '10 seconds' AND q.queried_at + interval '10 seconds'
         AND starts_with(cs.folder_name, regexp_replace(coalesce(q.product, ''), '[^A-Za-z0-9_-]', '_', 'g') || '_')
        WHERE q.history_key IS NOT NULL
          AND q.queried_at BETWEEN p_from - interval '30 seconds' AND p_to + interval '30 seconds'
    ),
    entry_best AS (
        SELECT DISTINCT ON (p.query_id) p.query_id, p.session_id FROM pairs p
        ORDER BY p.query_id, p.dist, p.session_uuid
    ),
    session_best AS (
        SELECT DISTINCT ON (p.session_id) p.query_id, p.session_id FROM pairs p
        ORDER BY p.session_id, p.dist, p.history_key
    )
    SELECT e.query_id, e.session_id FROM entry_best e JOIN session_best s USING (query_id, session_id)
$$;

-- Applies the matching around [p_from, p_to], after sessions starting there were loaded (or,
-- with -infinity/infinity, after the entries changed): history rows get (or lose) their
-- session, a matched session loses its session row and takes the entry's query and end time,
-- an unmatched one gets back what its folder said (crawl_sessions.metadata->'from_files').
-- A session's arrival changes the nearest session only of entries within 10 s of it, and no
-- session's nearest entry: the pairs of entries starting in [p_from - 10 s, p_to + 10 s] are
-- all that can change, and those are computed exactly (their sessions lie within 20 s, whose
-- entries within 30 s are all read). Returns the number of rows changed.
CREATE FUNCTION ims.match_query_history(p_from timestamptz, p_to timestamptz)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
    k integer;
    e_from timestamptz := p_from - interval '10 seconds';
    e_to   timestamptz := p_to + interval '10 seconds';
    s_from timestamptz := p_from - interval '20 seconds';
    s_to   timestamptz := p_to + interval '20 seconds';
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS query_match (query_id bigint PRIMARY KEY, session_id bigint UNIQUE);
    TRUNCATE query_match;
    INSERT INTO query_match
    SELECT m.query_id, m.session_id
    FROM ims.query_history_matches(p_from, p_to) m
    JOIN ims.search_queries q ON q.query_id = m.query_id
    WHERE q.queried_at BETWEEN e_from AND e_to;

    -- Entries that no longer describe their session (or whose session another entry now
    -- describes) go back to the user they were loaded for.
    UPDATE ims.search_queries q
    SET session_id = NULL,
        user_id = coalesce((SELECT u.user_id FROM ims.users u WHERE u.username = q.history_entry->>'default_user'), q.user_id)
    WHERE q.history_key IS NOT NULL AND q.session_id IS NOT NULL
      AND ((q.queried_at BETWEEN e_from AND e_to
            AND NOT EXISTS (SELECT FROM query_match m WHERE m.query_id = q.query_id AND m.session_id = q.session_id))
           OR EXISTS (SELECT FROM query_match m WHERE m.session_id = q.session_id AND m.query_id <> q.query_id));
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    DELETE FROM ims.search_queries q
    USING query_match m
    WHERE q.history_key IS NULL AND q.session_id = m.session_id;
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    UPDATE ims.search_queries q
    SET session_id = m.session_id, user_id = cs.user_id
    FROM query_match m JOIN ims.crawl_sessions cs ON cs.session_id = m.session_id
    WHERE q.query_id = m.query_id
      AND (q.session_id, q.user_id) IS DISTINCT FROM (m.session_id, cs.user_id);
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    -- The session's query columns: the entry's where one matches, else the folder's.
    UPDATE ims.crawl_sessions cs
    SET original_query = v.original_query, parsed_query = v.parsed_query,
        query_language = v.query_language, completed_at = v.completed_at,
        duration_seconds = greatest(0, round(extract(epoch FROM v.completed_at - cs.started_at)))::int
    FROM (
        SELECT c.session_id,
               coalesce(nullif(h.original_query, ''), f->>'original_query', c.original_query) AS original_query,
               coalesce(nullif(h.parsed_query, ''), f->>'parsed_query', c.parsed_query) AS parsed_query,
               coalesce(h.query_language, f->>'query_language') AS query_language,
               greatest(c.started_at, (f->>'completed_at')::timestamptz,
                        ims.crawler_ts(h.history_entry->>'timestamp')) AS completed_at
        FROM ims.crawl_sessions c
        CROSS JOIN LATERAL (SELECT c.metadata->'from_files' AS f) ff
        LEFT JOIN ims.search_queries h ON h.session_id = c.session_id AND h.history_key IS NOT NULL
        WHERE c.started_at BETWEEN s_from AND s_to AND c.metadata ? 'from_files'
    ) v
    WHERE cs.session_id = v.session_id
      AND (cs.original_query, cs.parsed_query, cs.query_language, cs.completed_at)
          IS DISTINCT FROM (v.original_query, v.parsed_query, v.query_language, v.completed_at);
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;

    -- A session no entry describes (any more) has its own row.
    INSERT INTO ims.search_queries (user_id, session_id, original_query, parsed_query, query_language,
                                    product, results_count, queried_at)
    SELECT cs.user_id, cs.session_id, cs.original_query, cs.parsed_query, cs.query_language,
           cs.product, cs.issues_crawled, cs.started_at
    FROM ims.crawl_sessions cs
    WHERE cs.started_at BETWEEN s_from AND s_to
      AND NOT EXISTS (SELECT FROM ims.search_queries q WHERE q.session_id = cs.session_id);
    GET DIAGNOSTICS k = ROW_COUNT; n := n + k;
    RETURN n;
END
$$;
COMMENT ON FUNCTION ims.match_query_history(timestamptz, timestamptz) IS 'Re-matches query history entries and sessions starting around [p_from, p_to] (docs/column-mapping.md §4)';
