-- 0007_analytics: ims.refresh_analytics(tz) recomputes analytics_daily and analytics_monthly
-- from crawl_sessions, session_issues, issues and search_queries.
-- Parameters: tz, the zone whose calendar days and months the statistics use.
-- Reads: crawl_sessions, session_issues, issues, search_queries. Writes: analytics_daily,
-- analytics_monthly (upsert, then delete rows whose day/month no longer has sessions).
--
-- Fixes against the seed's aggregate_daily_stats(): it summed issues_crawled over the join
-- with session_issues (each session counted once per issue) and looked at "yesterday" only,
-- from pg_cron, which a stock server lacks. This recomputes every day and month in one
-- set-based pass: session figures and issue figures are aggregated separately and joined, so
-- nothing fans out, and the result depends only on the data, never on when or in which order
-- sessions were loaded. ims-ingest runs it after each backfill/watch batch; `ims-ingest
-- analytics` runs it on demand (cron). Rows with user_id NULL are the all-users totals.

CREATE FUNCTION ims.refresh_analytics(tz text DEFAULT 'Asia/Seoul')
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- One refresh at a time; the statements below then read everything committed before.
    PERFORM pg_advisory_xact_lock(hashtext('ims.refresh_analytics'));

    WITH s AS (
        SELECT cs.*, (cs.started_at AT TIME ZONE tz)::date AS d
        FROM ims.crawl_sessions cs
    ), sess AS (
        SELECT user_id, d,
               count(*) AS sessions_count,
               count(*) FILTER (WHERE status = 'completed') AS successful_sessions,
               count(*) FILTER (WHERE status = 'failed') AS failed_sessions,
               sum(issues_crawled) AS issues_crawled,
               sum(attachments_downloaded) AS attachments_downloaded,
               round(avg(duration_seconds))::int AS avg_session_duration_sec,
               round(avg(issues_crawled), 2) AS avg_issues_per_session
        FROM s
        GROUP BY GROUPING SETS ((user_id, d), (d))
    ), prod AS (
        SELECT user_id, d, jsonb_object_agg(product, n ORDER BY product) AS product_stats
        FROM (SELECT user_id, d, product, count(*) AS n FROM s
              GROUP BY GROUPING SETS ((user_id, d, product), (d, product))) p
        GROUP BY user_id, d
    ), q AS (
        SELECT user_id, d,
               jsonb_agg(jsonb_build_object('query', original_query, 'count', n)
                         ORDER BY n DESC, original_query) FILTER (WHERE rk <= 5) AS top_queries
        FROM (SELECT user_id, d, original_query, n,
                     row_number() OVER (PARTITION BY user_id, d ORDER BY n DESC, original_query) AS rk
              FROM (SELECT user_id, d, original_query, count(*) AS n FROM s
                    GROUP BY GROUPING SETS ((user_id, d, original_query), (d, original_query))) g) r
        GROUP BY user_id, d
    ), iss AS (
        SELECT s.user_id, s.d,
               count(DISTINCT si.issue_pk) AS unique_issues,
               count(DISTINCT si.issue_pk) FILTER (
                   WHERE (i.first_crawled_at AT TIME ZONE tz)::date = s.d) AS new_issues
        FROM s
        JOIN ims.session_issues si ON si.session_id = s.session_id
        JOIN ims.issues i ON i.issue_pk = si.issue_pk
        GROUP BY GROUPING SETS ((s.user_id, s.d), (s.d))
    )
    INSERT INTO ims.analytics_daily AS a (
        user_id, stat_date, sessions_count, successful_sessions, failed_sessions,
        issues_crawled, unique_issues, new_issues, attachments_downloaded,
        avg_session_duration_sec, avg_issues_per_session, product_stats, top_queries)
    SELECT sess.user_id, sess.d, sess.sessions_count, sess.successful_sessions, sess.failed_sessions,
           sess.issues_crawled, coalesce(iss.unique_issues, 0), coalesce(iss.new_issues, 0),
           sess.attachments_downloaded, sess.avg_session_duration_sec, sess.avg_issues_per_session,
           prod.product_stats, q.top_queries
    FROM sess
    LEFT JOIN iss ON iss.d = sess.d AND iss.user_id IS NOT DISTINCT FROM sess.user_id
    LEFT JOIN prod ON prod.d = sess.d AND prod.user_id IS NOT DISTINCT FROM sess.user_id
    LEFT JOIN q ON q.d = sess.d AND q.user_id IS NOT DISTINCT FROM sess.user_id
    ORDER BY sess.user_id NULLS FIRST, sess.d
    ON CONFLICT (user_id, stat_date) DO UPDATE SET
        sessions_count = EXCLUDED.sessions_count,
        successful_sessions = EXCLUDED.successful_sessions,
        failed_sessions = EXCLUDED.failed_sessions,
        issues_crawled = EXCLUDED.issues_crawled,
        unique_issues = EXCLUDED.unique_issues,
        new_issues = EXCLUDED.new_issues,
        attachments_downloaded = EXCLUDED.attachments_downloaded,
        avg_session_duration_sec = EXCLUDED.avg_session_duration_sec,
        avg_issues_per_session = EXCLUDED.avg_issues_per_session,
        product_stats = EXCLUDED.product_stats,
        top_queries = EXCLUDED.top_queries
    WHERE (a.sessions_count, a.successful_sessions, a.failed_sessions, a.issues_crawled,
           a.unique_issues, a.new_issues, a.attachments_downloaded, a.avg_session_duration_sec,
           a.avg_issues_per_session, a.product_stats, a.top_queries)
          IS DISTINCT FROM
          (EXCLUDED.sessions_count, EXCLUDED.successful_sessions, EXCLUDED.failed_sessions,
           EXCLUDED.issues_crawled, EXCLUDED.unique_issues, EXCLUDED.new_issues,
           EXCLUDED.attachments_downloaded, EXCLUDED.avg_session_duration_sec,
           EXCLUDED.avg_issues_per_session, EXCLUDED.product_stats, EXCLUDED.top_queries);

    DELETE FROM ims.analytics_daily a
    WHERE NOT EXISTS (
        SELECT FROM ims.crawl_sessions cs
        WHERE (cs.started_at AT TIME ZONE tz)::date = a.stat_date
          AND (a.user_id IS NULL OR cs.user_id = a.user_id));

    WITH s AS (
        SELECT cs.*, extract(year FROM cs.started_at AT TIME ZONE tz)::int AS y,
               extract(month FROM cs.started_at AT TIME ZONE tz)::int AS m
        FROM ims.crawl_sessions cs
    ), sess AS (
        SELECT user_id, y, m,
               count(*) AS total_sessions,
               round(count(*)::numeric / extract(day FROM (make_date(y, m, 1) + interval '1 month - 1 day')), 2)
                   AS avg_sessions_per_day,
               sum(issues_crawled) AS total_issues_crawled
        FROM s
        GROUP BY GROUPING SETS ((user_id, y, m), (y, m))
    ), prod AS (
        SELECT user_id, y, m, jsonb_object_agg(product, n ORDER BY product) AS product_distribution
        FROM (SELECT user_id, y, m, product, count(*) AS n FROM s
              GROUP BY GROUPING SETS ((user_id, y, m, product), (y, m, product))) p
        GROUP BY user_id, y, m
    ), kw AS (
        SELECT user_id, y, m,
               jsonb_agg(jsonb_build_object('keyword', word, 'count', n) ORDER BY n DESC, word)
                   FILTER (WHERE rk <= 10) AS keyword_trends
        FROM (SELECT user_id, y, m, word, n,
                     row_number() OVER (PARTITION BY user_id, y, m ORDER BY n DESC, word) AS rk
              FROM (SELECT user_id, y, m, word, count(*) AS n
                    FROM s, LATERAL regexp_split_to_table(lower(s.parsed_query), '\s+') AS word
                    WHERE word <> ''
                    GROUP BY GROUPING SETS ((user_id, y, m, word), (y, m, word))) g) r
        GROUP BY user_id, y, m
    ), iss AS (
        SELECT user_id, y, m,
               sum(n) AS unique_issues,
               jsonb_object_agg(coalesce(nullif(status, ''), '(none)'), n ORDER BY status) AS issue_status_breakdown
        FROM (SELECT s.user_id, s.y, s.m, i.status, count(DISTINCT si.issue_pk) AS n
              FROM s
              JOIN ims.session_issues si ON si.session_id = s.session_id
              JOIN ims.issues i ON i.issue_pk = si.issue_pk
              GROUP BY GROUPING SETS ((s.user_id, s.y, s.m, i.status), (s.y, s.m, i.status))) x
        GROUP BY user_id, y, m
    ), qual AS (
        SELECT s.user_id, s.y, s.m,
               round(avg(sq.parsing_confidence), 2) AS avg_parsing_confidence,
               round(100.0 * avg(CASE WHEN sq.synonym_expanded THEN 1 ELSE 0 END), 2) AS synonym_expansion_rate
        FROM s JOIN ims.search_queries sq ON sq.session_id = s.session_id
        GROUP BY GROUPING SETS ((s.user_id, s.y, s.m), (s.y, s.m))
    )
    INSERT INTO ims.analytics_monthly AS a (
        user_id, year, month, total_sessions, avg_sessions_per_day, total_issues_crawled,
        unique_issues, keyword_trends, product_distribution, issue_status_breakdown,
        avg_parsing_confidence, synonym_expansion_rate)
    SELECT sess.user_id, sess.y, sess.m, sess.total_sessions, sess.avg_sessions_per_day,
           sess.total_issues_crawled, coalesce(iss.unique_issues, 0), kw.keyword_trends,
           prod.product_distribution, iss.issue_status_breakdown,
           qual.avg_parsing_confidence, qual.synonym_expansion_rate
    FROM sess
    LEFT JOIN iss ON (iss.y, iss.m) = (sess.y, sess.m) AND iss.user_id IS NOT DISTINCT FROM sess.user_id
    LEFT JOIN prod ON (prod.y, prod.m) = (sess.y, sess.m) AND prod.user_id IS NOT DISTINCT FROM sess.user_id
    LEFT JOIN kw ON (kw.y, kw.m) = (sess.y, sess.m) AND kw.user_id IS NOT DISTINCT FROM sess.user_id
    LEFT JOIN qual ON (qual.y, qual.m) = (sess.y, sess.m) AND qual.user_id IS NOT DISTINCT FROM sess.user_id
    ORDER BY sess.user_id NULLS FIRST, sess.y, sess.m
    ON CONFLICT (user_id, year, month) DO UPDATE SET
        total_sessions = EXCLUDED.total_sessions,
        avg_sessions_per_day = EXCLUDED.avg_sessions_per_day,
        total_issues_crawled = EXCLUDED.total_issues_crawled,
        unique_issues = EXCLUDED.unique_issues,
        keyword_trends = EXCLUDED.keyword_trends,
        product_distribution = EXCLUDED.product_distribution,
        issue_status_breakdown = EXCLUDED.issue_status_breakdown,
        avg_parsing_confidence = EXCLUDED.avg_parsing_confidence,
        synonym_expansion_rate = EXCLUDED.synonym_expansion_rate
    WHERE (a.total_sessions, a.avg_sessions_per_day, a.total_issues_crawled, a.unique_issues,
           a.keyword_trends, a.product_distribution, a.issue_status_breakdown,
           a.avg_parsing_confidence, a.synonym_expansion_rate)
          IS DISTINCT FROM
          (EXCLUDED.total_sessions, EXCLUDED.avg_sessions_per_day, EXCLUDED.total_issues_crawled,
           EXCLUDED.unique_issues, EXCLUDED.keyword_trends, EXCLUDED.product_distribution,
           EXCLUDED.issue_status_breakdown, EXCLUDED.avg_parsing_confidence,
           EXCLUDED.synonym_expansion_rate);

    DELETE FROM ims.analytics_monthly a
    WHERE NOT EXISTS (
        SELECT FROM ims.crawl_sessions cs
        WHERE extract(year FROM cs.started_at AT TIME ZONE tz) = a.year
          AND extract(month FROM cs.started_at AT TIME ZONE tz) = a.month
          AND (a.user_id IS NULL OR cs.user_id = a.user_id));
END;
$$;
COMMENT ON FUNCTION ims.refresh_analytics(text) IS 'Recomputes analytics_daily and analytics_monthly from the loaded sessions (idempotent)';
