TABLE ims.analytics_daily ROW LEVEL SECURITY (FORCED) (
    stat_id bigint NOT NULL DEFAULT nextval('ims.analytics_daily_stat_id_seq'::regclass),
    user_id integer,
    stat_date date NOT NULL,
    sessions_count integer DEFAULT 0,
    successful_sessions integer DEFAULT 0,
    failed_sessions integer DEFAULT 0,
    issues_crawled integer DEFAULT 0,
    unique_issues integer DEFAULT 0,
    new_issues integer DEFAULT 0,
    attachments_downloaded integer DEFAULT 0,
    avg_session_duration_sec integer,
    avg_issues_per_session numeric(10,2),
    product_stats jsonb,
    top_queries jsonb,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT analytics_daily_pkey PRIMARY KEY (stat_id),
    CONSTRAINT analytics_daily_user_id_fkey FOREIGN KEY (user_id) REFERENCES ims.users(user_id),
    CONSTRAINT idx_analytics_daily_user_id UNIQUE NULLS NOT DISTINCT (user_id, stat_date)
);

TABLE ims.analytics_monthly ROW LEVEL SECURITY (FORCED) (
    stat_id bigint NOT NULL DEFAULT nextval('ims.analytics_monthly_stat_id_seq'::regclass),
    user_id integer,
    year integer NOT NULL,
    month integer NOT NULL,
    total_sessions integer DEFAULT 0,
    avg_sessions_per_day numeric(10,2),
    total_issues_crawled integer DEFAULT 0,
    unique_issues integer DEFAULT 0,
    keyword_trends jsonb,
    product_distribution jsonb,
    issue_status_breakdown jsonb,
    avg_parsing_confidence numeric(5,2),
    synonym_expansion_rate numeric(5,2),
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT analytics_monthly_month_check CHECK (((month >= 1) AND (month <= 12))),
    CONSTRAINT analytics_monthly_pkey PRIMARY KEY (stat_id),
    CONSTRAINT analytics_monthly_user_id_fkey FOREIGN KEY (user_id) REFERENCES ims.users(user_id),
    CONSTRAINT idx_analytics_monthly_user_id UNIQUE NULLS NOT DISTINCT (user_id, year, month)
);

TABLE ims.attachments (
    attachment_id bigint NOT NULL DEFAULT nextval('ims.attachments_attachment_id_seq'::regclass),
    issue_pk bigint NOT NULL,
    session_id bigint,
    filename text NOT NULL,
    file_type text,
    file_size bigint,
    file_path text,
    download_url text,
    downloaded boolean DEFAULT false,
    download_error text,
    extracted_text text,
    text_extracted boolean DEFAULT false,
    file_id text,
    attachment_key text NOT NULL,
    size_text text,
    source_crawled_at timestamp with time zone,
    download_crawled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    download_url_crawled_at timestamp with time zone,
    CONSTRAINT attachments_issue_pk_fkey FOREIGN KEY (issue_pk) REFERENCES ims.issues(issue_pk) ON DELETE CASCADE,
    CONSTRAINT attachments_pkey PRIMARY KEY (attachment_id),
    CONSTRAINT attachments_session_id_fkey FOREIGN KEY (session_id) REFERENCES ims.crawl_sessions(session_id) ON DELETE SET NULL,
    CONSTRAINT idx_attachments_issue_pk UNIQUE (issue_pk, attachment_key)
);

TABLE ims.audit_log PARTITION BY RANGE (created_at) ROW LEVEL SECURITY (FORCED) (
    log_id bigint NOT NULL DEFAULT nextval('ims.audit_log_log_id_seq'::regclass),
    user_id integer,
    action character varying(100) NOT NULL,
    resource_type character varying(50),
    resource_id character varying(100),
    old_value jsonb,
    new_value jsonb,
    ip_address inet,
    user_agent text,
    created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT audit_log_pkey PRIMARY KEY (log_id, created_at),
    CONSTRAINT audit_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES ims.users(user_id)
);

TABLE ims.audit_log_archive (
    log_id bigint NOT NULL DEFAULT nextval('ims.audit_log_log_id_seq'::regclass),
    user_id integer,
    action character varying(100) NOT NULL,
    resource_type character varying(50),
    resource_id character varying(100),
    old_value jsonb,
    new_value jsonb,
    ip_address inet,
    user_agent text,
    created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT audit_log_archive_pkey PRIMARY KEY (log_id, created_at)
);

TABLE ims.audit_log_default PARTITION DEFAULT (
    log_id bigint NOT NULL DEFAULT nextval('ims.audit_log_log_id_seq'::regclass),
    user_id integer,
    action character varying(100) NOT NULL,
    resource_type character varying(50),
    resource_id character varying(100),
    old_value jsonb,
    new_value jsonb,
    ip_address inet,
    user_agent text,
    created_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT audit_log_default_pkey PRIMARY KEY (log_id, created_at),
    CONSTRAINT audit_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES ims.users(user_id)
);

TABLE ims.crawl_sessions ROW LEVEL SECURITY (FORCED) (
    session_id bigint NOT NULL DEFAULT nextval('ims.crawl_sessions_session_id_seq'::regclass),
    session_uuid character varying(100) NOT NULL,
    user_id integer NOT NULL,
    product text NOT NULL,
    original_query text NOT NULL,
    parsed_query text NOT NULL,
    query_language text,
    max_results integer,
    crawl_related boolean DEFAULT false,
    status character varying(20) DEFAULT 'running'::character varying,
    started_at timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP,
    completed_at timestamp with time zone,
    duration_seconds integer,
    total_issues_found integer DEFAULT 0,
    issues_crawled integer DEFAULT 0,
    attachments_downloaded integer DEFAULT 0,
    failed_issues integer DEFAULT 0,
    related_issues integer DEFAULT 0,
    search_time_ms integer,
    crawl_time_ms integer,
    avg_issue_time_ms integer,
    parallel_workers integer,
    data_path text,
    metadata jsonb,
    layout character varying(20),
    folder_name text,
    content_hash text,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT crawl_sessions_attachments_downloaded_check CHECK ((attachments_downloaded >= 0)),
    CONSTRAINT crawl_sessions_duration_seconds_check CHECK ((duration_seconds >= 0)),
    CONSTRAINT crawl_sessions_failed_issues_check CHECK ((failed_issues >= 0)),
    CONSTRAINT crawl_sessions_issues_crawled_check CHECK ((issues_crawled >= 0)),
    CONSTRAINT crawl_sessions_layout_check CHECK (((layout)::text = ANY ((ARRAY['per_user'::character varying, 'shared'::character varying, 'migrated'::character varying])::text[]))),
    CONSTRAINT crawl_sessions_pkey PRIMARY KEY (session_id),
    CONSTRAINT crawl_sessions_related_issues_check CHECK ((related_issues >= 0)),
    CONSTRAINT crawl_sessions_status_check CHECK (((status)::text = ANY ((ARRAY['running'::character varying, 'completed'::character varying, 'failed'::character varying, 'cancelled'::character varying])::text[]))),
    CONSTRAINT crawl_sessions_total_issues_found_check CHECK ((total_issues_found >= 0)),
    CONSTRAINT crawl_sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES ims.users(user_id),
    CONSTRAINT idx_sessions_uuid UNIQUE (session_uuid)
);

TABLE ims.issue_comments (
    comment_id bigint NOT NULL DEFAULT nextval('ims.issue_comments_comment_id_seq'::regclass),
    issue_pk bigint NOT NULL,
    comment_number bigint,
    author text,
    content text,
    commented_at timestamp with time zone,
    comment_key text NOT NULL,
    source_crawled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_comments_issue_pk UNIQUE (issue_pk, comment_key),
    CONSTRAINT issue_comments_issue_pk_fkey FOREIGN KEY (issue_pk) REFERENCES ims.issues(issue_pk) ON DELETE CASCADE,
    CONSTRAINT issue_comments_pkey PRIMARY KEY (comment_id)
);

TABLE ims.issue_history (
    history_id bigint NOT NULL DEFAULT nextval('ims.issue_history_history_id_seq'::regclass),
    issue_pk bigint NOT NULL,
    changed_by text,
    changed_at timestamp with time zone,
    change_type text,
    field_name text,
    old_value text,
    new_value text,
    description text,
    entry_hash uuid NOT NULL,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_history_issue_pk UNIQUE (issue_pk, entry_hash),
    CONSTRAINT issue_history_issue_pk_fkey FOREIGN KEY (issue_pk) REFERENCES ims.issues(issue_pk) ON DELETE CASCADE,
    CONSTRAINT issue_history_pkey PRIMARY KEY (history_id)
);

TABLE ims.issue_search_text (
    issue_pk bigint NOT NULL,
    title text NOT NULL,
    description text,
    CONSTRAINT issue_search_text_issue_pk_fkey FOREIGN KEY (issue_pk) REFERENCES ims.issues(issue_pk) ON DELETE CASCADE,
    CONSTRAINT issue_search_text_pkey PRIMARY KEY (issue_pk)
);

TABLE ims.issues (
    issue_pk bigint NOT NULL DEFAULT nextval('ims.issues_issue_pk_seq'::regclass),
    issue_id character varying(50) NOT NULL,
    title text NOT NULL,
    description text,
    product text,
    status text,
    priority text,
    severity text,
    issue_type text,
    reporter text,
    owner text,
    manager text,
    registered_date timestamp with time zone,
    modified_date timestamp with time zone,
    closed_date timestamp with time zone,
    project_code text,
    project_name text,
    site text,
    customer text,
    found_version text,
    fixed_version text,
    target_version text,
    full_data jsonb,
    first_crawled_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    last_crawled_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    crawl_count integer DEFAULT 1,
    assignee text,
    url text,
    source_session_id bigint,
    source_crawled_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_issues_issue_id UNIQUE (issue_id),
    CONSTRAINT issues_pkey PRIMARY KEY (issue_pk),
    CONSTRAINT issues_source_session_id_fkey FOREIGN KEY (source_session_id) REFERENCES ims.crawl_sessions(session_id) ON DELETE SET NULL
);

TABLE ims.search_queries ROW LEVEL SECURITY (FORCED) (
    query_id bigint NOT NULL DEFAULT nextval('ims.search_queries_query_id_seq'::regclass),
    user_id integer NOT NULL,
    session_id bigint,
    original_query text NOT NULL,
    parsed_query text,
    query_language text,
    product text,
    results_count integer,
    parsing_method character varying(50),
    parsing_confidence numeric(5,2),
    synonym_expanded boolean DEFAULT false,
    intent_filtered boolean DEFAULT false,
    queried_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    history_key text,
    is_favorite boolean NOT NULL DEFAULT false,
    history_entry jsonb,
    CONSTRAINT search_queries_pkey PRIMARY KEY (query_id),
    CONSTRAINT search_queries_session_id_fkey FOREIGN KEY (session_id) REFERENCES ims.crawl_sessions(session_id) ON DELETE CASCADE,
    CONSTRAINT search_queries_user_id_fkey FOREIGN KEY (user_id) REFERENCES ims.users(user_id)
);

TABLE ims.session_errors ROW LEVEL SECURITY (FORCED) (
    error_id bigint NOT NULL DEFAULT nextval('ims.session_errors_error_id_seq'::regclass),
    session_id bigint NOT NULL,
    error_type character varying(50),
    severity character varying(20),
    error_message text,
    error_detail jsonb,
    occurred_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    error_key text NOT NULL,
    file_path text,
    CONSTRAINT idx_errors_session_id UNIQUE (session_id, error_key),
    CONSTRAINT session_errors_pkey PRIMARY KEY (error_id),
    CONSTRAINT session_errors_session_id_fkey FOREIGN KEY (session_id) REFERENCES ims.crawl_sessions(session_id) ON DELETE CASCADE,
    CONSTRAINT session_errors_severity_check CHECK (((severity)::text = ANY ((ARRAY['error'::character varying, 'warning'::character varying, 'info'::character varying])::text[])))
);

TABLE ims.session_issues ROW LEVEL SECURITY (FORCED) (
    session_issue_id bigint NOT NULL DEFAULT nextval('ims.session_issues_session_issue_id_seq'::regclass),
    session_id bigint NOT NULL,
    issue_pk bigint NOT NULL,
    crawl_order integer,
    crawl_duration_ms integer,
    had_errors boolean DEFAULT false,
    error_message text,
    crawled_at timestamp with time zone,
    source_file text,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT idx_session_issues_session_id UNIQUE (session_id, issue_pk),
    CONSTRAINT session_issues_issue_pk_fkey FOREIGN KEY (issue_pk) REFERENCES ims.issues(issue_pk) ON DELETE CASCADE,
    CONSTRAINT session_issues_pkey PRIMARY KEY (session_issue_id),
    CONSTRAINT session_issues_session_id_fkey FOREIGN KEY (session_id) REFERENCES ims.crawl_sessions(session_id) ON DELETE CASCADE
);

TABLE ims.users ROW LEVEL SECURITY (FORCED) (
    user_id integer NOT NULL DEFAULT nextval('ims.users_user_id_seq'::regclass),
    username character varying(100) NOT NULL,
    email character varying(255),
    full_name character varying(200),
    department character varying(100),
    role character varying(50) DEFAULT 'user'::character varying,
    is_active boolean DEFAULT true,
    preferences jsonb,
    created_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    updated_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP,
    last_login_at timestamp with time zone,
    db_role name,
    CONSTRAINT idx_users_username UNIQUE (username),
    CONSTRAINT uq_users_db_role UNIQUE (db_role),
    CONSTRAINT users_pkey PRIMARY KEY (user_id)
);

-- indexes
CREATE UNIQUE INDEX analytics_daily_pkey ON ims.analytics_daily USING btree (stat_id);
CREATE UNIQUE INDEX analytics_monthly_pkey ON ims.analytics_monthly USING btree (stat_id);
CREATE UNIQUE INDEX attachments_pkey ON ims.attachments USING btree (attachment_id);
CREATE INDEX audit_log_archive_action_idx ON ims.audit_log_archive USING btree (action);
CREATE INDEX audit_log_archive_created_at_idx ON ims.audit_log_archive USING btree (created_at DESC);
CREATE UNIQUE INDEX audit_log_archive_pkey ON ims.audit_log_archive USING btree (log_id, created_at);
CREATE INDEX audit_log_archive_resource_type_resource_id_idx ON ims.audit_log_archive USING btree (resource_type, resource_id);
CREATE INDEX audit_log_archive_user_id_idx ON ims.audit_log_archive USING btree (user_id);
CREATE INDEX audit_log_default_action_idx ON ims.audit_log_default USING btree (action);
CREATE INDEX audit_log_default_created_at_idx ON ims.audit_log_default USING btree (created_at DESC);
CREATE UNIQUE INDEX audit_log_default_pkey ON ims.audit_log_default USING btree (log_id, created_at);
CREATE INDEX audit_log_default_resource_type_resource_id_idx ON ims.audit_log_default USING btree (resource_type, resource_id);
CREATE INDEX audit_log_default_user_id_idx ON ims.audit_log_default USING btree (user_id);
CREATE UNIQUE INDEX audit_log_pkey ON ONLY ims.audit_log USING btree (log_id, created_at);
CREATE UNIQUE INDEX crawl_sessions_pkey ON ims.crawl_sessions USING btree (session_id);
CREATE INDEX idx_analytics_daily_stat_date ON ims.analytics_daily USING btree (stat_date DESC);
CREATE UNIQUE INDEX idx_analytics_daily_user_id ON ims.analytics_daily USING btree (user_id, stat_date) NULLS NOT DISTINCT;
CREATE UNIQUE INDEX idx_analytics_monthly_user_id ON ims.analytics_monthly USING btree (user_id, year, month) NULLS NOT DISTINCT;
CREATE INDEX idx_analytics_monthly_year_month ON ims.analytics_monthly USING btree (year, month);
CREATE INDEX idx_attachments_downloaded ON ims.attachments USING btree (downloaded);
CREATE INDEX idx_attachments_file_type ON ims.attachments USING btree (file_type);
CREATE UNIQUE INDEX idx_attachments_issue_pk ON ims.attachments USING btree (issue_pk, attachment_key);
CREATE INDEX idx_attachments_session_id ON ims.attachments USING btree (session_id);
CREATE INDEX idx_attachments_text_bigram ON ims.attachments USING gin (ims.search_bigrams(extracted_text));
CREATE INDEX idx_attachments_text_fts ON ims.attachments USING gin (to_tsvector('english'::regconfig, extracted_text));
CREATE INDEX idx_audit_action ON ONLY ims.audit_log USING btree (action);
CREATE INDEX idx_audit_created_at ON ONLY ims.audit_log USING btree (created_at DESC);
CREATE INDEX idx_audit_resource_type ON ONLY ims.audit_log USING btree (resource_type, resource_id);
CREATE INDEX idx_audit_user_id ON ONLY ims.audit_log USING btree (user_id);
CREATE INDEX idx_comments_author ON ims.issue_comments USING btree (author);
CREATE INDEX idx_comments_commented_at ON ims.issue_comments USING btree (commented_at DESC);
CREATE INDEX idx_comments_content_bigram ON ims.issue_comments USING gin (ims.search_bigrams(content));
CREATE UNIQUE INDEX idx_comments_issue_pk ON ims.issue_comments USING btree (issue_pk, comment_key);
CREATE INDEX idx_errors_error_type ON ims.session_errors USING btree (error_type);
CREATE INDEX idx_errors_occurred_at ON ims.session_errors USING btree (occurred_at DESC);
CREATE UNIQUE INDEX idx_errors_session_id ON ims.session_errors USING btree (session_id, error_key);
CREATE INDEX idx_errors_severity ON ims.session_errors USING btree (severity);
CREATE INDEX idx_history_change_type ON ims.issue_history USING btree (change_type);
CREATE INDEX idx_history_changed_at ON ims.issue_history USING btree (changed_at DESC);
CREATE UNIQUE INDEX idx_history_issue_pk ON ims.issue_history USING btree (issue_pk, entry_hash);
CREATE INDEX idx_issue_search_description_bigram ON ims.issue_search_text USING gin (ims.search_bigrams(description));
CREATE INDEX idx_issue_search_title_bigram ON ims.issue_search_text USING gin (ims.search_bigrams(title));
CREATE INDEX idx_issues_description_fts ON ims.issues USING gin (to_tsvector('english'::regconfig, description));
CREATE INDEX idx_issues_full_data ON ims.issues USING gin (full_data);
CREATE UNIQUE INDEX idx_issues_issue_id ON ims.issues USING btree (issue_id);
CREATE INDEX idx_issues_priority ON ims.issues USING btree (priority);
CREATE INDEX idx_issues_product ON ims.issues USING btree (product);
CREATE INDEX idx_issues_registered_date ON ims.issues USING btree (registered_date DESC);
CREATE INDEX idx_issues_source_session ON ims.issues USING btree (source_session_id);
CREATE INDEX idx_issues_status ON ims.issues USING btree (status);
CREATE INDEX idx_issues_title_fts ON ims.issues USING gin (to_tsvector('english'::regconfig, title));
CREATE INDEX idx_queries_original_fts ON ims.search_queries USING gin (to_tsvector('english'::regconfig, original_query));
CREATE INDEX idx_queries_original_trgm ON ims.search_queries USING gin (original_query gin_trgm_ops);
CREATE INDEX idx_queries_product ON ims.search_queries USING btree (product);
CREATE INDEX idx_queries_queried_at ON ims.search_queries USING btree (queried_at DESC);
CREATE INDEX idx_queries_user_id ON ims.search_queries USING btree (user_id);
CREATE INDEX idx_session_issues_issue_pk ON ims.session_issues USING btree (issue_pk);
CREATE UNIQUE INDEX idx_session_issues_session_id ON ims.session_issues USING btree (session_id, issue_pk);
CREATE INDEX idx_sessions_metadata ON ims.crawl_sessions USING gin (metadata);
CREATE INDEX idx_sessions_product ON ims.crawl_sessions USING btree (product);
CREATE INDEX idx_sessions_started_at ON ims.crawl_sessions USING btree (started_at DESC);
CREATE INDEX idx_sessions_status ON ims.crawl_sessions USING btree (status);
CREATE INDEX idx_sessions_user_id ON ims.crawl_sessions USING btree (user_id);
CREATE UNIQUE INDEX idx_sessions_uuid ON ims.crawl_sessions USING btree (session_uuid);
CREATE INDEX idx_users_is_active ON ims.users USING btree (is_active);
CREATE UNIQUE INDEX idx_users_username ON ims.users USING btree (username);
CREATE UNIQUE INDEX issue_comments_pkey ON ims.issue_comments USING btree (comment_id);
CREATE UNIQUE INDEX issue_history_pkey ON ims.issue_history USING btree (history_id);
CREATE UNIQUE INDEX issue_search_text_pkey ON ims.issue_search_text USING btree (issue_pk);
CREATE UNIQUE INDEX issues_pkey ON ims.issues USING btree (issue_pk);
CREATE UNIQUE INDEX search_queries_pkey ON ims.search_queries USING btree (query_id);
CREATE UNIQUE INDEX session_errors_pkey ON ims.session_errors USING btree (error_id);
CREATE UNIQUE INDEX session_issues_pkey ON ims.session_issues USING btree (session_issue_id);
CREATE UNIQUE INDEX uq_queries_history_key ON ims.search_queries USING btree (history_key);
CREATE UNIQUE INDEX uq_queries_session_id ON ims.search_queries USING btree (session_id);
CREATE UNIQUE INDEX uq_users_db_role ON ims.users USING btree (db_role);
CREATE UNIQUE INDEX users_pkey ON ims.users USING btree (user_id);

-- views
VIEW ims.v_issue_search AS
 SELECT i.issue_pk,
    i.issue_id,
    i.title,
    i.description,
    i.product,
    i.status,
    i.priority,
    i.registered_date,
    i.last_crawled_at,
    ( SELECT count(*) AS count
           FROM ims.session_issues si
          WHERE si.issue_pk = i.issue_pk) AS crawled_in_sessions,
    ( SELECT count(*) AS count
           FROM ims.attachments a
          WHERE a.issue_pk = i.issue_pk) AS attachment_count,
    ( SELECT count(*) AS count
           FROM ims.issue_comments c
          WHERE c.issue_pk = i.issue_pk) AS comment_count
   FROM ims.issues i;
VIEW ims.v_my_downloads AS
 SELECT a.attachment_id,
    a.issue_pk,
    i.issue_id,
    a.filename,
    a.file_size,
    a.file_path,
    a.extracted_text,
    a.download_crawled_at,
    cs.session_id
   FROM ims.attachments a
     JOIN ims.issues i ON i.issue_pk = a.issue_pk
     JOIN ims.crawl_sessions cs ON starts_with(a.file_path, cs.data_path || '/'::text)
  WHERE a.file_path IS NOT NULL AND cs.user_id = (( SELECT ims.current_app_user_id() AS current_app_user_id));
VIEW ims.v_session_detail AS
 SELECT cs.session_id,
    cs.session_uuid,
    u.username,
    cs.product,
    cs.original_query,
    cs.status,
    cs.started_at,
    cs.completed_at,
    cs.duration_seconds,
    cs.issues_crawled,
    COALESCE(x.actual_issue_count, 0::bigint) AS actual_issue_count,
    COALESCE(x.issue_ids, '{}'::character varying[]) AS issue_ids
   FROM ims.crawl_sessions cs
     JOIN ims.users u ON u.user_id = cs.user_id
     LEFT JOIN LATERAL ( SELECT count(*) AS actual_issue_count,
            array_agg(i.issue_id ORDER BY si.crawl_order, i.issue_id) AS issue_ids
           FROM ims.session_issues si
             JOIN ims.issues i ON i.issue_pk = si.issue_pk
          WHERE si.session_id = cs.session_id) x ON true;
VIEW ims.v_user_dashboard AS
 SELECT u.user_id,
    u.username,
    COALESCE(s.total_sessions, 0::bigint) AS total_sessions,
    COALESCE(i.unique_issues, 0::bigint) AS unique_issues,
    COALESCE(s.total_issues_crawled, 0::bigint) AS total_issues_crawled,
    s.last_session_at,
    s.avg_session_duration
   FROM ims.users u
     LEFT JOIN LATERAL ( SELECT count(*) AS total_sessions,
            sum(cs.issues_crawled) AS total_issues_crawled,
            max(cs.started_at) AS last_session_at,
            avg(cs.duration_seconds) AS avg_session_duration
           FROM ims.crawl_sessions cs
          WHERE cs.user_id = u.user_id) s ON true
     LEFT JOIN LATERAL ( SELECT count(DISTINCT si.issue_pk) AS unique_issues
           FROM ims.crawl_sessions cs
             JOIN ims.session_issues si ON si.session_id = cs.session_id
          WHERE cs.user_id = u.user_id) i ON true;

-- functions
CREATE OR REPLACE FUNCTION ims.app_user_id_of(caller name)
 RETURNS integer
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT CASE
        WHEN NOT pg_has_role(session_user, caller, 'MEMBER') THEN NULL
        ELSE coalesce(
            (SELECT u.user_id FROM ims.users u WHERE u.db_role = caller),
            (SELECT u.user_id FROM ims.users u WHERE u.db_role = session_user),
            CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = 'ims_app')
                  AND pg_has_role(caller, 'ims_app', 'MEMBER')
                  AND current_setting('app.current_user_id', true) ~ '^\s*[0-9]{1,9}\s*$'
                 THEN btrim(current_setting('app.current_user_id', true))::integer
            END)
    END
$function$
;
CREATE OR REPLACE FUNCTION ims.crawler_ts(raw text, tz text DEFAULT NULL::text)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT CASE
        WHEN raw ~ '^(19|2[0-9])[0-9]{2}[-/](0[1-9]|1[0-2])[-/](0[1-9]|1[0-9]|2[0-8])[ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$'
        THEN replace(raw, '/', '-')::timestamp
             AT TIME ZONE coalesce(tz, nullif(current_setting('ims.source_timezone', true), ''), 'Asia/Seoul')
        ELSE ims.crawler_ts_general(raw, tz)
    END
$function$
;
CREATE OR REPLACE FUNCTION ims.crawler_ts_general(raw text, tz text DEFAULT NULL::text)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.current_app_user_id()
 RETURNS integer
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT ims.app_user_id_of(current_user)
$function$
;
CREATE OR REPLACE FUNCTION ims.ensure_audit_log_partition(ts timestamp with time zone)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
DECLARE
    lo   timestamptz := date_trunc('quarter', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    hi   timestamptz := lo + interval '3 months';
    name text := format('audit_log_%sq%s', to_char(lo AT TIME ZONE 'UTC', 'YYYY'),
                        to_char(lo AT TIME ZONE 'UTC', 'Q'));
BEGIN
    IF to_regclass(format('ims.%I', name)) IS NOT NULL THEN
        RETURN name;
    END IF;
    -- Two loaders may arrive at once: the second waits here, then finds the partition. The
    -- re-check reads pg_class with a fresh snapshot (to_regclass may answer from a cache that
    -- an advisory lock does not refresh).
    PERFORM pg_advisory_xact_lock(hashtext('ims.audit_log partitions'));
    IF EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'ims' AND c.relname = name) THEN
        RETURN name;
    END IF;
    EXECUTE format('CREATE TABLE ims.%I (LIKE ims.audit_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('WITH moved AS (DELETE FROM ims.audit_log_default WHERE created_at >= %L AND created_at < %L RETURNING *)
                    INSERT INTO ims.%I SELECT * FROM moved', lo, hi, name);
    EXECUTE format('ALTER TABLE ims.audit_log ATTACH PARTITION ims.%I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
    RETURN name;
END;
$function$
;
CREATE OR REPLACE FUNCTION ims.issue_search_text_sync()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    INSERT INTO ims.issue_search_text (issue_pk, title, description)
    VALUES (NEW.issue_pk, NEW.title, NEW.description)
    ON CONFLICT (issue_pk) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description;
    RETURN NULL;
END
$function$
;
CREATE OR REPLACE FUNCTION ims.match_query_history(p_from timestamp with time zone, p_to timestamp with time zone)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.newer_crawl(new_at timestamp with time zone, new_session bigint, old_at timestamp with time zone, old_session bigint)
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
    SELECT old_at IS NULL
        OR new_at > old_at
        OR (new_at = old_at
            AND coalesce((SELECT session_uuid FROM ims.crawl_sessions WHERE session_id = new_session), '')
                >= coalesce((SELECT session_uuid FROM ims.crawl_sessions WHERE session_id = old_session), ''))
$function$
;
CREATE OR REPLACE FUNCTION ims.newer_download(new_at timestamp with time zone, new_path text, old_at timestamp with time zone, old_path text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT new_at IS NOT NULL AND (old_at IS NULL OR (new_at, new_path) >= (old_at, old_path))
$function$
;
CREATE OR REPLACE FUNCTION ims.parse_history_details(details text)
 RETURNS TABLE(field_name text, old_value text, new_value text, change_type text)
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE ROWS 1
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.parse_size(raw text)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.query_history_matches(p_from timestamp with time zone, p_to timestamp with time zone)
 RETURNS TABLE(query_id bigint, session_id bigint)
 LANGUAGE sql
 STABLE
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.refresh_analytics(tz text DEFAULT 'Asia/Seoul'::text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.search_attachment_hits(caller name, pattern text, pairs tsquery, candidates bigint[] DEFAULT NULL::bigint[], exact boolean DEFAULT false)
 RETURNS TABLE(issue_pk bigint, field smallint)
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.search_attachment_scope(caller name, OUT all_texts boolean, OUT user_id integer)
 RETURNS record
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT pg_has_role(session_user, caller, 'MEMBER')
               AND has_column_privilege(caller, 'ims.attachments', 'extracted_text', 'SELECT'),
           ims.app_user_id_of(caller)
$function$
;
CREATE OR REPLACE FUNCTION ims.search_attachment_text(caller name, issue bigint, pattern text)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
    SELECT a.extracted_text
    FROM ims.attachments a, ims.search_attachment_scope(caller) s
    WHERE a.issue_pk = issue AND a.extracted_text ILIKE pattern
      AND (s.all_texts OR (a.file_path IS NOT NULL AND EXISTS (SELECT FROM ims.crawl_sessions cs
                                  WHERE cs.user_id = s.user_id AND starts_with(a.file_path, cs.data_path || '/'))))
    ORDER BY a.attachment_id
    LIMIT 1
$function$
;
CREATE OR REPLACE FUNCTION ims.search_bigrams(body text)
 RETURNS tsvector
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE COST 1000
AS $function$
BEGIN
    RETURN CASE WHEN octet_length(body) > 250000 THEN array_to_tsvector(ARRAY[E'\x01'])
                ELSE array_to_tsvector(string_to_array(regexp_replace(translate(lower(body), E'\x01', E'\x02'), '.', E'\\&\x01\\&', 'g'), E'\x01'))
           END;
END
$function$
;
CREATE OR REPLACE FUNCTION ims.search_issues(query text, product_filter text DEFAULT NULL::text, status_filter text DEFAULT NULL::text, since timestamp with time zone DEFAULT NULL::timestamp with time zone, until timestamp with time zone DEFAULT NULL::timestamp with time zone, max_results integer DEFAULT 50)
 RETURNS TABLE(issue_id character varying, title text, status text, product text, registered_date timestamp with time zone, matched_in text[], snippet text, match_start integer, match_length integer, rank real)
 LANGUAGE plpgsql
 STABLE
 SET max_parallel_workers_per_gather TO '0'
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.search_like_pattern(q text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$function$
;
CREATE OR REPLACE FUNCTION ims.search_query_bigrams(q text)
 RETURNS tsquery
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE WHEN cardinality(b) > 2 THEN
               array_to_string(ARRAY(SELECT '''' || replace(replace(p, '\', '\\'), '''', '''''') || ''''
                                     FROM unnest(b[2:cardinality(b) - 1]) AS p), ' & ')::tsquery
           END
    FROM (SELECT string_to_array(regexp_replace(translate(lower(q), E'\x01', E'\x02'), '.', E'\\&\x01\\&', 'g'), E'\x01') AS b) s
$function$
;
CREATE OR REPLACE FUNCTION ims.search_snippet(body text, term text, width integer DEFAULT 40, OUT snippet text, OUT match_start integer, OUT match_length integer)
 RETURNS record
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT pre || hit || post, length(pre) + 1, length(hit)
    FROM (SELECT strpos(lower(body), lower(term)) AS p, length(term) AS n) a,
    LATERAL (SELECT greatest(a.p - width, 1) AS s) b,
    LATERAL (SELECT
        CASE WHEN b.s > 1 THEN '…' ELSE '' END || regexp_replace(substr(body, b.s, a.p - b.s), '\s+', ' ', 'g') AS pre,
        regexp_replace(substr(body, a.p, a.n), '\s+', ' ', 'g') AS hit,
        regexp_replace(substr(body, a.p + a.n, width), '\s+', ' ', 'g') || CASE WHEN a.p + a.n + width <= length(body) THEN '…' ELSE '' END AS post) c
    WHERE a.p > 0
$function$
;
CREATE OR REPLACE FUNCTION ims.search_term_hits(pattern text, pairs tsquery, candidates bigint[] DEFAULT NULL::bigint[], exact boolean DEFAULT false)
 RETURNS TABLE(issue_pk bigint, field smallint)
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
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
$function$
;
CREATE OR REPLACE FUNCTION ims.search_terms(query text)
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT coalesce(array_agg(t ORDER BY n), '{}')
    FROM (
        SELECT DISTINCT ON (lower(t)) t, n
        FROM (SELECT coalesce(m[1], m[2]) AS t, n
              FROM regexp_matches(coalesce(query, ''), '"([^"]*)"?|([^[:space:]"]+)', 'g') WITH ORDINALITY AS r (m, n)) a
        WHERE t <> ''
        ORDER BY lower(t), n
    ) b
$function$
;
CREATE OR REPLACE FUNCTION ims.update_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.updated_at = CURRENT_TIMESTAMP;
    RETURN NEW;
END;
$function$
;
CREATE OR REPLACE FUNCTION ims.valid_civil_time(y integer, mo integer, d integer, h integer, mi integer, s numeric)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT y BETWEEN 1900 AND 2999
       AND mo BETWEEN 1 AND 12
       AND d BETWEEN 1 AND extract(day FROM (make_date(y, mo, 1) + interval '1 month - 1 day'))::int
       AND h BETWEEN 0 AND 23 AND mi BETWEEN 0 AND 59 AND s >= 0 AND s < 60
$function$
;

-- triggers
CREATE TRIGGER update_crawl_sessions_updated_at BEFORE UPDATE ON ims.crawl_sessions FOR EACH ROW EXECUTE FUNCTION ims.update_updated_at();
CREATE TRIGGER trg_issues_search_text_insert AFTER INSERT ON ims.issues FOR EACH ROW EXECUTE FUNCTION ims.issue_search_text_sync();
CREATE TRIGGER trg_issues_search_text_update AFTER UPDATE OF title, description ON ims.issues FOR EACH ROW WHEN (((old.title IS DISTINCT FROM new.title) OR (old.description IS DISTINCT FROM new.description))) EXECUTE FUNCTION ims.issue_search_text_sync();
CREATE TRIGGER update_issues_updated_at BEFORE UPDATE ON ims.issues FOR EACH ROW EXECUTE FUNCTION ims.update_updated_at();
CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON ims.users FOR EACH ROW EXECUTE FUNCTION ims.update_updated_at();

-- policies
POLICY admin_all ON ims.analytics_daily FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.analytics_daily FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY owner_all ON ims.analytics_daily FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_all ON ims.analytics_daily FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.analytics_daily FOR SELECT TO ims_user USING ((user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)));
POLICY admin_all ON ims.analytics_monthly FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.analytics_monthly FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY owner_all ON ims.analytics_monthly FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_all ON ims.analytics_monthly FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.analytics_monthly FOR SELECT TO ims_user USING ((user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)));
POLICY admin_all ON ims.audit_log FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.audit_log FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY owner_all ON ims.audit_log FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_all ON ims.audit_log FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.audit_log FOR SELECT TO ims_user USING ((user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)));
POLICY admin_sessions_policy ON ims.crawl_sessions FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.crawl_sessions FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY loader_all_policy ON ims.crawl_sessions FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_sessions_policy ON ims.crawl_sessions FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.crawl_sessions FOR SELECT TO ims_user USING ((user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)));
POLICY admin_all ON ims.search_queries FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.search_queries FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY owner_all ON ims.search_queries FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_all ON ims.search_queries FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.search_queries FOR SELECT TO ims_user USING ((user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)));
POLICY admin_all ON ims.session_errors FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.session_errors FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY owner_all ON ims.session_errors FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_all ON ims.session_errors FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.session_errors FOR SELECT TO ims_user USING ((session_id IN ( SELECT cs.session_id
   FROM ims.crawl_sessions cs
  WHERE (cs.user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)))));
POLICY admin_all ON ims.session_issues FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.session_issues FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY owner_all ON ims.session_issues FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_all ON ims.session_issues FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.session_issues FOR SELECT TO ims_user USING ((session_id IN ( SELECT cs.session_id
   FROM ims.crawl_sessions cs
  WHERE (cs.user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)))));
POLICY admin_all ON ims.users FOR ALL TO ims_admin USING (true) WITH CHECK (true);
POLICY loader_all ON ims.users FOR ALL TO ims_loader USING (true) WITH CHECK (true);
POLICY owner_all ON ims.users FOR ALL TO <loader> USING (true) WITH CHECK (true);
POLICY readonly_all ON ims.users FOR SELECT TO ims_readonly USING (true);
POLICY user_own_rows ON ims.users FOR SELECT TO ims_user USING ((user_id = ( SELECT ims.current_app_user_id() AS current_app_user_id)));
