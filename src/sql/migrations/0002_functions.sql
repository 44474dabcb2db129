-- 0002_functions: pure helpers the merge statements use to turn crawler strings into values.
-- Reads/writes: no tables. Every function is STABLE or IMMUTABLE and PARALLEL SAFE.
--
-- The crawler writes naive wall-clock times (docs/input-format.md §7.5); ims.crawler_ts turns
-- them into timestamptz in the zone the session is read in (set by the loader per
-- transaction as ims.source_timezone, default Asia/Seoul). Strings that are not one of the
-- accepted shapes, or are impossible dates (2025/02/31), give NULL, never an error: one bad
-- date must not abort a session's transaction.
--
-- Fix against the seed: its update_updated_at trigger was to be attached to "every table";
-- only users, crawl_sessions and issues have updated_at, so only they get it.

CREATE FUNCTION ims.crawler_ts(raw text, tz text DEFAULT NULL)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    m   text[];
    y   int; mo int; d int; h int; mi int; s numeric;
    zone text := coalesce(tz, nullif(current_setting('ims.source_timezone', true), ''), 'Asia/Seoul');
BEGIN
    IF raw IS NULL OR raw = '' THEN
        RETURN NULL;
    END IF;
    -- ISO 8601 with an explicit offset (metadata.json created_at / completed_at): exact already.
    m := regexp_match(raw, '^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2}(?:\.\d{1,6})?)\s*(Z|[+-]\d{2}(?::?\d{2})?)\s*$');
    IF m IS NOT NULL THEN
        IF NOT ims.valid_civil_time(m[1]::int, m[2]::int, m[3]::int, m[4]::int, m[5]::int, m[6]::numeric) THEN
            RETURN NULL;
        END IF;
        RETURN btrim(raw)::timestamptz;
    END IF;
    -- YYYY/MM/DD or YYYY-MM-DD, optionally with HH:MM[:SS[.ffffff]] (space or T).
    m := regexp_match(raw, '^\s*(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d{1,6})?))?)?\s*$');
    IF m IS NULL THEN
        -- folder / file-name timestamps: YYYYMMDD_HHMMSS
        m := regexp_match(raw, '^\s*(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})\s*$');
    END IF;
    IF m IS NULL THEN
        RETURN NULL;
    END IF;
    y := m[1]::int; mo := m[2]::int; d := m[3]::int;
    h := coalesce(m[4], '0')::int; mi := coalesce(m[5], '0')::int; s := coalesce(m[6], '0')::numeric;
    IF NOT ims.valid_civil_time(y, mo, d, h, mi, s) THEN
        RETURN NULL;
    END IF;
    RETURN make_timestamptz(y, mo, d, h, mi, s::double precision, zone);
END;
$$;
COMMENT ON FUNCTION ims.crawler_ts(text, text) IS 'Crawler time string -> timestamptz (naive times read in ims.source_timezone); NULL when not a valid time';

CREATE FUNCTION ims.valid_civil_time(y int, mo int, d int, h int, mi int, s numeric)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT y BETWEEN 1900 AND 2999
       AND mo BETWEEN 1 AND 12
       AND d BETWEEN 1 AND extract(day FROM (make_date(y, mo, 1) + interval '1 month - 1 day'))::int
       AND h BETWEEN 0 AND 23 AND mi BETWEEN 0 AND 59 AND s >= 0 AND s < 60
$$;

-- "15 KB", "1.2 MB", "512 B", "" -> bytes (binary multiples, as IMS displays them); NULL if unreadable.
CREATE FUNCTION ims.parse_size(raw text)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN m IS NULL THEN NULL
        ELSE round(m[1]::numeric * CASE upper(coalesce(m[2], 'B'))
            WHEN 'B' THEN 1 WHEN 'BYTE' THEN 1 WHEN 'BYTES' THEN 1
            WHEN 'K' THEN 1024 WHEN 'KB' THEN 1024
            WHEN 'M' THEN 1048576 WHEN 'MB' THEN 1048576
            WHEN 'G' THEN 1073741824 WHEN 'GB' THEN 1073741824
            WHEN 'T' THEN 1099511627776 WHEN 'TB' THEN 1099511627776 END)::bigint
    END
    FROM (SELECT regexp_match(replace(coalesce(raw, ''), ',', ''),
                 '^\s*([0-9]{1,15}(?:\.[0-9]+)?)\s*(B|BYTES?|KB?|MB?|GB?|TB?)?\s*$', 'i') AS m) x
$$;

-- History details "Field: old -> new" (docs/input-format.md §7.3: the format was never observed,
-- so anything else is kept whole in description with change_type 'other').
CREATE FUNCTION ims.parse_history_details(details text,
    OUT field_name text, OUT old_value text, OUT new_value text, OUT change_type text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
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

-- "Is this crawl at least as new as the one a row holds?" The merge statements keep a value
-- only from the newest crawl; when two sessions crawled at the very same instant (a session
-- folder copied under another user), the larger session_uuid wins, so the result does not
-- depend on which was loaded last.
CREATE FUNCTION ims.newer_crawl(new_at timestamptz, new_session bigint, old_at timestamptz, old_session bigint)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT old_at IS NULL
        OR new_at > old_at
        OR (new_at = old_at
            AND coalesce((SELECT session_uuid FROM ims.crawl_sessions WHERE session_id = new_session), '')
                >= coalesce((SELECT session_uuid FROM ims.crawl_sessions WHERE session_id = old_session), ''))
$$;

-- "Does this crawl's download replace the one a row holds?" Only a crawl that downloaded the
-- file counts; the newest download wins, ties (two copies of one crawl) broken by path.
CREATE FUNCTION ims.newer_download(new_at timestamptz, new_path text, old_at timestamptz, old_path text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT new_at IS NOT NULL AND (old_at IS NULL OR (new_at, new_path) >= (old_at, old_path))
$$;

CREATE FUNCTION ims.update_updated_at()
RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$$;

CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON ims.users
    FOR EACH ROW EXECUTE FUNCTION ims.update_updated_at();
CREATE TRIGGER update_crawl_sessions_updated_at BEFORE UPDATE ON ims.crawl_sessions
    FOR EACH ROW EXECUTE FUNCTION ims.update_updated_at();
CREATE TRIGGER update_issues_updated_at BEFORE UPDATE ON ims.issues
    FOR EACH ROW EXECUTE FUNCTION ims.update_updated_at();
