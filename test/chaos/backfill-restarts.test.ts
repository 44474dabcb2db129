import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { logText, RunningCli, startCli, waitFor } from '../helpers/cli';
import { expectConverges, referenceSnapshot } from '../helpers/converge';
import { writeSessionFolder } from '../helpers/crawler';
import { startCluster, TestCluster } from '../helpers/pg-cluster';

/**
 * `backfill` while its PostgreSQL restarts and stops: never a crash or a stack trace; it
 * either succeeds after retries or gives up after --retry-seconds with exit 1 and the summary;
 * a rerun converges to the clean backfill's database.
 */
let cluster: TestCluster;
let root: string;
let pool: Pool;
let expected: Record<string, unknown[]>;

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.createDatabase('reference');
  pool = new Pool({ connectionString: cluster.url(), max: 2 });
  pool.on('error', () => undefined);
  root = mkdtempSync(join(tmpdir(), 'ims-chaos-backfill-'));
  for (let n = 0; n < 40; n++) writeSessionFolder(root, { user: `u${n % 4}`, n, files: 10, padding: 60_000 });
  const reference = new Pool({ connectionString: cluster.url('reference'), max: 2 });
  expected = await referenceSnapshot(reference, root);
  await reference.end();
});
afterAll(async () => {
  await pool.end();
  cluster.destroy();
  rmSync(root, { recursive: true, force: true });
});

/** Starts a backfill; `stderr` sees its log as it comes. */
function backfill(args: string[]): RunningCli {
  return startCli(['backfill', root, '--database-url', cluster.url(), '--concurrency', '2', ...args]);
}

it('retries through two restarts and a 15 s stop and loads everything', async () => {
  // Session by session (the bulk path, or batches, would finish these 40 sessions before the
  // stop; they have their own cases below).
  const run = backfill(['--retry-seconds', '60', '--bulk', 'off', '--concurrency', '1', '--batch-size', '1']);
  await waitFor('the first loaded session', () => /^ingested/m.test(logText(run.stderr())), run.stderr);
  cluster.restart();
  await sleep(800);
  cluster.restart();
  await sleep(800);
  cluster.stop();
  await sleep(15_000);
  cluster.start();
  const r = await run.done;
  expect(r.stderr).not.toMatch(/Unhandled|^\s+at /m);
  expect(r.stdout).toContain(`Backfill of ${root}`);
  expect(r.stdout).toContain('40 found, ');
  expect(r.code).toBe(0);
  expect(logText(r.stderr)).toMatch(/database unreachable: retrying until it is back/);
  expect(logText(r.stderr)).toMatch(/database reachable again after 1\d(\.\d)?s/);
  await expectConverges(pool, expected, 5_000);
}, 120_000);

it('gives up after --retry-seconds with exit 1 and the summary; a rerun converges', async () => {
  const run = backfill(['--retry-seconds', '3', '--force', '--batch-size', '2']);
  await waitFor('the first loaded session', () => /^ingested/m.test(logText(run.stderr())), run.stderr);
  cluster.stop();
  const r = await run.done;
  cluster.start();
  expect(r.code).toBe(1);
  expect(r.stderr).not.toMatch(/Unhandled|^\s+at /m);
  expect(r.stdout).toContain(`Backfill of ${root}`);
  expect(r.stdout).toMatch(/Gave up: the database was unreachable for 3s: .*; \d+ sessions not started/);
  expect(r.stdout).toMatch(/\[(CONNECTION_LOST|TIMEOUT)\]/);
  const again = await backfill(['--json']).done;
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout).outcomes.filter((o: { result: string }) => o.result === 'failed')).toEqual([]);
  await expectConverges(pool, expected, 5_000);
}, 120_000);

it('on the bulk path, survives a restart and ends with every index in place', async () => {
  const indexes = async () =>
    (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'ims'")).rows[0].n;
  const before = await indexes();
  const run = backfill(['--retry-seconds', '60', '--bulk', 'on', '--force', '--batch-size', '4']);
  await waitFor('the first loaded batch', () => /^ingested/m.test(logText(run.stderr())), run.stderr);
  cluster.restart();
  const r = await run.done;
  expect(r.stderr).not.toMatch(/Unhandled|^\s+at /m);
  expect(r.code).toBe(0);
  await expectConverges(pool, expected, 5_000);
  // Rebuilt after the load, or (had the rebuild been cut) by the next run: never left missing.
  if ((await indexes()) !== before) expect((await backfill([]).done).code).toBe(0);
  expect(await indexes()).toBe(before);
  expect((await pool.query('SELECT index_name FROM ims_ingest.deferred_indexes')).rows).toEqual([]);
}, 120_000);

it('batches cut by restarts are rolled back and loaded again whole', async () => {
  const run = backfill([
    '--retry-seconds',
    '60',
    '--bulk',
    'off',
    '--force',
    '--batch-size',
    '6',
    '--concurrency',
    '1',
  ]);
  await waitFor('the first loaded batch', () => /^ingested/m.test(logText(run.stderr())), run.stderr);
  cluster.restart();
  await sleep(500);
  cluster.restart();
  const r = await run.done;
  expect(r.stderr).not.toMatch(/Unhandled|^\s+at /m);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('40 found, 40 ingested');
  expect(logText(r.stderr)).toMatch(/database unreachable: retrying until it is back/);
  await expectConverges(pool, expected, 5_000);
}, 120_000);

it('started while PostgreSQL is restarting, waits for it within --retry-seconds', async () => {
  cluster.stop();
  const run = backfill(['--retry-seconds', '60']);
  await waitFor('the wait for the database', () => logText(run.stderr()).includes('waiting for it'), run.stderr);
  cluster.start();
  const r = await run.done;
  expect(r.stderr).not.toMatch(/Unhandled|^\s+at /m);
  expect(r.code).toBe(0);
  expect(logText(r.stderr)).toMatch(/connected to PostgreSQL at /);
  await expectConverges(pool, expected, 5_000);
}, 120_000);

it('started while PostgreSQL is down for longer than --retry-seconds, exits 1 naming the server', async () => {
  cluster.stop();
  try {
    const started = Date.now();
    const r = await backfill(['--retry-seconds', '2']).done;
    expect(r.code).toBe(1);
    expect((Date.now() - started) / 1000).toBeLessThan(15);
    expect(logText(r.stderr)).toMatch(/cannot connect to PostgreSQL at /);
    expect(r.stderr).not.toMatch(/Unhandled|^\s+at /m);
  } finally {
    cluster.start();
  }
}, 60_000);
