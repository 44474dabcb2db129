-- 0001_schema: the tables of schema ims, as ims-schema-design.md names them.
-- Reads: nothing. Writes: schema ims, its tables, sequences and plain indexes.
--
-- Fixes against the seed design (docs/schema.md explains each):
--  * Natural keys on the child tables, so a re-crawl is merged with INSERT ... ON CONFLICT
--    instead of duplicated: issue_comments (issue_pk, comment_key = IMS action_no),
--    issue_history (issue_pk, entry_hash = md5 of date, user, details),
--    attachments (issue_pk, attachment_key = IMS file_id). The seed had serial keys only.
--  * crawl_sessions is NOT partitioned: a partitioned table's unique constraints must contain
--    the partition key, which would forbid UNIQUE (session_uuid) (the session's identity,
--    needed for idempotent re-ingest) and the four foreign keys to session_id. The seed's
--    `PARTITION OF` on a non-partitioned table never ran. audit_log, the table that grows
--    without bound and that nothing references, is range-partitioned instead (0004).
--  * comment_number is BIGINT (IMS action numbers are not bounded by int4).
--  * Columns fed from crawler strings are TEXT where the seed had VARCHAR(n): a longer value
--    in one file must not abort a session's transaction, and varchar(n) buys nothing in
--    PostgreSQL. Identifiers keep their bound (issue_id 50, username 100, session_uuid 100);
--    the reader rejects a file whose issue_id is longer, with an error naming it.
--  * Columns added for the loader: provenance (source session / crawl time of the values a
--    row holds), so "newest crawl wins" holds whatever order sessions are ingested in.
--  * session_errors and search_queries get natural keys so re-ingest replaces, never appends.
--  * analytics_* use UNIQUE NULLS NOT DISTINCT: user_id NULL is the all-users row.
--  * Where a seed index on (col) would duplicate a unique constraint whose first column is col,
--    the constraint carries the seed index's name instead (idx_users_username,
--    idx_sessions_uuid, idx_issues_issue_id, idx_session_issues_session_id,
--    idx_comments_issue_pk, idx_history_issue_pk, idx_attachments_issue_pk,
--    idx_errors_session_id, idx_analytics_*_user_id): same lookups, one index to maintain.

CREATE SCHEMA IF NOT EXISTS ims;

CREATE TABLE ims.users (
    user_id       SERIAL PRIMARY KEY,
    username      VARCHAR(100) NOT NULL CONSTRAINT idx_users_username UNIQUE,
    email         VARCHAR(255),
    full_name     VARCHAR(200),
    department    VARCHAR(100),
    role          VARCHAR(50) DEFAULT 'user',
    is_active     BOOLEAN DEFAULT TRUE,
    preferences   JSONB,
    created_at    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    last_login_at TIMESTAMPTZ
);
CREATE INDEX idx_users_is_active ON ims.users (is_active);
COMMENT ON TABLE ims.users IS 'User information (one row per IMS user name seen in users/<name>/)';
COMMENT ON COLUMN ims.users.preferences IS 'User settings (JSON: crawler_config, ui_preferences, etc.)';

CREATE TABLE ims.crawl_sessions (
    session_id        BIGSERIAL PRIMARY KEY,
    session_uuid      VARCHAR(100) NOT NULL CONSTRAINT idx_sessions_uuid UNIQUE,
    user_id           INTEGER NOT NULL REFERENCES ims.users (user_id),

    product           TEXT NOT NULL,
    original_query    TEXT NOT NULL,
    parsed_query      TEXT NOT NULL,
    query_language    TEXT,
    max_results       INTEGER,
    crawl_related     BOOLEAN DEFAULT FALSE,

    status            VARCHAR(20) DEFAULT 'running'
                      CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    started_at        TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at      TIMESTAMPTZ,
    duration_seconds  INTEGER CHECK (duration_seconds >= 0),

    total_issues_found     INTEGER DEFAULT 0 CHECK (total_issues_found >= 0),
    issues_crawled         INTEGER DEFAULT 0 CHECK (issues_crawled >= 0),
    attachments_downloaded INTEGER DEFAULT 0 CHECK (attachments_downloaded >= 0),
    failed_issues          INTEGER DEFAULT 0 CHECK (failed_issues >= 0),
    related_issues         INTEGER DEFAULT 0 CHECK (related_issues >= 0),

    search_time_ms    INTEGER,
    crawl_time_ms     INTEGER,
    avg_issue_time_ms INTEGER,
    parallel_workers  INTEGER,

    data_path         TEXT,
    metadata          JSONB,

    -- added: where the session came from and what its files looked like when loaded
    layout            VARCHAR(20) CHECK (layout IN ('per_user', 'shared', 'migrated')),
    folder_name       TEXT,
    content_hash      TEXT,

    created_at        TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at        TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_sessions_user_id ON ims.crawl_sessions (user_id);
CREATE INDEX idx_sessions_product ON ims.crawl_sessions (product);
CREATE INDEX idx_sessions_status ON ims.crawl_sessions (status);
CREATE INDEX idx_sessions_started_at ON ims.crawl_sessions (started_at DESC);
CREATE INDEX idx_sessions_metadata ON ims.crawl_sessions USING GIN (metadata);
COMMENT ON TABLE ims.crawl_sessions IS 'Crawl session information (one row per session folder)';
COMMENT ON COLUMN ims.crawl_sessions.session_uuid IS 'UUIDv5 of the session identity (<user>/<folder>, or <folder> in the shared layout)';
COMMENT ON COLUMN ims.crawl_sessions.content_hash IS 'Fingerprint of the folder (names, sizes, mtimes) and loader settings at the last ingest; an unchanged folder is skipped';

CREATE TABLE ims.issues (
    issue_pk        BIGSERIAL PRIMARY KEY,
    issue_id        VARCHAR(50) NOT NULL CONSTRAINT idx_issues_issue_id UNIQUE,

    title           TEXT NOT NULL,
    description     TEXT,
    product         TEXT,
    status          TEXT,
    priority        TEXT,
    severity        TEXT,
    issue_type      TEXT,

    reporter        TEXT,
    owner           TEXT,
    manager         TEXT,

    registered_date TIMESTAMPTZ,
    modified_date   TIMESTAMPTZ,
    closed_date     TIMESTAMPTZ,

    project_code    TEXT,
    project_name    TEXT,
    site            TEXT,
    customer        TEXT,

    found_version   TEXT,
    fixed_version   TEXT,
    target_version  TEXT,

    full_data       JSONB,

    first_crawled_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    last_crawled_at  TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    crawl_count      INTEGER DEFAULT 1,

    -- added: the handler (IMS "assignee"), the page, and which crawl the values come from
    assignee          TEXT,
    url               TEXT,
    source_session_id BIGINT REFERENCES ims.crawl_sessions (session_id) ON DELETE SET NULL,
    source_crawled_at TIMESTAMPTZ,

    created_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    updated_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_issues_product ON ims.issues (product);
CREATE INDEX idx_issues_status ON ims.issues (status);
CREATE INDEX idx_issues_priority ON ims.issues (priority);
CREATE INDEX idx_issues_registered_date ON ims.issues (registered_date DESC);
CREATE INDEX idx_issues_source_session ON ims.issues (source_session_id);
COMMENT ON TABLE ims.issues IS 'IMS issue information: values of the newest crawl by crawled_at';

CREATE TABLE ims.session_issues (
    session_issue_id  BIGSERIAL PRIMARY KEY,
    session_id        BIGINT NOT NULL REFERENCES ims.crawl_sessions (session_id) ON DELETE CASCADE,
    issue_pk          BIGINT NOT NULL REFERENCES ims.issues (issue_pk) ON DELETE CASCADE,
    crawl_order       INTEGER,
    crawl_duration_ms INTEGER,
    had_errors        BOOLEAN DEFAULT FALSE,
    error_message     TEXT,
    -- added: when this session crawled the issue, and from which file
    crawled_at        TIMESTAMPTZ,
    source_file       TEXT,
    created_at        TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_session_issues_session_id UNIQUE (session_id, issue_pk)
);
CREATE INDEX idx_session_issues_issue_pk ON ims.session_issues (issue_pk);
COMMENT ON TABLE ims.session_issues IS 'Issues crawled in each session (crawl_order NULL: reached as a related issue)';

CREATE TABLE ims.issue_comments (
    comment_id      BIGSERIAL PRIMARY KEY,
    issue_pk        BIGINT NOT NULL REFERENCES ims.issues (issue_pk) ON DELETE CASCADE,
    comment_number  BIGINT,
    author          TEXT,
    content         TEXT,
    commented_at    TIMESTAMPTZ,
    -- added: natural key (IMS action_no; md5 of author/date/content when IMS gave none)
    comment_key     TEXT NOT NULL,
    source_crawled_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_comments_issue_pk UNIQUE (issue_pk, comment_key)
);
CREATE INDEX idx_comments_author ON ims.issue_comments (author);
CREATE INDEX idx_comments_commented_at ON ims.issue_comments (commented_at DESC);
COMMENT ON TABLE ims.issue_comments IS 'Issue comments, one row per (issue, IMS action_no), content of the newest crawl';

CREATE TABLE ims.issue_history (
    history_id      BIGSERIAL PRIMARY KEY,
    issue_pk        BIGINT NOT NULL REFERENCES ims.issues (issue_pk) ON DELETE CASCADE,
    changed_by      TEXT,
    changed_at      TIMESTAMPTZ,
    change_type     TEXT,
    field_name      TEXT,
    old_value       TEXT,
    new_value       TEXT,
    description     TEXT,
    -- added: natural key, md5(date, user, details) as written by the crawler
    entry_hash      UUID NOT NULL,
    created_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_history_issue_pk UNIQUE (issue_pk, entry_hash)
);
CREATE INDEX idx_history_changed_at ON ims.issue_history (changed_at DESC);
CREATE INDEX idx_history_change_type ON ims.issue_history (change_type);
COMMENT ON TABLE ims.issue_history IS 'Issue change history, one row per (issue, date, user, details)';

CREATE TABLE ims.attachments (
    attachment_id   BIGSERIAL PRIMARY KEY,
    issue_pk        BIGINT NOT NULL REFERENCES ims.issues (issue_pk) ON DELETE CASCADE,
    session_id      BIGINT REFERENCES ims.crawl_sessions (session_id) ON DELETE SET NULL,
    filename        TEXT NOT NULL,
    file_type       TEXT,
    file_size       BIGINT,
    file_path       TEXT,
    download_url    TEXT,
    downloaded      BOOLEAN DEFAULT FALSE,
    download_error  TEXT,
    extracted_text  TEXT,
    text_extracted  BOOLEAN DEFAULT FALSE,
    -- added: IMS file_id; the natural key (file_id, or 'name:<filename>' when IMS gave none);
    -- the size as IMS showed it; crawl times of the listing and of the download it holds
    file_id         TEXT,
    attachment_key  TEXT NOT NULL,
    size_text       TEXT,
    source_crawled_at TIMESTAMPTZ,
    download_crawled_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_attachments_issue_pk UNIQUE (issue_pk, attachment_key)
);
CREATE INDEX idx_attachments_session_id ON ims.attachments (session_id);
CREATE INDEX idx_attachments_file_type ON ims.attachments (file_type);
CREATE INDEX idx_attachments_downloaded ON ims.attachments (downloaded);
COMMENT ON TABLE ims.attachments IS 'Attachment information, one row per (issue, IMS file_id)';

CREATE TABLE ims.search_queries (
    query_id        BIGSERIAL PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES ims.users (user_id),
    session_id      BIGINT REFERENCES ims.crawl_sessions (session_id) ON DELETE CASCADE,
    original_query  TEXT NOT NULL,
    parsed_query    TEXT,
    query_language  TEXT,
    product         TEXT,
    results_count   INTEGER,
    parsing_method  VARCHAR(50),
    parsing_confidence NUMERIC(5,2),
    synonym_expanded BOOLEAN DEFAULT FALSE,
    intent_filtered BOOLEAN DEFAULT FALSE,
    queried_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP
);
-- added: one query per session, so re-ingest updates it
CREATE UNIQUE INDEX uq_queries_session_id ON ims.search_queries (session_id);
CREATE INDEX idx_queries_user_id ON ims.search_queries (user_id);
CREATE INDEX idx_queries_product ON ims.search_queries (product);
CREATE INDEX idx_queries_queried_at ON ims.search_queries (queried_at DESC);
COMMENT ON TABLE ims.search_queries IS 'Search query history (one row per crawl session)';

CREATE TABLE ims.session_errors (
    error_id        BIGSERIAL PRIMARY KEY,
    session_id      BIGINT NOT NULL REFERENCES ims.crawl_sessions (session_id) ON DELETE CASCADE,
    error_type      VARCHAR(50),
    severity        VARCHAR(20) CHECK (severity IN ('error', 'warning', 'info')),
    error_message   TEXT,
    error_detail    JSONB,
    occurred_at     TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    -- added: what the error is about, so re-ingest replaces the session's errors
    error_key       TEXT NOT NULL,
    file_path       TEXT,
    CONSTRAINT idx_errors_session_id UNIQUE (session_id, error_key)
);
CREATE INDEX idx_errors_error_type ON ims.session_errors (error_type);
CREATE INDEX idx_errors_severity ON ims.session_errors (severity);
CREATE INDEX idx_errors_occurred_at ON ims.session_errors (occurred_at DESC);
COMMENT ON TABLE ims.session_errors IS 'Session errors and warnings (crawler failures, unreadable files, repaired text)';

CREATE TABLE ims.analytics_daily (
    stat_id         BIGSERIAL PRIMARY KEY,
    user_id         INTEGER REFERENCES ims.users (user_id),
    stat_date       DATE NOT NULL,
    sessions_count  INTEGER DEFAULT 0,
    successful_sessions INTEGER DEFAULT 0,
    failed_sessions INTEGER DEFAULT 0,
    issues_crawled  INTEGER DEFAULT 0,
    unique_issues   INTEGER DEFAULT 0,
    new_issues      INTEGER DEFAULT 0,
    attachments_downloaded INTEGER DEFAULT 0,
    avg_session_duration_sec INTEGER,
    avg_issues_per_session NUMERIC(10,2),
    product_stats   JSONB,
    top_queries     JSONB,
    created_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_analytics_daily_user_id UNIQUE NULLS NOT DISTINCT (user_id, stat_date)
);
CREATE INDEX idx_analytics_daily_stat_date ON ims.analytics_daily (stat_date DESC);
COMMENT ON TABLE ims.analytics_daily IS 'Daily statistics per user (user_id NULL: all users), dates in the source time zone';

CREATE TABLE ims.analytics_monthly (
    stat_id         BIGSERIAL PRIMARY KEY,
    user_id         INTEGER REFERENCES ims.users (user_id),
    year            INTEGER NOT NULL,
    month           INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    total_sessions  INTEGER DEFAULT 0,
    avg_sessions_per_day NUMERIC(10,2),
    total_issues_crawled INTEGER DEFAULT 0,
    unique_issues   INTEGER DEFAULT 0,
    keyword_trends  JSONB,
    product_distribution JSONB,
    issue_status_breakdown JSONB,
    avg_parsing_confidence NUMERIC(5,2),
    synonym_expansion_rate NUMERIC(5,2),
    created_at      TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_analytics_monthly_user_id UNIQUE NULLS NOT DISTINCT (user_id, year, month)
);
CREATE INDEX idx_analytics_monthly_year_month ON ims.analytics_monthly (year, month);
COMMENT ON TABLE ims.analytics_monthly IS 'Monthly statistics and trend analysis (user_id NULL: all users)';
