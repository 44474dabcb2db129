import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCorpus } from '../../bench/corpus';
import { ingestMany } from '../../src/ingest/backfill';
import { planBatches } from '../../src/ingest/batches';
import { discoverSessions, SessionRef } from '../../src/files/discover';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS } from '../helpers/fixtures';
import { snapshot } from '../helpers/converge';

/**
 * A backfill merges many sessions per transaction (src/ingest/batches.ts). Whatever the batch
 * size, the order and the concurrency, the database must be the one loading the sessions one
 * by one gives: the newest crawl of an issue wins inside a batch exactly as across batches,
 * comments and history are unioned, each attachment's listing, download and url come from
 * their own newest crawl. The corpus: the benchmark's generator (re-crawled issues whose
 * comments, status and attachments change from crawl to crawl) plus fixtures/ (two copies of
 * one crawl, failed and expired files, a query history). The audit log is the history of
 * loads, so only each session's last entry is compared (test/helpers/converge.ts): loading a
 * crawl's better copy first leaves one entry where the other order leaves two.
 */
const dbs: TestDatabase[] = [];
const fresh = async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
};
let root: string;
let refs: SessionRef[];
let reference: Record<string, unknown[]>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ims-batches-'));
  generateCorpus(join(root, 'corpus'), { files: 1500, filesPerSession: 100, distinctRatio: 0.36, seed: 11 });
  rmSync(join(root, 'corpus', 'corpus.json'));
  cpSync(join(root, 'corpus'), root, { recursive: true });
  rmSync(join(root, 'corpus'), { recursive: true });
  cpSync(FIXTURES, root, { recursive: true });
  refs = await discoverSessions(root);
  const db = await fresh();
  const outcomes = await ingestMany(db.pool, refs, { ...OPTIONS, concurrency: 1, batchSessions: 1 });
  expect(outcomes.filter((o) => o.result === 'failed')).toEqual([]);
  reference = await snapshot(db.pool);
}, 120_000);
afterAll(async () => {
  for (const db of dbs) await db.drop();
  rmSync(root, { recursive: true, force: true });
});

it('the corpus has what batching must get right', () => {
  expect(refs).toHaveLength(15 + 9);
  expect(reference.crawl_sessions).toHaveLength(15 + 8);
  // Issues crawled again and again, in sessions that will share batches.
  const counts = (reference.issues as { crawl_count: number }[]).map((i) => i.crawl_count);
  expect(Math.max(...counts)).toBeGreaterThan(5);
  expect(reference.attachments.length).toBeGreaterThan(100);
});

// Shuffled with a fixed seed, so a failure can be replayed.
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

it.each([
  ['oldest first, 4 per batch', () => refs, 4, 1],
  ['newest first, all in one batch', () => [...refs].reverse(), 100, 1],
  ['shuffled, 5 per batch, 2 batches at once', () => shuffled(refs, 3), 5, 2],
  ['shuffled, 3 per batch, 3 batches at once', () => shuffled(refs, 8), 3, 3],
])(
  '%s: the database equals the one-by-one load',
  async (_, order, batchSessions, concurrency) => {
    const db = await fresh();
    const outcomes = await ingestMany(db.pool, order(), { ...OPTIONS, concurrency, batchSessions });
    expect(outcomes.filter((o) => o.result === 'failed')).toEqual([]);
    expect(outcomes.filter((o) => o.result === 'ingested')).toHaveLength(refs.length);
    expect(await snapshot(db.pool)).toEqual(reference);
  },
  120_000,
);

it('batches on top of sessions loaded one by one, and loaded again, change nothing more', async () => {
  const db = await fresh();
  await ingestMany(
    db.pool,
    refs.filter((_, i) => i % 3 === 0),
    { ...OPTIONS, concurrency: 1, batchSessions: 1 },
  );
  await ingestMany(db.pool, [...refs].reverse(), { ...OPTIONS, concurrency: 2, batchSessions: 6 });
  expect(await snapshot(db.pool)).toEqual(reference);
  const again = await ingestMany(db.pool, shuffled(refs, 5), { ...OPTIONS, force: true, batchSessions: 7 });
  expect(again.filter((o) => o.result !== 'ingested')).toEqual([]);
  expect(await snapshot(db.pool)).toEqual(reference);
}, 120_000);

it('never puts two copies of one crawl in one batch, and loads the second copy after the first', () => {
  const phases = planBatches(refs, 100);
  expect(phases.map((p) => p.map((b) => b.length))).toEqual([[23], [1]]);
  const [[first], [[second]]] = phases;
  expect(first.some((r) => r.uuid === second.uuid)).toBe(true);
  expect(refs.indexOf(second)).toBeGreaterThan(refs.findIndex((r) => r.uuid === second.uuid));
  expect(planBatches(refs, 10).map((p) => p.map((b) => b.length))).toEqual([[10, 10, 3], [1]]);
});
