-- merge/070_issue_history: history entries, one row per (issue, date, user, details), unioned
-- across every crawl. "Field: old -> new" details also fill field_name, old_value, new_value
-- and change_type (ims.parse_history_details).
-- Parameters: none (history belongs to the issue). Reads: stage_file, ims.issues.
-- Writes: ims.issue_history.
--
-- The key is the whole entry, so a re-crawl finds it unchanged, and the batch's copies of one
-- entry are one row before they reach the table; the update only ever fires
-- when a newer ims-ingest parses the same entry differently.
INSERT INTO ims.issue_history AS h (
    issue_pk, entry_hash, changed_by, changed_at, change_type, field_name, old_value,
    new_value, description)
SELECT d.issue_pk, d.entry_hash,
       nullif(d.h->>'user', ''),
       ims.crawler_ts(d.h->>'date'),
       p.change_type, p.field_name, p.old_value, p.new_value,
       d.h->>'details'
FROM (
    -- Each entry once, before it is parsed: the batch's crawls of an issue repeat its history.
    -- The issue is looked up per file, before the entries are unnested (see 060).
    SELECT DISTINCT ON (i.issue_pk, k.entry_hash) i.issue_pk, k.entry_hash, e.h
    FROM stage_file sf
    JOIN ims.issues i ON i.issue_id = sf.issue_id
    CROSS JOIN LATERAL jsonb_array_elements(sf.doc->'history') AS e(h)
    CROSS JOIN LATERAL (
        SELECT md5(concat_ws(E'\x1f', e.h->>'date', e.h->>'user', e.h->>'details'))::uuid AS entry_hash
    ) k
    ORDER BY i.issue_pk, k.entry_hash
) d
CROSS JOIN LATERAL ims.parse_history_details(d.h->>'details') AS p
ON CONFLICT (issue_pk, entry_hash) DO UPDATE SET
    changed_by = EXCLUDED.changed_by,
    changed_at = EXCLUDED.changed_at,
    change_type = EXCLUDED.change_type,
    field_name = EXCLUDED.field_name,
    old_value = EXCLUDED.old_value,
    new_value = EXCLUDED.new_value,
    description = EXCLUDED.description
WHERE (h.changed_by, h.changed_at, h.change_type, h.field_name, h.old_value, h.new_value,
       h.description)
      IS DISTINCT FROM
      (EXCLUDED.changed_by, EXCLUDED.changed_at, EXCLUDED.change_type, EXCLUDED.field_name,
       EXCLUDED.old_value, EXCLUDED.new_value, EXCLUDED.description);
