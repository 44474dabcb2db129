-- 0003_search: full-text, trigram and JSONB indexes.
-- Reads/writes: indexes on ims.issues, ims.attachments, ims.search_queries, ims.crawl_sessions.
--
-- The seed's 'english' indexes are kept (English titles and error messages are common), but
-- 'english' stems English words and does nothing useful for Hangul or Kana, and most IMS text
-- is Korean. Added, per column:
--  * to_tsvector('simple', ...): whole-word search that works for any script
--    (WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', '에러'));
--  * pg_trgm GIN (gin_trgm_ops): substring search, the only thing that finds a Korean word
--    inside an agglutinated form ("에러가" for "에러") and Japanese text without spaces
--    (WHERE title ILIKE '%동경해상%', or title % 'query' for similarity).
-- pg_trgm ships with PostgreSQL's contrib (Debian: postgresql-contrib; embedded builds: included).

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE INDEX idx_issues_title_fts ON ims.issues USING GIN (to_tsvector('english', title));
CREATE INDEX idx_issues_description_fts ON ims.issues USING GIN (to_tsvector('english', description));
CREATE INDEX idx_issues_full_data ON ims.issues USING GIN (full_data);
CREATE INDEX idx_issues_title_simple_fts ON ims.issues USING GIN (to_tsvector('simple', title));
CREATE INDEX idx_issues_description_simple_fts ON ims.issues USING GIN (to_tsvector('simple', description));
CREATE INDEX idx_issues_title_trgm ON ims.issues USING GIN (title public.gin_trgm_ops);
CREATE INDEX idx_issues_description_trgm ON ims.issues USING GIN (description public.gin_trgm_ops);

CREATE INDEX idx_comments_content_trgm ON ims.issue_comments USING GIN (content public.gin_trgm_ops);

CREATE INDEX idx_attachments_text_fts ON ims.attachments USING GIN (to_tsvector('english', extracted_text));
CREATE INDEX idx_attachments_text_simple_fts ON ims.attachments USING GIN (to_tsvector('simple', extracted_text));

CREATE INDEX idx_queries_original_fts ON ims.search_queries USING GIN (to_tsvector('english', original_query));
CREATE INDEX idx_queries_original_trgm ON ims.search_queries USING GIN (original_query public.gin_trgm_ops);
