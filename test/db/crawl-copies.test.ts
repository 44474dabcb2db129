import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backfill, ingestMany, refreshAnalytics } from '../../src/ingest/backfill';
import { discoverSessions } from '../../src/files/discover';
import { loadQueryHistory } from '../../src/ingest/query-history';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { copyFixtures, OPTIONS, S } from '../helpers/fixtures';
import { naturalSnapshot } from '../helpers/snapshot';
import { uuidV5 } from '../../src/files/crawler-names';

/**
 * Issue 9: one crawl, one row, whatever copies of it exist and in whatever order they and the
 * query history are loaded; each crawl at the time it ran, with what the user searched.
 */
const dbs: TestDatabase[] = [];
const fresh = async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
};
const dirs: string[] = [];
const dir = () => {
  const d = copyFixtures();
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const db of dbs) await db.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const S5M = 'users/jdoe/sessions/ProSort_sort_memory_부족_20251220_080000';
const withoutAudit = async (db: TestDatabase) => {
  const { audit_log: _unused, ...rest } = await naturalSnapshot(db.pool);
  return rest;
};

it('the original, its copy and the history converge in every order, and only the copy gives the same rows', async () => {
  const root = dir();
  const refs = await discoverSessions(root);
  const copy = refs.find((r) => r.path === join(root, S5M))!;
  const original = refs.find((r) => r.path === join(root, S.S5))!;
  const others = refs.filter((r) => r !== copy && r !== original);
  const load = async (steps: ('orig' | 'copy' | 'history' | 'rest')[]) => {
    const db = await fresh();
    for (const step of steps) {
      if (step === 'history') await loadQueryHistory(db.pool, root, OPTIONS);
      else
        await ingestMany(db.pool, step === 'rest' ? others : [step === 'orig' ? original : copy], {
          ...OPTIONS,
          concurrency: 1,
        });
    }
    await refreshAnalytics(db.pool, OPTIONS.timezone);
    return withoutAudit(db);
  };
  const reference = await load(['orig', 'copy', 'rest', 'history']);
  expect(await load(['copy', 'orig', 'rest', 'history'])).toEqual(reference);
  expect(await load(['history', 'copy', 'rest', 'orig'])).toEqual(reference);
  expect(await load(['rest', 'history', 'orig', 'copy', 'orig', 'history', 'copy'])).toEqual(reference);
  expect(await load(['copy', 'rest', 'history'])).toEqual(reference); // the original never loaded

  const sessions = reference.crawl_sessions as any[];
  expect(sessions).toHaveLength(8); // 9 folders, 8 crawls
  const s5 = sessions.find((s) => s.folder_name === 'ProSort_sort_memory_부족_20251220_080000');
  expect(s5).toMatchObject({
    username: 'jdoe',
    layout: 'migrated',
    data_path: join(root, S5M),
    issues_crawled: 2,
    original_query: 'ProSort 정렬 메모리 부족 문제',
    parsed_query: 'sort memory 부족',
    query_language: 'ko',
    duration_seconds: 9, // 08:00:00 to the entry's timestamp 08:00:09.402116, not the migration's day
  });
  expect(s5.started_at.toISOString()).toBe('2025-12-19T23:00:00.000Z');
  expect(s5.completed_at.toISOString()).toBe('2025-12-19T23:00:09.402Z');
  // 330001 was crawled by S5 and S6: two crawls, not three.
  expect((reference.issues as any[]).find((i) => i.issue_id === '330001').crawl_count).toBe(2);
  const days = (reference.analytics_daily as any[]).filter((a) => a.username === null);
  expect(days.reduce((n, a) => n + a.sessions_count, 0)).toBe(8);
  expect(days.reduce((n, a) => n + a.failed_sessions, 0)).toBe(1);
});

it('keeps each history entry once, matched or not, with what was typed and whether it is a favourite', async () => {
  const root = dir();
  const db = await fresh();
  await backfill(db.pool, root, OPTIONS);
  const again = await loadQueryHistory(db.pool, root, OPTIONS);
  expect(again).toEqual({ status: 'loaded', entries: 4, changed: 0, problems: [] });
  const { rows } = await db.pool.query(`
    SELECT q.original_query, q.parsed_query, q.query_language, q.product, q.parsing_method, q.parsing_confidence::text,
           q.results_count, q.is_favorite,
           to_char(q.queried_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS queried, cs.folder_name, u.username
    FROM ims.search_queries q LEFT JOIN ims.crawl_sessions cs USING (session_id) JOIN ims.users u ON u.user_id = q.user_id
    WHERE q.history_key IS NOT NULL ORDER BY q.queried_at`);
  expect(rows).toEqual([
    {
      original_query: 'ProSort 정렬 메모리 부족 문제',
      parsed_query: 'sort memory 부족',
      query_language: 'ko',
      product: 'ProSort',
      parsing_method: 'llm',
      parsing_confidence: '0.90',
      results_count: 2,
      is_favorite: false,
      // timestamp - execution_time: 08:00:09.402116 - 9.102332 s, in Seoul
      queried: '2025-12-19 23:00:00.299784',
      folder_name: 'ProSort_sort_memory_부족_20251220_080000',
      username: 'jdoe',
    },
    {
      original_query: 'TPETIME 에러 원인 찾아줘',
      parsed_query: '+TPETIME error 에러 오류',
      query_language: 'ko',
      product: 'OpenFrame',
      parsing_method: 'rules',
      parsing_confidence: '0.75',
      results_count: 3,
      is_favorite: false,
      queried: expect.any(String),
      folder_name: 'OpenFrame_TPETIME_error_에러_오류_20260103_120855',
      username: 'alice',
    },
    {
      original_query: 'ORA-600 internal error',
      parsed_query: "'ORA-600' internal error",
      query_language: 'en',
      product: 'Tibero',
      parsing_method: 'direct',
      parsing_confidence: '1.00',
      results_count: 2,
      is_favorite: true,
      queried: expect.any(String),
      folder_name: 'Tibero_ORA-600_internal_error_20260105_091500',
      username: 'bob',
    },
    {
      original_query: 'JCL 배치 abend 원인',
      parsed_query: '+JCL abend',
      query_language: 'ko',
      product: 'OpenFrame',
      parsing_method: 'rules',
      parsing_confidence: '0.60',
      results_count: 0,
      is_favorite: false,
      queried: expect.any(String),
      folder_name: null,
      username: 'unknown',
    },
  ]);
  // One search_queries row per crawl: no session has two.
  const dup = await db.pool.query(
    `SELECT session_id FROM ims.search_queries WHERE session_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1`,
  );
  expect(dup.rows).toEqual([]);
});

it('reads a half-written history later, and names a history of the wrong shape without loading it', async () => {
  const root = dir();
  const db = await fresh();
  const path = join(root, 'history/query_history.json');
  writeFileSync(path, '[\n  {\n    "query": "TPETIME');
  await backfill(db.pool, root, OPTIONS);
  const half = await loadQueryHistory(db.pool, root, OPTIONS);
  expect(half.status).toBe('unreadable');
  expect(half.problems[0]).toContain(`${path}: not valid JSON`);
  expect(
    (await db.pool.query('SELECT count(*)::int AS n FROM ims.search_queries WHERE history_key IS NOT NULL')).rows[0].n,
  ).toBe(0);

  writeFileSync(path, JSON.stringify({ query: 'x' }));
  const wrong = await loadQueryHistory(db.pool, root, OPTIONS);
  expect(wrong).toMatchObject({
    status: 'unreadable',
    problems: [`${path}: expected a JSON array of query records, found object`],
  });

  writeFileSync(
    path,
    JSON.stringify([
      { product: 'Tibero' },
      'text',
      { query: 'q', product: 'JEUS', timestamp: '2026-01-06T10:00:31.5', execution_time: 31 },
    ]),
  );
  const partly = await loadQueryHistory(db.pool, root, OPTIONS);
  expect(partly).toMatchObject({
    status: 'loaded',
    entries: 2, // the favourite of favorites.json, and the JEUS entry
    problems: [
      `${path} [0]: query, timestamp missing or not a valid value; entry skipped`,
      `${path} [1]: expected an object, found string; entry skipped`,
    ],
  });
});

it('merges the empty folder a migration leaves for a no-results session with its failed original', async () => {
  const root = dir();
  const name = 'JEUS_deploy_fail_20260106_100000';
  cpSync(join(root, S.S4), join(root, 'crawl_sessions', name), { recursive: true });
  rmSync(join(root, S.S4), { recursive: true });
  for (const sub of ['issues', 'attachments'])
    mkdirSync(join(root, 'users/carol/sessions', name, sub), { recursive: true });
  const refs = (await discoverSessions(root)).filter((r) => r.folderName === name);
  expect(refs.map((r) => r.layout).sort()).toEqual(['migrated', 'shared']);
  const snaps = [];
  const whole = [];
  for (const order of [refs, [...refs].reverse()]) {
    const db = await fresh();
    await ingestMany(db.pool, order, { ...OPTIONS, concurrency: 1 });
    whole.push(await withoutAudit(db));
    const { rows } = await db.pool.query(`
      SELECT u.username, cs.status, cs.layout, cs.data_path, cs.metadata->'failure_markers' AS markers, e.error_message
      FROM ims.crawl_sessions cs JOIN ims.users u USING (user_id) JOIN ims.session_errors e USING (session_id)`);
    snaps.push(rows);
  }
  expect(snaps[0]).toEqual([
    {
      username: 'carol',
      status: 'failed',
      layout: 'shared',
      data_path: join(root, 'crawl_sessions', name),
      markers: [
        'debug_screenshot_20260106_100011.png',
        'no_results_20260106_100012.html',
        'no_results_20260106_100012.png',
      ],
      error_message:
        'the crawl found no issues: the crawler left debug_screenshot_20260106_100011.png, no_results_20260106_100012.html, no_results_20260106_100012.png',
    },
  ]);
  expect(snaps[1]).toEqual(snaps[0]);
  expect(whole[1]).toEqual(whole[0]);
});

it('records a file named for one issue that holds another as an error of that file, leaving the other issue alone', async () => {
  const root = dir();
  const s1 = join(root, S.S1);
  cpSync(join(s1, '345001_20260103_120911.json'), join(s1, '347863_20260103_120915.json'));
  const db = await fresh();
  await backfill(db.pool, root, OPTIONS);
  const { rows } = await db.pool.query(
    `SELECT error_key, severity, error_message FROM ims.session_errors WHERE error_key LIKE 'parse:347863%'`,
  );
  expect(rows).toEqual([
    {
      error_key: 'parse:347863_20260103_120915.json',
      severity: 'error',
      error_message:
        '347863_20260103_120915.json: the file name says issue 347863 but its issue_id is 345001; not loaded (it would overwrite issue 345001)',
    },
  ]);
  const s = await db.pool.query(`SELECT failed_issues FROM ims.crawl_sessions WHERE data_path = $1`, [s1]);
  expect(s.rows).toEqual([{ failed_issues: 1 }]);
});

it("loads an original and its copy at the same moment into one row, the copy's", async () => {
  const root = dir();
  const refs = (await discoverSessions(root)).filter(
    (r) => r.folderName === 'ProSort_sort_memory_부족_20251220_080000',
  );
  for (const order of [refs, [...refs].reverse()]) {
    const db = await fresh();
    await ingestMany(db.pool, order, { ...OPTIONS, concurrency: 2 });
    const { rows } = await db.pool.query(`
      SELECT u.username, cs.layout, cs.data_path, (SELECT count(*)::int FROM ims.session_issues si WHERE si.session_id = cs.session_id) AS links
      FROM ims.crawl_sessions cs JOIN ims.users u USING (user_id)`);
    expect(rows).toEqual([{ username: 'jdoe', layout: 'migrated', data_path: join(root, S5M), links: 2 }]);
  }
});

it("moves the row a migrated copy had before copies were one crawl to the crawl's key", async () => {
  const root = dir();
  const refs = await discoverSessions(root);
  const copy = refs.find((r) => r.path === join(root, S5M))!;
  const original = refs.find((r) => r.path === join(root, S.S5))!;
  const db = await fresh();
  // As an older ims-ingest left it: the original under uuid(<folder>), the copy under uuid(jdoe/<folder>).
  await ingestMany(db.pool, [copy], { ...OPTIONS, concurrency: 1 });
  await db.pool.query(`UPDATE ims.crawl_sessions SET session_uuid = $1, metadata = metadata - 'copy_rank'`, [
    uuidV5(copy.identity),
  ]);
  await ingestMany(db.pool, [original], { ...OPTIONS, concurrency: 1 });
  expect((await db.pool.query('SELECT count(*)::int AS n FROM ims.crawl_sessions')).rows[0].n).toBe(2);
  const after = await ingestMany(db.pool, [copy], { ...OPTIONS, concurrency: 1 });
  expect(after.map((o) => o.result)).toEqual(['ingested']);
  const { rows } = await db.pool.query(`
    SELECT cs.session_uuid, cs.layout, i.issue_id, i.crawl_count
    FROM ims.crawl_sessions cs JOIN ims.session_issues si USING (session_id) JOIN ims.issues i USING (issue_pk) ORDER BY i.issue_id`);
  expect(rows).toEqual(
    ['330001', '330002'].map((issue_id) => ({ session_uuid: copy.uuid, layout: 'migrated', issue_id, crawl_count: 1 })),
  );
});

it("takes an issue's newest file from whichever copy holds it, in any order", async () => {
  // The original held two files of 330002 (a retry); the migration kept the older one.
  const root = dir();
  const newer = JSON.parse(readFileSync(join(root, S.S5, '330002_20251220_080008.json'), 'utf8'));
  newer.status = 'Reopened';
  newer.crawled_at = '2025-12-20T08:00:12.500000';
  writeFileSync(join(root, S.S5, '330002_20251220_080012.json'), JSON.stringify(newer, null, 2));
  const refs = (await discoverSessions(root)).filter(
    (r) => r.folderName === 'ProSort_sort_memory_부족_20251220_080000',
  );
  const snaps = [];
  for (const order of [refs, [...refs].reverse(), [...refs, ...refs]]) {
    const db = await fresh();
    const outcomes = await ingestMany(db.pool, order, { ...OPTIONS, concurrency: 1 });
    // Each copy is merged once; loaded again unchanged, it is skipped.
    expect(outcomes.map((o) => o.result)).toEqual(
      order.length === 2 ? ['ingested', 'ingested'] : ['ingested', 'ingested', 'unchanged', 'unchanged'],
    );
    snaps.push(await withoutAudit(db));
  }
  expect(snaps[1]).toEqual(snaps[0]);
  expect(snaps[2]).toEqual(snaps[0]);
  expect((snaps[0].issues as any[]).find((i) => i.issue_id === '330002')).toMatchObject({
    status: 'Reopened',
    crawl_count: 1,
  });
  // The crawl's links and counts are its migrated copy's (which holds the older file).
  expect(snaps[0].session_issues).toEqual([
    expect.objectContaining({ issue_id: '330001', source_file: 'issues/330001.json' }),
    expect.objectContaining({ issue_id: '330002', source_file: 'issues/330002.json' }),
  ]);
});
