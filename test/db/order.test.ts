import { cpSync, mkdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backfill, ingestMany, refreshAnalytics } from '../../src/ingest/backfill';
import { discoverSessions } from '../../src/files/discover';
import { uuidV5 } from '../../src/files/crawler-names';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { copyFixtures, OPTIONS, S } from '../helpers/fixtures';
import { naturalSnapshot } from '../helpers/snapshot';
import { loadQueryHistory } from '../../src/ingest/query-history';

/**
 * Idempotent by construction: the database after any sequence of ingests of the same folders
 * (repeated, reversed, shuffled, parallel, interrupted) equals the one a single clean load gives.
 */
const dbs: TestDatabase[] = [];
const fresh = async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
};
afterAll(async () => {
  for (const db of dbs) await db.drop();
});

let root: string;
let reference: Record<string, unknown[]>;

// A download no attachment listing names (merge/080's second branch), in S2, which has two
// files of 344218: every load order below must keep it, stamped with the newer file's crawl.
const UNLISTED = join(S.S2, 'attachments/344218/trace.log');

beforeAll(async () => {
  root = copyFixtures();
  // The crawler's empty attachments/<issue_id>/ folders do not survive git: make this one.
  mkdirSync(dirname(join(root, UNLISTED)), { recursive: true });
  writeFileSync(join(root, UNLISTED), 'trace\n');
  writeFileSync(join(root, `${UNLISTED}.txt`), 'trace preview');
  const db = await fresh();
  const summary = await backfill(db.pool, root, OPTIONS);
  // Path order: S5 (crawl_sessions/) before its migrated copy, so both are loaded.
  expect(summary.outcomes.every((o) => o.result === 'ingested')).toBe(true);
  reference = await naturalSnapshot(db.pool);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('keeps a downloaded file that no listing names as a row of its own', async () => {
  const crawl = new Date('2026-01-10T05:39:50.774Z'); // 344218_20260110_143950.json, the newer file
  expect(reference.attachments.filter((a: any) => a.attachment_key.startsWith('name:'))).toEqual([
    {
      issue_id: '344218',
      attachment_key: 'name:trace.log',
      file_id: null,
      session_uuid: uuidV5(`alice/${S.S2.split('/').pop()}`),
      filename: 'trace.log',
      file_type: null,
      file_size: '6',
      size_text: null,
      file_path: join(root, UNLISTED),
      download_error: null,
      downloaded: true,
      extracted_text: 'trace preview',
      text_extracted: true,
      source_crawled_at: crawl,
      download_crawled_at: crawl,
      download_url: null,
      download_url_crawled_at: null,
    },
  ]);
});

it('a second backfill skips every unchanged folder and changes nothing', async () => {
  const db = await fresh();
  await backfill(db.pool, root, OPTIONS);
  const ids = await db.pool.query('SELECT issue_pk, issue_id FROM ims.issues ORDER BY issue_pk');
  const again = await backfill(db.pool, root, OPTIONS);
  expect(again.outcomes.map((o) => o.result)).toEqual(Array(9).fill('unchanged'));
  expect(await naturalSnapshot(db.pool)).toEqual(reference);
  // --force re-merges everything: still the same rows, with the same ids.
  const forced = await backfill(db.pool, root, { ...OPTIONS, force: true });
  // S5 is merged again as the lesser copy of its crawl (its issue data; the row stays its copy's).
  expect(forced.outcomes.map((o) => o.result)).toEqual(Array(9).fill('ingested'));
  expect(await naturalSnapshot(db.pool)).toEqual(reference);
  expect((await db.pool.query('SELECT issue_pk, issue_id FROM ims.issues ORDER BY issue_pk')).rows).toEqual(ids.rows);
});

it('loading the sessions newest first gives the same database', async () => {
  const db = await fresh();
  const refs = (await discoverSessions(root)).reverse();
  const outcomes = await ingestMany(db.pool, refs, { ...OPTIONS, concurrency: 1 });
  // The migrated copy of S5 comes first: the shared original is then merged as a lesser copy.
  expect(outcomes.map((o) => o.result)).toEqual(Array(9).fill('ingested'));
  await loadQueryHistory(db.pool, root, OPTIONS);
  await refreshAnalytics(db.pool, OPTIONS.timezone);
  const { audit_log: _a, ...loaded } = await naturalSnapshot(db.pool);
  const { audit_log: _b, ...expected } = reference;
  expect(loaded).toEqual(expected);
});

it('a shuffled order, four sessions at a time, gives the same database', async () => {
  const db = await fresh();
  const refs = await discoverSessions(root);
  const order = [3, 7, 0, 8, 5, 1, 6, 2, 4].map((i) => refs[i]);
  await loadQueryHistory(db.pool, root, OPTIONS); // the history first, this time
  await ingestMany(db.pool, order, { ...OPTIONS, concurrency: 4 });
  await refreshAnalytics(db.pool, OPTIONS.timezone);
  const { audit_log: _a, ...loaded } = await naturalSnapshot(db.pool);
  const { audit_log: _b, ...expected } = reference;
  expect(loaded).toEqual(expected);
});

it('a session loaded while half-written, then again when complete, ends as if loaded once', async () => {
  const partial = copyFixtures();
  try {
    const late = [
      join(partial, S.S2, '344218_20260110_143950.json'),
      join(partial, S.S1, '347863_20260103_120902.json'),
    ];
    const saved = late.map((f) => `${f}.saved`);
    late.forEach((f, i) => cpSync(f, saved[i], { preserveTimestamps: true }));
    late.forEach((f) => rmSync(f));

    const db = await fresh();
    await backfill(db.pool, partial, OPTIONS);
    const { rows } = await db.pool.query(`SELECT priority FROM ims.issues WHERE issue_id = '344218'`);
    expect(rows[0].priority).toBe('Normal'); // the High file has not arrived yet

    late.forEach((f, i) => {
      cpSync(saved[i], f, { preserveTimestamps: true });
      rmSync(saved[i]);
    });
    const second = await backfill(db.pool, partial, OPTIONS);
    expect(
      second.outcomes
        .filter((o) => o.result === 'ingested')
        .map((o) => o.ref.folderName)
        .sort(),
    ).toEqual([S.S1, S.S2].map((p) => p.split('/').pop()).sort());

    const clean = await fresh();
    await backfill(clean.pool, partial, OPTIONS);
    const { audit_log: auditTwice, ...loadedTwice } = await naturalSnapshot(db.pool);
    const { audit_log: auditOnce, ...loadedOnce } = await naturalSnapshot(clean.pool);
    expect(loadedTwice).toEqual(loadedOnce);
    // The audit log is history: it keeps the half-written loads of S1 and S2 as well.
    expect(auditTwice).toHaveLength(auditOnce.length + 2);
    expect(auditTwice).toEqual(expect.arrayContaining(auditOnce));
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
});

it('a file that disappears from a folder takes its session link with it', async () => {
  const dir = copyFixtures();
  try {
    const db = await fresh();
    await backfill(db.pool, dir, OPTIONS);
    rmSync(join(dir, S.S6, '347863_20251222_153006.json'));
    const folder = join(dir, S.S6);
    const t = statSync(folder).mtime;
    utimesSync(folder, t, t);
    await backfill(db.pool, dir, OPTIONS);
    const { rows } = await db.pool.query(
      `SELECT crawl_count, first_crawled_at FROM ims.issues WHERE issue_id = '347863'`,
    );
    expect(rows[0].crawl_count).toBe(2);
    expect(rows[0].first_crawled_at.toISOString()).toBe('2026-01-03T03:09:02.481Z'); // S1 is now the oldest
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('an interrupted backfill, run again, completes to the same database', async () => {
  const db = await fresh();
  const controller = new AbortController();
  const first = await backfill(db.pool, root, {
    ...OPTIONS,
    concurrency: 1,
    batchSessions: 2,
    signal: controller.signal,
    onSession: (o) => {
      if (o.result === 'ingested') controller.abort(); // stop after the first batch
    },
  });
  // The batch under way beside it (staging while the first merged) finishes too.
  expect(first.outcomes).toHaveLength(4);
  expect(first.notStarted).toBe(5);
  await backfill(db.pool, root, OPTIONS);
  expect(await naturalSnapshot(db.pool)).toEqual(reference);
});

it('two copies of one crawl (same crawled_at) give the same database in either order', async () => {
  const dir = copyFixtures();
  try {
    const name = 'ProSort_sort_memory_부족_20251220_080000';
    for (const user of ['xavier', 'yuna'])
      cpSync(join(dir, S.S1), join(dir, 'users', user, 'sessions', name), { recursive: true });
    const refs = (await discoverSessions(dir)).filter((r) => r.user === 'xavier' || r.user === 'yuna');
    expect(refs).toHaveLength(2);
    const a = await fresh();
    const b = await fresh();
    await ingestMany(a.pool, refs, { ...OPTIONS, concurrency: 1 });
    await ingestMany(b.pool, [...refs].reverse(), { ...OPTIONS, concurrency: 1 });
    const snapA = await naturalSnapshot(a.pool);
    expect(snapA.issues.length).toBeGreaterThan(0);
    expect(await naturalSnapshot(b.pool)).toEqual(snapA);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('the same dump at another path is loaded again, and data_path follows it', async () => {
  const moved = copyFixtures();
  try {
    cpSync(root, moved, { recursive: true, preserveTimestamps: true });
    const db = await fresh();
    await backfill(db.pool, root, OPTIONS);
    const again = await backfill(db.pool, moved, OPTIONS);
    expect(again.outcomes.map((o) => o.result)).toEqual(Array(9).fill('ingested'));
    const { rows } = await db.pool.query(`SELECT data_path FROM ims.crawl_sessions WHERE folder_name = $1`, [
      S.S5.split('/').pop(),
    ]);
    // S5 is the crawl of its migrated copy now: data_path is that copy's, at the new path.
    expect(rows).toEqual([{ data_path: join(moved, 'users/jdoe/sessions', S.S5.split('/').pop()!) }]);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM ims.crawl_sessions')).rows[0].n).toBe(8);
  } finally {
    rmSync(moved, { recursive: true, force: true });
  }
});
