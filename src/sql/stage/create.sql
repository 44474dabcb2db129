-- stage/create: the per-connection staging tables, emptied for the next batch of sessions.
-- Reads: nothing. Writes: pg_temp.stage_session, stage_file, stage_download, stage_error.
--
-- TEMPORARY, so batches loaded in parallel on other connections never see each other's rows,
-- and nothing is WAL-logged for them. Created once per connection, truncated per batch.
-- A batch is one or more sessions merged in one transaction (one for `watch`, many for a
-- backfill: src/ingest/batches.ts); every row says which session of the batch it belongs to
-- (session_no). The reader fills them (stage_session and stage_error from one JSON parameter
-- each, stage_file and stage_download through COPY, their session_no from the setting
-- ims.stage_no that the writer sets before each session's COPY); src/sql/merge/*.sql move
-- them into ims.*.

CREATE TEMP TABLE IF NOT EXISTS stage_session (
    session_no             integer NOT NULL,
    user_name              text NOT NULL,
    session_uuid           text NOT NULL,
    folder_name            text NOT NULL,
    layout                 text NOT NULL,
    data_path              text NOT NULL,
    product                text NOT NULL,
    original_query         text NOT NULL,
    parsed_query           text NOT NULL,
    query_language         text,
    max_results            integer,
    crawl_related          boolean,
    status                 text NOT NULL,
    started_raw            text,
    completed_raw          text,
    total_issues_found     integer,
    attachments_downloaded integer NOT NULL,
    failed_issues          integer NOT NULL,
    metadata               jsonb,
    content_hash           text NOT NULL,
    -- A lesser copy of a crawl whose row another copy gives (src/files/crawl-copy.ts): its
    -- issue data is merged, the crawl's own rows (session, links, errors) are left alone.
    secondary              boolean,
    -- crawl_sessions.session_id, filled by merge/025_session_ids.sql.
    session_id             bigint
);

-- One row per issue file that parsed. crawled_key is the crawl moment as naive local time
-- 'YYYY-MM-DD HH:MM:SS.ffffff' (text order = time order); doc is the repaired document;
-- crawled_at is ims.crawler_ts(crawled_key), filled once after the COPY by
-- stage/crawled-at.sql (the merge statements would otherwise call it once per comment).
CREATE TEMP TABLE IF NOT EXISTS stage_file (
    session_no  integer NOT NULL DEFAULT current_setting('ims.stage_no')::integer,
    file_no     integer NOT NULL,
    rel_path    text NOT NULL,
    issue_id    text NOT NULL,
    crawl_order integer,
    crawled_key text NOT NULL,
    doc         jsonb NOT NULL,
    crawled_at  timestamptz
);
-- The documents are read by several merge statements; keeping them uncompressed saves a
-- decompression per read.
ALTER TABLE stage_file ALTER COLUMN doc SET STORAGE EXTERNAL;

-- One row per file actually downloaded under attachments/<issue_id>/ (not the .txt previews).
CREATE TEMP TABLE IF NOT EXISTS stage_download (
    session_no     integer NOT NULL DEFAULT current_setting('ims.stage_no')::integer,
    issue_id       text NOT NULL,
    file_name      text NOT NULL,
    rel_path       text NOT NULL,
    size_bytes     bigint NOT NULL,
    extracted_text text
);

CREATE TEMP TABLE IF NOT EXISTS stage_error (
    session_no   integer NOT NULL,
    error_key    text NOT NULL,
    error_type   text NOT NULL,
    severity     text NOT NULL,
    message      text NOT NULL,
    detail       jsonb,
    file_path    text,
    occurred_raw text
);

TRUNCATE stage_session, stage_file, stage_download, stage_error;
