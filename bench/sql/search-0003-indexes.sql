-- bench/search-0003-indexes: the six indexes 0009_search.sql dropped, as 0003_search.sql made
-- them (trigram and 'simple' full-text), for the "before" load and the index build timing of
-- bench/search.ts. Reads/writes: indexes on ims.issues, ims.issue_comments, ims.attachments.
CREATE INDEX idx_issues_title_simple_fts ON ims.issues USING GIN (to_tsvector('simple', title));
CREATE INDEX idx_issues_description_simple_fts ON ims.issues USING GIN (to_tsvector('simple', description));
CREATE INDEX idx_issues_title_trgm ON ims.issues USING GIN (title public.gin_trgm_ops);
CREATE INDEX idx_issues_description_trgm ON ims.issues USING GIN (description public.gin_trgm_ops);
CREATE INDEX idx_comments_content_trgm ON ims.issue_comments USING GIN (content public.gin_trgm_ops);
CREATE INDEX idx_attachments_text_simple_fts ON ims.attachments USING GIN (to_tsvector('simple', extracted_text));
