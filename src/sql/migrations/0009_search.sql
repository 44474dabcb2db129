-- 0009_search: substring search of any length over issue text, through character-bigram GIN
-- indexes built from stock PostgreSQL (no pg_bigm, no PGroonga), and ims.search_issues.
-- Reads/writes: creates ims.issue_search_text (filled from ims.issues, then kept equal to its
-- title and description by triggers), bigram GIN indexes on it, on ims.issue_comments.content
-- and ims.attachments.extracted_text; drops six 0003 indexes; creates the search functions.
--
-- How it finds everything (docs/schema.md §3): ims.search_bigrams(text) is a tsvector whose
-- lexemes are every pair of adjacent characters of lower(text) (plus its first and last
-- character). If lower(text) contains lower(q) -- which is what `text ILIKE '%q%'` tests on a
-- UTF-8 database -- then every pair of q is a pair of text, so `bigrams(text) @@ pair1 & pair2
-- & ...` never loses a match, and the exact ILIKE on the rows the index returns removes the
-- rest (a term of two characters needs no ILIKE: its one pair is the match). No word
-- splitting, no parser, no character classes: Hangul with particles glued on (에러가),
-- Japanese without spaces (エラーが), digits and symbols (ORA-600, -4041) are all pairs like
-- any other. Terms of one character have no pair and are found by ILIKE alone (a sequential
-- scan).
-- A tsvector holds at most 1 MB of lexemes (and array_to_tsvector does not check), so texts
-- over 250,000 bytes are indexed as the one key U+0001 (a character the pairs never contain):
-- every search rechecks those rows with ILIKE, so they are still found.
-- Why tsvector and not text[]: the same keys cost about 20% less CPU to index, because
-- array_to_tsvector sorts and de-duplicates them in C before GIN sees them (measured on 20,000
-- rows of bench text: 1.85 s against 2.22 s of backend CPU; trigram + 'simple' 1.83 s).
--
-- Why a side table for issues: every re-crawl rewrites the issue row (full_data changes), and
-- a rewritten row is re-entered into every index on ims.issues, whether its title changed or
-- not. ims.issue_search_text is written only when the title or description really changed
-- (trigger WHEN clause), so a re-crawl costs the bigram indexes nothing (on the 10,000-file
-- benchmark, merge/030 took 13.4 s with them, 12.7 s with no search index, 21.3 s with 0003's). Comments are updated
-- in place (HOT, 0008) unless their content changes, so their index sits on the table itself.
--
-- Dropped, because ims.search_issues (and the bigram predicate it uses) serves what they were
-- for, with exact recall, and each cost every load (docs/performance.md):
--  * idx_issues_title_trgm, idx_issues_description_trgm, idx_comments_content_trgm: pg_trgm
--    cannot serve a pattern under three characters (에러), and on a database whose LC_CTYPE is
--    C it holds no trigram of Hangul or Kana at all;
--  * idx_issues_title_simple_fts, idx_issues_description_simple_fts,
--    idx_attachments_text_simple_fts: whole-token matching misses a word glued to a particle
--    or written without spaces (773 of 1,990 issues containing 에러, 0 of 1,637 with エラー).
-- Kept: the design's 'english' full-text indexes (stemmed English search), the jsonb GIN on
-- full_data, and search_queries' trigram index (the query log is not issue text).

DROP INDEX ims.idx_issues_title_trgm, ims.idx_issues_description_trgm, ims.idx_comments_content_trgm,
    ims.idx_issues_title_simple_fts, ims.idx_issues_description_simple_fts, ims.idx_attachments_text_simple_fts;

-- '.' matches any one character (newline included) and is written twice with U+0001 between, so
-- "abc" -> "a|ab|bc|c" -> {a,ab,bc,c}. U+0001 in the text becomes U+0002 first, on both
-- sides of a comparison alike, so it cannot split a pair. octet_length reads the stored size
-- (no decompression); lower() at most doubles the bytes, so the lexemes stay under 1 MB.
-- PL/pgSQL, not an inlinable SQL function, for its COST: inlined, the planner costs the
-- expression as a few cheap operators and picks a sequential scan that computes it for every
-- row (about 100 us for 300 characters) over the bigram index; the call itself costs no more
-- (a simple expression: 2.0-2.2 s of CPU for 20,000 rows either way).
CREATE FUNCTION ims.search_bigrams(body text)
RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
BEGIN
    RETURN CASE WHEN octet_length(body) > 250000 THEN array_to_tsvector(ARRAY[E'\x01'])
                ELSE array_to_tsvector(string_to_array(regexp_replace(translate(lower(body), E'\x01', E'\x02'), '.', E'\\&\x01\\&', 'g'), E'\x01'))
           END;
END
$$;
COMMENT ON FUNCTION ims.search_bigrams(text) IS 'Index keys for substring search: every two adjacent characters of lower(body), and its first and last; the one key U+0001 for texts over 250,000 bytes';

-- The pairs a text must contain to contain q, AND'ed: search_bigrams' keys without the lone
-- first and last character (not pairs of q inside a longer text), each quoted as a tsquery
-- lexeme ('' and \ escaped; nothing is normalised). NULL when q has no pair.
CREATE FUNCTION ims.search_query_bigrams(q text)
RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN cardinality(b) > 2 THEN
               array_to_string(ARRAY(SELECT '''' || replace(replace(p, '\', '\\'), '''', '''''') || ''''
                                     FROM unnest(b[2:cardinality(b) - 1]) AS p), ' & ')::tsquery
           END
    FROM (SELECT string_to_array(regexp_replace(translate(lower(q), E'\x01', E'\x02'), '.', E'\\&\x01\\&', 'g'), E'\x01') AS b) s
$$;

-- q as a LIKE/ILIKE pattern matching it anywhere, its wildcards and escape character literal.
CREATE FUNCTION ims.search_like_pattern(q text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

CREATE TABLE ims.issue_search_text (
    issue_pk    BIGINT PRIMARY KEY REFERENCES ims.issues (issue_pk) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT
);
COMMENT ON TABLE ims.issue_search_text IS 'Copy of issues.title and description for the bigram indexes, written by triggers only when they change (0009)';

INSERT INTO ims.issue_search_text (issue_pk, title, description)
SELECT issue_pk, title, description FROM ims.issues;

CREATE FUNCTION ims.issue_search_text_sync()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ims.issue_search_text (issue_pk, title, description)
    VALUES (NEW.issue_pk, NEW.title, NEW.description)
    ON CONFLICT (issue_pk) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description;
    RETURN NULL;
END
$$;
CREATE TRIGGER trg_issues_search_text_insert AFTER INSERT ON ims.issues
    FOR EACH ROW EXECUTE FUNCTION ims.issue_search_text_sync();
CREATE TRIGGER trg_issues_search_text_update AFTER UPDATE OF title, description ON ims.issues
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION ims.issue_search_text_sync();

CREATE INDEX idx_issue_search_title_bigram ON ims.issue_search_text USING GIN (ims.search_bigrams(title));
CREATE INDEX idx_issue_search_description_bigram ON ims.issue_search_text USING GIN (ims.search_bigrams(description));
CREATE INDEX idx_comments_content_bigram ON ims.issue_comments USING GIN (ims.search_bigrams(content));
CREATE INDEX idx_attachments_text_bigram ON ims.attachments USING GIN (ims.search_bigrams(extracted_text));

-- The terms of a query, in order, each once (case-insensitively): "a quoted phrase" is one
-- term, exactly as written (an unclosed quote runs to the end); outside quotes, runs of
-- non-space characters.
CREATE FUNCTION ims.search_terms(query text)
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(t ORDER BY n), '{}')
    FROM (
        SELECT DISTINCT ON (lower(t)) t, n
        FROM (SELECT coalesce(m[1], m[2]) AS t, n
              FROM regexp_matches(coalesce(query, ''), '"([^"]*)"?|([^[:space:]"]+)', 'g') WITH ORDINALITY AS r (m, n)) a
        WHERE t <> ''
        ORDER BY lower(t), n
    ) b
$$;

-- The issues whose title (field 1), description (2), a comment (3) or an attachment's text (4)
-- contains one term. pattern: ims.search_like_pattern(term); pairs: ims.search_query_bigrams
-- (term), NULL for a term of one character (then ILIKE alone, a sequential scan);
-- candidates: only these issues (NULL: all); exact: the pairs alone decide (a term of two
-- characters: its one pair is in the index exactly when lower(text) contains it), no ILIKE.
-- A SQL function the planner inlines, so with constant arguments (EXECUTE ... USING, or
-- literals in EXPLAIN) the branches whose condition folds to false vanish and each field is a
-- bitmap scan of its bigram index, plus one for the U+0001 key of over-long texts.
CREATE FUNCTION ims.search_term_hits(pattern text, pairs tsquery, candidates bigint[] DEFAULT NULL, exact boolean DEFAULT false)
RETURNS TABLE (issue_pk bigint, field smallint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.issue_pk, 1::smallint FROM ims.issue_search_text s
    WHERE pairs IS NOT NULL AND ims.search_bigrams(s.title) @@ pairs AND (exact OR s.title ILIKE pattern)
      AND (candidates IS NULL OR s.issue_pk = ANY (candidates))
    UNION ALL
    SELECT s.issue_pk, 1::smallint FROM ims.issue_search_text s
    WHERE (pairs IS NULL OR ims.search_bigrams(s.title) @@ E'''\x01'''::tsquery) AND s.title ILIKE pattern
      AND (candidates IS NULL OR s.issue_pk = ANY (candidates))
    UNION ALL
    SELECT s.issue_pk, 2::smallint FROM ims.issue_search_text s
    WHERE pairs IS NOT NULL AND ims.search_bigrams(s.description) @@ pairs AND (exact OR s.description ILIKE pattern)
      AND (candidates IS NULL OR s.issue_pk = ANY (candidates))
    UNION ALL
    SELECT s.issue_pk, 2::smallint FROM ims.issue_search_text s
    WHERE (pairs IS NULL OR ims.search_bigrams(s.description) @@ E'''\x01'''::tsquery) AND s.description ILIKE pattern
      AND (candidates IS NULL OR s.issue_pk = ANY (candidates))
    UNION ALL
    SELECT c.issue_pk, 3::smallint FROM ims.issue_comments c
    WHERE pairs IS NOT NULL AND ims.search_bigrams(c.content) @@ pairs AND (exact OR c.content ILIKE pattern)
      AND (candidates IS NULL OR c.issue_pk = ANY (candidates))
    UNION ALL
    SELECT c.issue_pk, 3::smallint FROM ims.issue_comments c
    WHERE (pairs IS NULL OR ims.search_bigrams(c.content) @@ E'''\x01'''::tsquery) AND c.content ILIKE pattern
      AND (candidates IS NULL OR c.issue_pk = ANY (candidates))
    UNION ALL
    SELECT a.issue_pk, 4::smallint FROM ims.attachments a
    WHERE pairs IS NOT NULL AND ims.search_bigrams(a.extracted_text) @@ pairs AND (exact OR a.extracted_text ILIKE pattern)
      AND (candidates IS NULL OR a.issue_pk = ANY (candidates))
    UNION ALL
    SELECT a.issue_pk, 4::smallint FROM ims.attachments a
    WHERE (pairs IS NULL OR ims.search_bigrams(a.extracted_text) @@ E'''\x01'''::tsquery) AND a.extracted_text ILIKE pattern
      AND (candidates IS NULL OR a.issue_pk = ANY (candidates))
$$;

-- About `width` characters either side of the first occurrence of term in body, whitespace
-- runs shown as one space; match_start/match_length locate the occurrence in the snippet.
CREATE FUNCTION ims.search_snippet(body text, term text, width integer DEFAULT 40,
    OUT snippet text, OUT match_start integer, OUT match_length integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pre || hit || post, length(pre) + 1, length(hit)
    FROM (SELECT strpos(lower(body), lower(term)) AS p, length(term) AS n) a,
    LATERAL (SELECT greatest(a.p - width, 1) AS s) b,
    LATERAL (SELECT
        CASE WHEN b.s > 1 THEN '…' ELSE '' END || regexp_replace(substr(body, b.s, a.p - b.s), '\s+', ' ', 'g') AS pre,
        regexp_replace(substr(body, a.p, a.n), '\s+', ' ', 'g') AS hit,
        regexp_replace(substr(body, a.p + a.n, width), '\s+', ' ', 'g') || CASE WHEN a.p + a.n + width <= length(body) THEN '…' ELSE '' END AS post) c
    WHERE a.p > 0
$$;

-- Issues containing every term of `query` (ims.search_terms), each term anywhere in the title,
-- description, a comment or an attachment's text, case-insensitively as ILIKE; optionally only
-- those of product_filter (the IMS product, case-insensitive, whole or its first words: 'OpenFrame'
-- takes 'OpenFrame Batch'), of status_filter (case-insensitive), registered in [since, until).
-- Ranked: each (term, field) found adds 1 for the title, 0.5 for the description, 0.25 for a
-- comment or attachment; ties newest registered first. The snippet is around the first term of
-- the query, in the first field it was found in (a comment: the oldest containing it).
-- Raises 22023 for a query without terms. Terms of two characters or more are found through
-- the bigram indexes; each term after the first only among the issues the others matched.
CREATE FUNCTION ims.search_issues(query text, product_filter text DEFAULT NULL, status_filter text DEFAULT NULL,
    since timestamptz DEFAULT NULL, until timestamptz DEFAULT NULL, max_results integer DEFAULT 50)
RETURNS TABLE (issue_id varchar, title text, status text, product text, registered_date timestamptz,
    matched_in text[], snippet text, match_start integer, match_length integer, rank real)
-- No parallel plans: the statements are index scans of a few milliseconds, and starting
-- workers took longer than that (15 ms of 52 for 에러 on the 3,000-file benchmark).
LANGUAGE plpgsql STABLE SET max_parallel_workers_per_gather = 0 AS $$
#variable_conflict use_column
DECLARE
    terms text[] := ims.search_terms(query);
    k bigint;
    term text;
    exact boolean;
    hit_pk bigint[];
    hit_field smallint[];
    cand bigint[];
    all_pk bigint[] := '{}';
    all_field smallint[] := '{}';
    all_k bigint[] := '{}';
BEGIN
    IF cardinality(terms) = 0 THEN
        RAISE EXCEPTION 'empty search query: give a word or a "quoted phrase"' USING ERRCODE = '22023';
    END IF;
    -- Longest (most selective) terms first; EXECUTE plans each with its values, so the
    -- planner sees the pairs and picks the bigram indexes.
    FOR k, term IN SELECT n, t FROM unnest(terms) WITH ORDINALITY AS u (t, n) ORDER BY length(t) DESC, n LOOP
        -- ILIKE on a UTF-8 database is lower(text) LIKE lower(pattern), so a pair found is a
        -- match (unless U+0001/U+0002, which search_bigrams folds together, are in the term).
        exact := getdatabaseencoding() = 'UTF8' AND length(lower(term)) = 2 AND term !~ E'[\x01\x02]';
        EXECUTE 'SELECT array_agg(issue_pk), array_agg(field) FROM (SELECT DISTINCT issue_pk, field FROM ims.search_term_hits($1, $2, $3, $4)) h'
            INTO hit_pk, hit_field
            USING ims.search_like_pattern(term), ims.search_query_bigrams(term), cand, exact;
        IF hit_pk IS NULL THEN
            RETURN;
        END IF;
        cand := ARRAY(SELECT DISTINCT x FROM unnest(hit_pk) AS x);
        all_pk := all_pk || hit_pk;
        all_field := all_field || hit_field;
        all_k := all_k || array_fill(k, ARRAY[cardinality(hit_pk)]);
    END LOOP;

    RETURN QUERY
    WITH per_issue AS (
        SELECT h.pk,
               sum(CASE h.f WHEN 1 THEN 1.0 WHEN 2 THEN 0.5 ELSE 0.25 END)::real AS score,
               array_agg(DISTINCT h.f) AS fields,
               min(h.f) FILTER (WHERE h.k = 1) AS first_field
        FROM unnest(all_pk, all_field, all_k) AS h (pk, f, k)
        JOIN unnest(cand) AS c (pk) ON c.pk = h.pk     -- a hash join; `= ANY (cand)` scans the array per row
        GROUP BY h.pk
    ), ranked AS (
        SELECT i.issue_pk, i.issue_id, i.title, i.description, i.status, i.product, i.registered_date,
               p.score, p.fields, p.first_field
        FROM per_issue p
        JOIN ims.issues i ON i.issue_pk = p.pk
        WHERE (product_filter IS NULL OR lower(i.product) = lower(product_filter)
               OR lower(i.product) LIKE replace(replace(replace(lower(product_filter), '\', '\\'), '%', '\%'), '_', '\_') || ' %')
          AND (status_filter IS NULL OR lower(i.status) = lower(status_filter))
          AND (since IS NULL OR i.registered_date >= since)
          AND (until IS NULL OR i.registered_date < until)
        ORDER BY p.score DESC, i.registered_date DESC NULLS LAST, i.issue_id DESC
        LIMIT max_results
    )
    SELECT r.issue_id, r.title, r.status, r.product, r.registered_date,
           ARRAY(SELECT (ARRAY['title', 'description', 'comment', 'attachment'])[f] FROM unnest(r.fields) AS f ORDER BY f),
           s.snippet, s.match_start, s.match_length, r.score
    FROM ranked r
    LEFT JOIN LATERAL ims.search_snippet(
        CASE r.first_field
            WHEN 1 THEN r.title
            WHEN 2 THEN r.description
            WHEN 3 THEN (SELECT c.content FROM ims.issue_comments c
                         WHERE c.issue_pk = r.issue_pk AND c.content ILIKE ims.search_like_pattern(terms[1])
                         ORDER BY c.commented_at NULLS LAST, c.comment_id LIMIT 1)
            ELSE (SELECT a.extracted_text FROM ims.attachments a
                  WHERE a.issue_pk = r.issue_pk AND a.extracted_text ILIKE ims.search_like_pattern(terms[1])
                  ORDER BY a.attachment_id LIMIT 1)
        END, terms[1]) s ON true
    ORDER BY r.score DESC, r.registered_date DESC NULLS LAST, r.issue_id DESC;
END
$$;
COMMENT ON FUNCTION ims.search_issues(text, text, text, timestamptz, timestamptz, integer) IS 'Issues containing every term of query (words, "phrases"), as ILIKE would find them, ranked, with a snippet; docs/schema.md §3';
