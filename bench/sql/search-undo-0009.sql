-- bench/search-undo-0009: takes a migrated database back to the search indexes of 0003, for
-- the benchmark's "before" loads (bench/search.ts). Reads: nothing. Writes: drops what
-- 0009_search.sql added to tables (side table, triggers, bigram indexes); its functions stay.
DROP TRIGGER trg_issues_search_text_insert ON ims.issues;
DROP TRIGGER trg_issues_search_text_update ON ims.issues;
DROP TABLE ims.issue_search_text;
DROP INDEX ims.idx_comments_content_bigram, ims.idx_attachments_text_bigram;
