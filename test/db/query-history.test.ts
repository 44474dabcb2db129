import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestMany, refreshAnalytics } from '../../src/ingest/backfill';
import { discoverSessions } from '../../src/files/discover';
import { loadQueryHistory } from '../../src/ingest/query-history';
import { createPool } from '../../src/db/pool';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS, S } from '../helpers/fixtures';
import { naturalSnapshot } from '../helpers/snapshot';

/**
 * Matching query-history entries to sessions (docs/column-mapping.md §4): by product and by
 * `timestamp - execution_time` within 10 s of the folder-name start, nearest first, one to
 * one, whatever the order sessions and history arrive in.
 */
const dbs: TestDatabase[] = [];
let root: string;
afterAll(async () => {
  for (const db of dbs) await db.drop();
  rmSync(root, { recursive: true, force: true });
});

// Two users crawl ProSort 4 s apart; a JEUS crawl starts at the same second as alice's.
const SESSIONS = {
  alice: 'users/alice/sessions/ProSort_sort_20260201_100000',
  bob: 'users/bob/sessions/ProSort_sort_20260201_100004',
  jeus: 'users/carol/sessions/JEUS_deploy_20260201_100000',
};
const entry = (query: string, product: string, end: string, execution_time: number) => ({
  query,
  product,
  parsed_query: query,
  language: 'ko',
  method: 'rules',
  confidence: 0.5,
  results_count: 1,
  timestamp: end,
  execution_time,
  is_favorite: false,
});
const HISTORY = [
  entry('alice sort', 'ProSort', '2026-02-01T10:00:10.500000', 9.0), // starts 10:00:01.5: alice (1.5 s), bob (2.5 s)
  entry('bob sort', 'ProSort', '2026-02-01T10:00:20.000000', 15.0), // starts 10:00:05: bob (1 s)
  entry('too late', 'ProSort', '2026-02-01T10:00:40.000000', 20.0), // starts 10:00:20: 16 s after bob
  entry('jeus deploy', 'JEUS', '2026-02-01T10:00:08.000000', 7.5), // starts 10:00:00.5: the JEUS folder only
];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'ims-history-'));
  for (const [i, folder] of Object.values(SESSIONS).entries()) {
    mkdirSync(join(root, folder), { recursive: true });
    cpSync(
      join(FIXTURES, S.S5, '330002_20251220_080008.json'),
      join(root, folder, `330002_2026020${i + 1}_100002.json`),
    );
  }
  mkdirSync(join(root, 'history'));
  writeFileSync(join(root, 'history/query_history.json'), JSON.stringify(HISTORY, null, 2));
});

async function load(order: ('history' | keyof typeof SESSIONS)[]) {
  const db = await createTestDatabase();
  dbs.push(db);
  const refs = await discoverSessions(root);
  for (const step of order) {
    if (step === 'history') await loadQueryHistory(db.pool, root, OPTIONS);
    else
      await ingestMany(
        db.pool,
        refs.filter((r) => r.path === join(root, SESSIONS[step])),
        { ...OPTIONS, concurrency: 1 },
      );
  }
  await refreshAnalytics(db.pool, OPTIONS.timezone);
  const { audit_log: _unused, ...snapshot } = await naturalSnapshot(db.pool);
  return { db, snapshot };
}

it('matches each entry to the nearest session of its product, one to one, in any order', async () => {
  const { db, snapshot } = await load(['alice', 'bob', 'jeus', 'history']);
  for (const order of [
    ['history', 'alice', 'bob', 'jeus'],
    ['bob', 'history', 'jeus', 'alice'],
    ['jeus', 'alice', 'history', 'bob', 'history', 'alice'],
  ] as const) {
    expect((await load([...order])).snapshot).toEqual(snapshot);
  }
  const { rows } = await db.pool.query(`
    SELECT q.original_query, cs.folder_name, u.username
    FROM ims.search_queries q LEFT JOIN ims.crawl_sessions cs USING (session_id) JOIN ims.users u ON u.user_id = q.user_id
    ORDER BY q.original_query`);
  expect(rows).toEqual([
    { original_query: 'alice sort', folder_name: 'ProSort_sort_20260201_100000', username: 'alice' },
    { original_query: 'bob sort', folder_name: 'ProSort_sort_20260201_100004', username: 'bob' },
    { original_query: 'jeus deploy', folder_name: 'JEUS_deploy_20260201_100000', username: 'carol' },
    { original_query: 'too late', folder_name: null, username: 'unknown' },
  ]);
  const sessions = await db.pool.query(`
    SELECT folder_name, original_query, to_char(completed_at AT TIME ZONE 'Asia/Seoul', 'HH24:MI:SS.US') AS ended, duration_seconds
    FROM ims.crawl_sessions ORDER BY folder_name`);
  expect(sessions.rows).toEqual([
    {
      folder_name: 'JEUS_deploy_20260201_100000',
      original_query: 'jeus deploy',
      ended: '10:00:08.000000',
      duration_seconds: 8,
    },
    {
      folder_name: 'ProSort_sort_20260201_100000',
      original_query: 'alice sort',
      ended: '10:00:10.500000',
      duration_seconds: 11,
    },
    {
      folder_name: 'ProSort_sort_20260201_100004',
      original_query: 'bob sort',
      ended: '10:00:20.000000',
      duration_seconds: 16,
    },
  ]);
});

it('gives a session back its own query when its entry goes to a nearer session loaded later', async () => {
  const only = mkdtempSync(join(tmpdir(), 'ims-history-'));
  try {
    cpSync(root, only, { recursive: true });
    writeFileSync(join(only, 'history/query_history.json'), JSON.stringify([HISTORY[0]]));
    const db = await createTestDatabase();
    dbs.push(db);
    const refs = await discoverSessions(only);
    const ingest = (who: keyof typeof SESSIONS) =>
      ingestMany(
        db.pool,
        refs.filter((r) => r.path === join(only, SESSIONS[who])),
        { ...OPTIONS, concurrency: 1 },
      );
    const state = async () =>
      (
        await db.pool.query(`
        SELECT cs.folder_name, cs.original_query, cs.query_language, q.history_key IS NOT NULL AS from_history,
               to_char(cs.completed_at AT TIME ZONE 'Asia/Seoul', 'HH24:MI:SS.US') AS ended
        FROM ims.crawl_sessions cs JOIN ims.search_queries q USING (session_id) ORDER BY 1`)
      ).rows;
    await loadQueryHistory(db.pool, only, OPTIONS);
    await ingest('bob'); // 'alice sort' starts 2.5 s before bob's folder: bob's, for now
    expect(await state()).toEqual([
      {
        folder_name: 'ProSort_sort_20260201_100004',
        original_query: 'alice sort',
        query_language: 'ko',
        from_history: true,
        ended: '10:00:10.500000',
      },
    ]);
    await ingest('alice'); // 1.5 s: nearer
    expect(await state()).toEqual([
      {
        folder_name: 'ProSort_sort_20260201_100000',
        original_query: 'alice sort',
        query_language: 'ko',
        from_history: true,
        ended: '10:00:10.500000',
      },
      // bob's folder again: its keywords, its start (its one file's crawled_at is older)
      {
        folder_name: 'ProSort_sort_20260201_100004',
        original_query: 'sort',
        query_language: null,
        from_history: false,
        ended: '10:00:04.000000',
      },
    ]);
  } finally {
    rmSync(only, { recursive: true, force: true });
  }
});

it('gives up on an unreachable database within the retry budget it is given, naming the history folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ims-history-down-'));
  try {
    mkdirSync(join(dir, 'history'));
    writeFileSync(
      join(dir, 'history', 'query_history.json'),
      JSON.stringify([entry('sort', 'ProSort', '2026-02-01T10:00:30', 20)]),
    );
    // Nothing listens on port 1: every connection is refused, a transient failure.
    const down = createPool({ connectionString: 'postgresql://nobody@127.0.0.1:1/none', max: 1 });
    try {
      const started = Date.now();
      const outcome = await loadQueryHistory(down, dir, { ...OPTIONS, retry: { giveUpMs: 500 } });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(outcome.status).toBe('failed');
      expect(outcome.entries).toBe(1);
      expect(outcome.problems.join('\n')).toContain(join(dir, 'history'));
      expect(outcome.problems.join('\n')).toMatch(/ECONNREFUSED/);
    } finally {
      await down.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
