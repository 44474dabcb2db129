-- 0014_search_access: ims.search_issues for every role, within what each may read.
-- Reads/writes: redefines ims.search_term_hits (titles, descriptions, comments only) and
-- ims.search_issues; creates ims.search_attachment_hits and ims.search_attachment_text
-- (SECURITY DEFINER); grants SELECT on ims.issue_search_text to ims_user.
--
-- 0009 searched ims.attachments.extracted_text for every caller, but 0010 lets ims_user (and
-- so ims_app) read that column only for the user's own downloads, through ims.v_my_downloads:
-- a bound login got "permission denied" from every search. The rule now (docs/schema.md §3,
-- §5): issue titles, descriptions and comments are shared knowledge and searched for all; an
-- attachment's text is searched for a caller that may select attachments.extracted_text
-- (ims_readonly, ims_admin, ims_loader, the owner) in every row, and otherwise only in the
-- downloads ims.v_my_downloads shows the user the caller acts as (ims.app_user_id_of): the
-- attachment's file lies in one of that user's session folders. Snippets come from the same
-- rows, so no text a caller cannot read reaches it through a search.
--
-- Why SECURITY DEFINER functions and not the view: v_my_downloads is a security_barrier view,
-- and the bigram predicate (@@ of a plpgsql function) is not leakproof, so it could not be
-- pushed into the view and every search would read all of the user's download texts. The
-- functions run as the owner, filter by the caller's user themselves (the condition of
-- v_my_downloads, with the user of `caller`), and use the bigram index like any other field.
-- `caller` is current_user of the invoking search_issues (inside a SECURITY DEFINER function
-- current_user is the owner); as in ims.app_user_id_of, a caller the session cannot be is
-- nobody, so passing another role's name shows nothing.

-- Only the shared fields; an attachment's text is ims.search_attachment_hits' (below).
CREATE OR REPLACE FUNCTION ims.search_term_hits(pattern text, pairs tsquery, candidates bigint[] DEFAULT NULL, exact boolean DEFAULT false)
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
$$;

-- Whose attachment texts `caller` may search: every row (all_texts), else those downloaded in
-- the sessions of user_id (NULL: none). Not callable directly: it answers for any caller name.
CREATE FUNCTION ims.search_attachment_scope(caller name, OUT all_texts boolean, OUT user_id integer)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT pg_has_role(session_user, caller, 'MEMBER')
               AND has_column_privilege(caller, 'ims.attachments', 'extracted_text', 'SELECT'),
           ims.app_user_id_of(caller)
$$;
REVOKE EXECUTE ON FUNCTION ims.search_attachment_scope(name) FROM PUBLIC;

-- search_term_hits' field 4: issues with an attachment text containing the term, among the
-- texts `caller` may search. EXECUTE plans with the values, so the branch for a one-character
-- term (no pairs) or for all texts folds away and the rest is a bitmap scan of
-- idx_attachments_text_bigram, the user's sessions checked per matching row.
CREATE FUNCTION ims.search_attachment_hits(caller name, pattern text, pairs tsquery, candidates bigint[] DEFAULT NULL, exact boolean DEFAULT false)
RETURNS TABLE (issue_pk bigint, field smallint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    scope record := ims.search_attachment_scope(caller);
BEGIN
    IF NOT scope.all_texts AND scope.user_id IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        SELECT a.issue_pk, 4::smallint FROM ims.attachments a
        WHERE $2 IS NOT NULL AND ims.search_bigrams(a.extracted_text) @@ $2 AND ($4 OR a.extracted_text ILIKE $1)
          AND ($3 IS NULL OR a.issue_pk = ANY ($3))
          AND ($5 OR (a.file_path IS NOT NULL AND EXISTS (SELECT FROM ims.crawl_sessions cs
                             WHERE cs.user_id = $6 AND starts_with(a.file_path, cs.data_path || '/'))))
        UNION ALL
        SELECT a.issue_pk, 4::smallint FROM ims.attachments a
        WHERE ($2 IS NULL OR ims.search_bigrams(a.extracted_text) @@ E'''\x01'''::tsquery) AND a.extracted_text ILIKE $1
          AND ($3 IS NULL OR a.issue_pk = ANY ($3))
          AND ($5 OR (a.file_path IS NOT NULL AND EXISTS (SELECT FROM ims.crawl_sessions cs
                             WHERE cs.user_id = $6 AND starts_with(a.file_path, cs.data_path || '/'))))
    $q$ USING pattern, pairs, candidates, exact, scope.all_texts, scope.user_id;
END
$$;
COMMENT ON FUNCTION ims.search_attachment_hits(name, text, tsquery, bigint[], boolean) IS 'Issues whose attachment text matches, among the texts caller may read (all, or the downloads of v_my_downloads); called by ims.search_issues with current_user';

-- The text a snippet is cut from: of the issue's searchable attachments containing pattern,
-- the first by attachment_id.
CREATE FUNCTION ims.search_attachment_text(caller name, issue bigint, pattern text)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT a.extracted_text
    FROM ims.attachments a, ims.search_attachment_scope(caller) s
    WHERE a.issue_pk = issue AND a.extracted_text ILIKE pattern
      AND (s.all_texts OR (a.file_path IS NOT NULL AND EXISTS (SELECT FROM ims.crawl_sessions cs
                                  WHERE cs.user_id = s.user_id AND starts_with(a.file_path, cs.data_path || '/'))))
    ORDER BY a.attachment_id
    LIMIT 1
$$;
COMMENT ON FUNCTION ims.search_attachment_text(name, bigint, text) IS 'Snippet source: the first attachment text of issue containing pattern that caller may read';

-- As 0009's, with attachment texts (hits and snippets) only those the caller may read; the
-- rest unchanged. Issues containing every term of `query` (ims.search_terms), each term
-- anywhere in the title, description, a comment or an attachment's text, case-insensitively as ILIKE; optionally only
-- those of product_filter (the IMS product, case-insensitive, whole or its first words: 'OpenFrame'
-- takes 'OpenFrame Batch'), of status_filter (case-insensitive), registered in [since, until).
-- Ranked: each (term, field) found adds 1 for the title, 0.5 for the description, 0.25 for a
-- comment or attachment; ties newest registered first. The snippet is around the first term of
-- the query, in the first field it was found in (a comment: the oldest containing it).
-- Raises 22023 for a query without terms. Terms of two characters or more are found through
-- the bigram indexes; each term after the first only among the issues the others matched.
CREATE OR REPLACE FUNCTION ims.search_issues(query text, product_filter text DEFAULT NULL, status_filter text DEFAULT NULL,
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
        EXECUTE 'SELECT array_agg(issue_pk), array_agg(field) FROM (
                     SELECT issue_pk, field FROM ims.search_term_hits($1, $2, $3, $4)
                     UNION SELECT issue_pk, field FROM ims.search_attachment_hits($5, $1, $2, $3, $4)) h'
            INTO hit_pk, hit_field
            USING ims.search_like_pattern(term), ims.search_query_bigrams(term), cand, exact, current_user;
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
            ELSE ims.search_attachment_text(current_user, r.issue_pk, ims.search_like_pattern(terms[1]))
        END, terms[1]) s ON true
    ORDER BY r.score DESC, r.registered_date DESC NULLS LAST, r.issue_id DESC;
END
$$;
COMMENT ON FUNCTION ims.search_issues(text, text, text, timestamptz, timestamptz, integer) IS 'Issues containing every term of query (words, "phrases"), as ILIKE would find them, ranked, with a snippet; docs/schema.md §3';

-- Search reads the copy of titles and descriptions, shared knowledge like ims.issues (0009
-- created the table before 0010 wrote ims_user's grants). The SECURITY DEFINER functions
-- answer any role, but only the ims roles reach schema ims anyway; say so.
DO $$
DECLARE
    r record;
BEGIN
    REVOKE EXECUTE ON FUNCTION ims.search_attachment_hits(name, text, tsquery, bigint[], boolean),
        ims.search_attachment_text(name, bigint, text) FROM PUBLIC;
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('ims_user', 'ims_readonly', 'ims_admin', 'ims_loader') LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION ims.search_attachment_hits(name, text, tsquery, bigint[], boolean), '
                       'ims.search_attachment_text(name, bigint, text) TO %I', r.rolname);
    END LOOP;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_user') THEN
        GRANT SELECT ON ims.issue_search_text TO ims_user;
    END IF;
END;
$$;
