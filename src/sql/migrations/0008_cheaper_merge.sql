-- 0008_cheaper_merge: the same results from ims.crawler_ts and ims.parse_history_details at a
-- fraction of the cost, and room in issue_comments' pages for the updates a re-crawl makes.
-- Reads/writes: no rows; the storage parameter of ims.issue_comments.
--
-- The merge statements call both once per comment and history entry of every staged file
-- (a re-crawl lists every entry again), and as written in 0002 they were most of the CPU of
-- merge/060 and merge/070 (docs/performance.md): crawler_ts is PL/pgSQL with up to three
-- regexp_match calls with capture groups (20-130 us a call), parse_history_details a SQL
-- function returning a record, which PostgreSQL cannot inline and runs through the SQL
-- function executor for every row (about 60 us).
--
-- * ims.crawler_ts becomes a one-expression SQL function, which the planner inlines into the
--   calling statement: the shapes the crawler writes for comment and history dates
--   (`2025/07/11 15:37:51`) and crawled_at (`2025-07-11T15:37:51.123456`), with a day of
--   month the month surely has, are recognised by one regular expression without captures
--   and converted by PostgreSQL's own timestamp input; everything else (offsets, one-digit
--   fields, folder stamps, day 29-31, garbage) goes to the unchanged 0002 function, renamed
--   ims.crawler_ts_general. The fast path accepts nothing the general one rejects: years
--   1900-2999, months 01-12, days 01-28, hours 00-23, minutes and seconds 00-59, at most six
--   fraction digits. test/db/functions.test.ts compares the two on every shape.
-- * ims.parse_history_details is re-created as a set-returning SQL function (one row, always)
--   with the same body: PostgreSQL inlines such a function into the query that calls it in
--   FROM, so it costs what its expressions cost.
-- * ims.issue_comments gets fillfactor 75. Every newer crawl of an issue moves the
--   source_crawled_at of each comment it lists (the provenance that makes "newest crawl wins"
--   hold in any load order, merge/060), so most comment updates change no indexed column; with
--   free room on the page PostgreSQL makes them HOT (no new entry in any index, the trigram
--   GIN on content included) instead of writing a new version through five indexes. Pages
--   written from now on keep the room; on the 5,000-file benchmark corpus 82% of comment
--   updates were HOT instead of 45%, and merge/060 took 19% less time.

ALTER FUNCTION ims.crawler_ts(text, text) RENAME TO crawler_ts_general;
COMMENT ON FUNCTION ims.crawler_ts_general(text, text) IS 'ims.crawler_ts for every shape (0002); ims.crawler_ts calls it for the shapes its fast path does not take';

CREATE FUNCTION ims.crawler_ts(raw text, tz text DEFAULT NULL)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN raw ~ '^(19|2[0-9])[0-9]{2}[-/](0[1-9]|1[0-2])[-/](0[1-9]|1[0-9]|2[0-8])[ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$'
        THEN replace(raw, '/', '-')::timestamp
             AT TIME ZONE coalesce(tz, nullif(current_setting('ims.source_timezone', true), ''), 'Asia/Seoul')
        ELSE ims.crawler_ts_general(raw, tz)
    END
$$;
COMMENT ON FUNCTION ims.crawler_ts(text, text) IS 'Crawler time string -> timestamptz (naive times read in ims.source_timezone); NULL when not a valid time';

DROP FUNCTION ims.parse_history_details(text);
CREATE FUNCTION ims.parse_history_details(details text)
RETURNS TABLE (field_name text, old_value text, new_value text, change_type text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT f, o, n,
           CASE
               WHEN f IS NULL THEN 'other'
               WHEN lower(f) IN ('status', 'state', '상태', '진행상태', '処理状態', 'ステータス') THEN 'status_change'
               WHEN lower(f) IN ('handler', 'assignee', 'owner', 'manager', '담당자', '처리자', '担当者') THEN 'assignment'
               WHEN lower(f) IN ('priority', '우선순위', '優先度') THEN 'priority_change'
               ELSE 'update'
           END
    FROM (
        SELECT CASE WHEN ok THEN btrim(split_part(d, ':', 1)) END AS f,
               CASE WHEN ok THEN nullif(btrim(split_part(rest, '->', 1)), '') END AS o,
               CASE WHEN ok THEN nullif(btrim(substr(rest, strpos(rest, '->') + 2)), '') END AS n
        FROM (
            SELECT d, rest,
                   strpos(d, ':') BETWEEN 2 AND 101
                   AND strpos(rest, '->') > 0
                   AND strpos(split_part(d, ':', 1), E'\n') = 0 AS ok
            FROM (SELECT replace(replace(coalesce(details, ''), '→', '->'), '=>', '->') AS d) a,
                 LATERAL (SELECT substr(a.d, strpos(a.d, ':') + 1) AS rest) b
        ) c
    ) e
$$;
COMMENT ON FUNCTION ims.parse_history_details(text) IS '"Field: old -> new" history details -> field_name, old_value, new_value, change_type (one row; NULLs and ''other'' when not of that shape)';

ALTER TABLE ims.issue_comments SET (fillfactor = 75);
