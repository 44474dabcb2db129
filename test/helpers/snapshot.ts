import { Pool } from 'pg';

/**
 * Every ims table's content by natural keys, with the serial ids replaced by the keys they
 * stand for (issue_id, session_uuid, username) and the ingestion-time columns (created_at,
 * updated_at, audit created_at) left out: what the files say, independent of load order.
 */
export async function naturalSnapshot(pool: Pool): Promise<Record<string, unknown[]>> {
  const queries: Record<string, string> = {
    users: `SELECT username, email, full_name, role, is_active FROM ims.users ORDER BY username`,
    crawl_sessions: `
      SELECT cs.session_uuid, u.username, cs.product, cs.original_query, cs.parsed_query, cs.query_language,
             cs.max_results, cs.crawl_related, cs.status, cs.started_at, cs.completed_at, cs.duration_seconds,
             cs.total_issues_found, cs.issues_crawled, cs.attachments_downloaded, cs.failed_issues,
             cs.related_issues, cs.data_path, cs.metadata, cs.layout, cs.folder_name, cs.content_hash
      FROM ims.crawl_sessions cs JOIN ims.users u USING (user_id) ORDER BY cs.session_uuid`,
    issues: `
      SELECT i.issue_id, i.title, i.description, i.product, i.status, i.priority, i.severity, i.issue_type,
             i.reporter, i.owner, i.manager, i.registered_date, i.modified_date, i.closed_date,
             i.project_code, i.project_name, i.site, i.customer, i.found_version, i.fixed_version,
             i.target_version, i.full_data, i.first_crawled_at, i.last_crawled_at, i.crawl_count,
             i.assignee, i.url, s.session_uuid AS source_session, i.source_crawled_at
      FROM ims.issues i LEFT JOIN ims.crawl_sessions s ON s.session_id = i.source_session_id ORDER BY i.issue_id`,
    session_issues: `
      SELECT s.session_uuid, i.issue_id, si.crawl_order, si.crawled_at, si.source_file, si.had_errors
      FROM ims.session_issues si JOIN ims.crawl_sessions s USING (session_id) JOIN ims.issues i USING (issue_pk)
      ORDER BY 1, 2`,
    issue_comments: `
      SELECT i.issue_id, c.comment_key, c.comment_number, c.author, c.content, c.commented_at, c.source_crawled_at
      FROM ims.issue_comments c JOIN ims.issues i USING (issue_pk) ORDER BY 1, 2`,
    issue_history: `
      SELECT i.issue_id, h.entry_hash, h.changed_by, h.changed_at, h.change_type, h.field_name, h.old_value,
             h.new_value, h.description
      FROM ims.issue_history h JOIN ims.issues i USING (issue_pk) ORDER BY 1, 2`,
    attachments: `
      SELECT i.issue_id, a.attachment_key, a.file_id, s.session_uuid, a.filename, a.file_type, a.file_size,
             a.size_text, a.file_path, a.downloaded, a.extracted_text, a.text_extracted, a.source_crawled_at,
             a.download_crawled_at, a.download_url, a.download_url_crawled_at
      FROM ims.attachments a JOIN ims.issues i USING (issue_pk) LEFT JOIN ims.crawl_sessions s USING (session_id)
      ORDER BY 1, 2`,
    search_queries: `
      SELECT s.session_uuid, u.username, q.original_query, q.parsed_query, q.query_language, q.product,
             q.results_count, q.queried_at, q.parsing_method, q.parsing_confidence, q.history_key,
             q.is_favorite, q.history_entry
      FROM ims.search_queries q LEFT JOIN ims.crawl_sessions s USING (session_id) JOIN ims.users u ON u.user_id = q.user_id
      ORDER BY q.history_key NULLS LAST, 1`,
    session_errors: `
      SELECT s.session_uuid, e.error_key, e.error_type, e.severity, e.error_message, e.error_detail,
             e.file_path, e.occurred_at
      FROM ims.session_errors e JOIN ims.crawl_sessions s USING (session_id) ORDER BY 1, 2`,
    analytics_daily: `
      SELECT u.username, a.stat_date::text, a.sessions_count, a.successful_sessions, a.failed_sessions,
             a.issues_crawled, a.unique_issues, a.new_issues, a.attachments_downloaded,
             a.avg_session_duration_sec, a.avg_issues_per_session, a.product_stats, a.top_queries
      FROM ims.analytics_daily a LEFT JOIN ims.users u USING (user_id) ORDER BY 1 NULLS FIRST, 2`,
    analytics_monthly: `
      SELECT u.username, a.year, a.month, a.total_sessions, a.avg_sessions_per_day, a.total_issues_crawled,
             a.unique_issues, a.keyword_trends, a.product_distribution, a.issue_status_breakdown
      FROM ims.analytics_monthly a LEFT JOIN ims.users u USING (user_id) ORDER BY 1 NULLS FIRST, 2, 3`,
    audit_log: `
      SELECT a.action, a.resource_type, a.resource_id, a.new_value - 'session_id' AS new_value
      FROM ims.audit_log a ORDER BY a.resource_id, a.new_value->>'content_hash'`,
  };
  const out: Record<string, unknown[]> = {};
  for (const [table, sql] of Object.entries(queries)) out[table] = (await pool.query(sql)).rows;
  return out;
}
