import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backfill, BackfillSummary } from '../../src/ingest/backfill';
import { uuidV5 } from '../../src/files/crawler-names';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURE_TABLE_ROWS, FIXTURES, fixtureJson, OPTIONS, S } from '../helpers/fixtures';

/** The fixtures loaded once, then checked value by value against what the files say. */
let db: TestDatabase;
let summary: BackfillSummary;

beforeAll(async () => {
  db = await createTestDatabase();
  summary = await backfill(db.pool, FIXTURES, OPTIONS);
});
afterAll(() => db.drop());

const one = async (sql: string, params: unknown[] = []) => {
  const { rows } = await db.pool.query(sql, params);
  expect(rows).toHaveLength(1);
  return rows[0];
};
const issue = (id: string) => one('SELECT * FROM ims.issues WHERE issue_id = $1', [id]);
const iso = (d: Date | null) => (d === null ? null : d.toISOString());

describe('backfill of fixtures/', () => {
  it('reports every session and fills every table', async () => {
    // 9 folders, 8 crawls: S5 and its migrated copy S5m are one crawl. Discovered in path
    // order, S5 (crawl_sessions/) loads first and S5m (rank 3) replaces its row.
    expect(summary.found).toBe(9);
    expect(summary.outcomes.map((o) => o.result).sort()).toEqual(Array(9).fill('ingested'));
    expect(summary.outcomes.reduce((a, o) => a + o.staged, 0)).toBe(18);
    expect(summary.history).toEqual({ status: 'loaded', entries: 4, changed: expect.any(Number), problems: [] });
    expect(summary.tableRows).toEqual(FIXTURE_TABLE_ROWS);
  });

  it('names users from the path, metadata.json, or the default for the shared layout', async () => {
    const { rows } = await db.pool.query('SELECT username FROM ims.users ORDER BY username');
    expect(rows.map((r) => r.username)).toEqual(['alice', 'bob', 'jdoe', 'unknown']);
  });

  it('identifies sessions by folder: deterministic uuid, absolute data_path, Seoul wall-clock start', async () => {
    const s1 = await one(
      `SELECT cs.*, u.username FROM ims.crawl_sessions cs JOIN ims.users u USING (user_id) WHERE session_uuid = $1`,
      [uuidV5('alice/OpenFrame_TPETIME_error_에러_오류_20260103_120855')],
    );
    expect(s1).toMatchObject({
      // What the user typed and the IMS query run, from the query history entry.
      username: 'alice',
      product: 'OpenFrame',
      original_query: 'TPETIME 에러 원인 찾아줘',
      status: 'completed',
      parsed_query: '+TPETIME error 에러 오류',
      query_language: 'ko',
      crawl_related: true,
      layout: 'per_user',
      issues_crawled: 3,
      related_issues: 1,
      attachments_downloaded: 1,
      failed_issues: 0,
      total_issues_found: 3,
      data_path: join(FIXTURES, S.S1),
      folder_name: 'OpenFrame_TPETIME_error_에러_오류_20260103_120855',
    });
    // 12:08:55 in Seoul is 03:08:55 UTC; completed at the history entry's timestamp
    // (12:09:12.771094 KST), after the last crawled_at (12:09:11.350068).
    expect(iso(s1.started_at)).toBe('2026-01-03T03:08:55.000Z');
    expect(iso(s1.completed_at)).toBe('2026-01-03T03:09:12.771Z');
    expect(s1.duration_seconds).toBe(18);

    const s5 = await one(
      `SELECT cs.*, u.username FROM ims.crawl_sessions cs JOIN ims.users u USING (user_id) WHERE session_uuid = $1`,
      [uuidV5('ProSort_sort_memory_부족_20251220_080000')],
    );
    // The migrated copy says whose crawl it was, and is the row's copy; the history, what was typed.
    expect(s5).toMatchObject({
      username: 'jdoe',
      layout: 'migrated',
      product: 'ProSort',
      original_query: 'ProSort 정렬 메모리 부족 문제',
      parsed_query: 'sort memory 부족',
      issues_crawled: 2,
      data_path: join(FIXTURES, 'users/jdoe/sessions/ProSort_sort_memory_부족_20251220_080000'),
    });
    expect(iso(s5.started_at)).toBe('2025-12-19T23:00:00.000Z');
  });

  it('takes the migrated layout from metadata.json, computing a duration that is never negative', async () => {
    const s8 = await one(`SELECT * FROM ims.crawl_sessions WHERE folder_name = 'Tibero_백업_복구_20251215_110000'`);
    const meta = fixtureJson(`${S.S8}/metadata.json`);
    expect(meta.duration_seconds).toBe(-3);
    // The folder name's start and the last crawled_at (11:00:07.214455 KST): a migration's
    // created_at/completed_at are only used where the files say nothing.
    expect(iso(s8.started_at)).toBe('2025-12-15T02:00:00.000Z');
    expect(iso(s8.completed_at)).toBe('2025-12-15T02:00:07.214Z');
    expect(s8.duration_seconds).toBe(7);
    expect(s8).toMatchObject({
      layout: 'migrated',
      query_language: meta.search_config.language,
      max_results: meta.search_config.max_results,
    });
    const errors = await db.pool.query(
      `SELECT error_key, severity, error_message FROM ims.session_errors WHERE session_id = $1 ORDER BY error_key`,
      [s8.session_id],
    );
    expect(errors.rows).toEqual([
      { error_key: 'metadata:errors:0', severity: 'error', error_message: meta.errors[0] },
      { error_key: 'metadata:errors:1', severity: 'error', error_message: meta.errors[1] },
      { error_key: 'metadata:warnings:0', severity: 'warning', error_message: meta.warnings[0] },
    ]);
  });

  it('records a session with only no_results/debug_screenshot files as failed, with an error row', async () => {
    const s4 = await one(`SELECT * FROM ims.crawl_sessions WHERE folder_name = 'JEUS_deploy_fail_20260106_100000'`);
    expect(s4).toMatchObject({ status: 'failed', issues_crawled: 0, related_issues: 0, attachments_downloaded: 0 });
    const e = await one(`SELECT * FROM ims.session_errors WHERE session_id = $1`, [s4.session_id]);
    expect(e).toMatchObject({ error_key: 'crawl:failed', error_type: 'crawling', severity: 'error' });
    expect(e.error_message).toContain('no_results_20260106_100012.png');
    expect(iso(e.occurred_at)).toBe('2026-01-06T01:00:11.000Z');
  });

  it('holds the newest crawl of a re-crawled issue, whatever session it came from', async () => {
    const newest = fixtureJson(`${S.S2}/347863_20260110_143927.json`);
    const i = await issue('347863');
    expect(i).toMatchObject({
      title: newest.title,
      description: newest.description,
      status: 'Closed',
      priority: newest.priority,
      product: newest.product,
      reporter: newest.reporter || null,
      assignee: newest.assignee,
      url: newest.url,
      crawl_count: 3,
    });
    expect(i.full_data).toEqual(newest);
    expect(iso(i.registered_date)).toBe('2025-10-17T09:12:14.000Z'); // 2025/10/17 18:12:14 KST
    expect(iso(i.modified_date)).toBe('2026-01-09T08:40:02.000Z'); // 2026/01/09 17:40:02 KST
    expect(iso(i.closed_date)).toBe('2026-01-09T08:40:02.000Z');
    expect(iso(i.first_crawled_at)).toBe('2025-12-22T06:30:06.331Z'); // S6, the oldest crawl
    expect(iso(i.last_crawled_at)).toBe('2026-01-10T05:39:27.118Z');
    const src = await one(`SELECT folder_name FROM ims.crawl_sessions WHERE session_id = $1`, [i.source_session_id]);
    expect(src.folder_name).toBe('OpenFrame_OpenFrame_TPETIME_에러_발생_20260110_143921');
  });

  it('unions comments by action_no with the newest content, history by entry, attachments by file_id', async () => {
    const newest = fixtureJson(`${S.S2}/347863_20260110_143927.json`);
    const { rows: comments } = await db.pool.query(
      `SELECT c.comment_key, c.comment_number, c.author, c.content FROM ims.issue_comments c
       JOIN ims.issues i USING (issue_pk) WHERE i.issue_id = '347863' ORDER BY c.comment_key`,
    );
    const expected = [...newest.comments]
      .sort((a, b) => (a.action_no < b.action_no ? -1 : 1))
      .map((c) => ({ comment_key: c.action_no, comment_number: c.action_no, author: c.author, content: c.content }));
    expect(comments).toEqual(expected);

    const { rows: history } = await db.pool.query(
      `SELECT h.changed_by, h.changed_at, h.field_name, h.old_value, h.new_value, h.change_type, h.description
       FROM ims.issue_history h JOIN ims.issues i USING (issue_pk) WHERE i.issue_id = '347863' ORDER BY h.changed_at`,
    );
    expect(history).toHaveLength(3);
    expect(history.map((h) => h.description)).toEqual(newest.history.map((h: any) => h.details));
    expect(history[0]).toMatchObject({
      field_name: 'Handler',
      old_value: '김예진C',
      new_value: '박민수',
      change_type: 'assignment',
    });
    expect(history[1]).toMatchObject({
      field_name: 'Status',
      old_value: 'New',
      new_value: 'Assigned',
      change_type: 'status_change',
    });
    expect(iso(history[1].changed_at)).toBe('2025-12-29T01:02:11.000Z');

    const { rows: att } = await db.pool.query(
      `SELECT a.file_id, a.filename, a.file_type, a.file_size, a.size_text, a.downloaded, a.file_path, a.extracted_text
       FROM ims.attachments a JOIN ims.issues i USING (issue_pk) WHERE i.issue_id = '347863' ORDER BY a.file_id`,
    );
    expect(att.map((a) => a.file_id)).toEqual(newest.attachments.map((a: any) => a.file_id).sort());
    const downloaded = att.find((a) => a.downloaded);
    expect(downloaded.filename).toBe('tpetime_log.txt');
    expect(downloaded.file_path).toBe(join(FIXTURES, S.S1, 'attachments/347863/tpetime_log.txt'));
    expect(downloaded.extracted_text).toBe(
      readFileSync(join(FIXTURES, S.S1, 'attachments/347863/tpetime_log.txt.txt'), 'utf8'),
    );
  });

  it('takes the newer of two files of one issue in one session, with one link row', async () => {
    expect((await issue('344218')).priority).toBe('High');
    const { rows } = await db.pool.query(
      `SELECT si.crawl_order, si.source_file FROM ims.session_issues si JOIN ims.issues i USING (issue_pk)
       JOIN ims.crawl_sessions cs USING (session_id) WHERE i.issue_id = '344218' AND cs.folder_name = $1`,
      ['OpenFrame_OpenFrame_TPETIME_에러_발생_20260110_143921'],
    );
    expect(rows).toEqual([{ crawl_order: 2, source_file: '344218_20260110_143950.json' }]);
  });

  it('links a related issue without crawl_order', async () => {
    const link = await one(
      `SELECT si.crawl_order FROM ims.session_issues si JOIN ims.issues i USING (issue_pk) WHERE i.issue_id = '340100'`,
    );
    expect(link.crawl_order).toBeNull();
  });

  it('keeps hostile strings byte for byte, removing only NUL, and records the repair', async () => {
    const file = fixtureJson(`${S.S3}/351234_20260105_091506.json`);
    const i = await issue('351234');
    expect(file.description).toContain('\u0000');
    expect(i.title).toBe(file.title);
    expect(i.description).toBe(file.description.replace(/\u0000/g, ''));
    expect(i.description).toContain('\\N');
    expect(i.description).toContain('C:\\tmax\\bin');
    expect(i.full_data.description).toBe(i.description);
    const { rows } = await db.pool.query(
      `SELECT c.content, c.commented_at FROM ims.issue_comments c JOIN ims.issues x USING (issue_pk)
       WHERE x.issue_id = '351234' ORDER BY c.comment_key`,
    );
    expect(rows.map((r) => r.content)).toEqual(
      [...file.comments]
        .sort((a, b) => (a.action_no < b.action_no ? -1 : 1))
        .map((c) => c.content.replace(/\u0000/g, '')),
    );
    // 2026-01-04 21:33:10 and 2026/01/05 are Seoul times; "" and "어제" are not times.
    expect(rows.map((r) => iso(r.commented_at))).toEqual([
      '2026-01-04T12:33:10.000Z',
      '2026-01-04T15:00:00.000Z',
      null,
      null,
    ]);
    const warning = await one(
      `SELECT * FROM ims.session_errors WHERE error_key = 'repair:351234_20260105_091506.json'`,
    );
    expect(warning.severity).toBe('warning');
    expect(warning.error_message).toMatch(/removed 1 NUL character from description/);
  });

  it('parses attachment sizes and keeps the text IMS showed', async () => {
    const { rows } = await db.pool.query(
      `SELECT a.size_text, a.file_size, a.file_type FROM ims.attachments a JOIN ims.issues i USING (issue_pk)
       WHERE i.issue_id = '351234' ORDER BY a.file_id`,
    );
    const bySize = Object.fromEntries(rows.map((r) => [r.size_text ?? '', r]));
    expect(bySize['1.2 MB'].file_size).toBe(String(Math.round(1.2 * 1048576)));
    expect(bySize[''].file_size).toBeNull();
    expect(rows.map((r) => r.file_type)).toContain('patch');
  });

  it('writes one search query per session and analytics without double counting', async () => {
    const q = await one(
      `SELECT q.* FROM ims.search_queries q JOIN ims.crawl_sessions cs USING (session_id) WHERE cs.folder_name = $1`,
      ['OpenFrame_TPETIME_error_에러_오류_20260103_120855'],
    );
    expect(q).toMatchObject({
      original_query: 'TPETIME 에러 원인 찾아줘',
      parsed_query: '+TPETIME error 에러 오류',
      product: 'OpenFrame',
      results_count: 3,
      parsing_method: 'rules',
      parsing_confidence: '0.75',
      is_favorite: false,
      history_key: '2026-01-03T12:09:12.771094|OpenFrame|TPETIME 에러 원인 찾아줘',
    });
    const totals = await one(`
      SELECT sum(sessions_count)::int AS sessions, sum(issues_crawled)::int AS issues, sum(failed_sessions)::int AS failed
      FROM ims.analytics_daily WHERE user_id IS NULL`);
    const truth = await one(`SELECT count(*)::int AS sessions, sum(issues_crawled)::int AS issues,
      count(*) FILTER (WHERE status = 'failed')::int AS failed FROM ims.crawl_sessions`);
    expect(totals).toEqual(truth);
    const alice = await one(`
      SELECT a.stat_date::text AS d, a.sessions_count, a.issues_crawled, a.unique_issues, a.new_issues
      FROM ims.analytics_daily a JOIN ims.users u USING (user_id) WHERE u.username = 'alice' AND a.stat_date = '2026-01-03'`);
    // S1: 3 search results + 1 related issue; 345001 and 340100 were first crawled then.
    expect(alice).toEqual({ d: '2026-01-03', sessions_count: 1, issues_crawled: 3, unique_issues: 4, new_issues: 2 });
  });

  it('finds Korean and Japanese text through the simple and trigram indexes', async () => {
    const { rows: words } = await db.pool.query(
      `SELECT issue_id FROM ims.issues WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', '동경해상') ORDER BY 1`,
    );
    expect(words.map((r) => r.issue_id)).toEqual(['344218', '347863']);
    const { rows: sub } = await db.pool.query(`SELECT issue_id FROM ims.issues WHERE title ILIKE '%東京海上%'`);
    expect(sub.map((r) => r.issue_id)).toEqual(['360001']);
  });

  it('audits each session load once, with its content fingerprint', async () => {
    const { rows } = await db.pool.query(`SELECT action, resource_type, new_value FROM ims.audit_log`);
    expect(rows).toHaveLength(9); // S5 and its migrated copy were each loaded once
    expect(new Set(rows.map((r) => r.action))).toEqual(new Set(['ingest_session']));
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.new_value.content_hash))).toBe(true);
  });
});
