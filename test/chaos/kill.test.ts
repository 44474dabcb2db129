import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runCli, spawnCli, startCli, waitFor, logText } from '../helpers/cli';
import { expectConverges, referenceSnapshot } from '../helpers/converge';
import { writeSessionFolder } from '../helpers/crawler';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/**
 * A connection terminated mid-merge, and `watch` killed with SIGKILL mid-session and
 * mid-analytics. Each moment is reached for certain, not by timing: the test holds a lock the
 * loader needs, waits until a loader backend waits for it, then strikes.
 */
let root: string;
let expected: Record<string, unknown[]>;
const dbs: TestDatabase[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'ims-chaos-kill-'));
  for (let n = 0; n < 4; n++) writeSessionFolder(root, { user: 'kim', n, files: 5 });
  const reference = await fresh();
  expected = await referenceSnapshot(reference.pool, root);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const db of dbs) await db.drop();
  rmSync(root, { recursive: true, force: true });
});

async function fresh(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
}

/** A client of `db` holding `lockSql` in an open transaction. */
async function holdLock(db: TestDatabase, lockSql: string): Promise<Client> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  await c.query('BEGIN');
  await c.query(lockSql);
  return c;
}

/** Pids of ims-ingest backends of `db` waiting for a lock of type `type` (relation, advisory) in a statement like `query`. */
async function waiting(db: TestDatabase, type: string, query = '%'): Promise<number[]> {
  const { rows } = await db.pool.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'ims-ingest' AND wait_event_type = 'Lock' AND wait_event = $2 AND query LIKE $3`,
    [db.name, type, query],
  );
  return rows.map((r) => r.pid);
}

function watch(db: TestDatabase): { child: ChildProcessWithoutNullStreams; stderr: () => string } {
  const child = spawnCli(['watch', root, '--settle-seconds', '1', '--database-url', db.url]);
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return { child, stderr: () => stderr };
}

const killed = (child: ChildProcessWithoutNullStreams) =>
  new Promise((done) => child.on('close', (_c, signal) => done(signal)));

it('pg_terminate_backend mid-merge: the session is retried and the run succeeds', async () => {
  const db = await fresh();
  const lock = await holdLock(db, 'LOCK TABLE ims.issue_history IN EXCLUSIVE MODE');
  const run = startCli(['backfill', root, '--concurrency', '1', '--database-url', db.url]);
  children.push(run.child);
  let pids: number[] = [];
  await waitFor(
    'a merge waiting for the lock',
    async () => (pids = await waiting(db, 'relation')).length > 0,
    run.stderr,
  );
  await db.pool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
  await lock.query('COMMIT');
  await lock.end();
  const { code, stdout, stderr } = await run.done;
  expect(stderr).not.toMatch(/Unhandled|^\s+at |FAILED/m);
  expect(code).toBe(0);
  expect(stdout).toContain('4 ingested');
  await expectConverges(db.pool, expected, 5_000);
});

it('kill -9 of watch mid-session, then a restart: converges', async () => {
  const db = await fresh();
  const lock = await holdLock(db, 'LOCK TABLE ims.issue_history IN EXCLUSIVE MODE');
  const first = watch(db);
  await waitFor('a merge waiting for the lock', async () => (await waiting(db, 'relation')).length > 0, first.stderr);
  first.child.kill('SIGKILL');
  expect(await killed(first.child)).toBe('SIGKILL');
  await lock.query('COMMIT');
  await lock.end();
  const second = watch(db);
  await expectConverges(db.pool, expected);
  second.child.kill('SIGTERM');
  expect(await new Promise((done) => second.child.on('close', done))).toBe(0);
});

it('kill -9 of watch mid-analytics, then a restart with every session unchanged: the analytics are refreshed', async () => {
  const db = await fresh();
  // refresh_analytics() serialises on this advisory lock (0007_analytics.sql).
  const lock = await holdLock(db, "SELECT pg_advisory_xact_lock(hashtext('ims.refresh_analytics'))");
  const first = watch(db);
  await waitFor(
    'an analytics refresh waiting for the lock',
    async () => (await waiting(db, 'advisory', '%refresh_analytics%')).length > 0,
    first.stderr,
  );
  first.child.kill('SIGKILL');
  await killed(first.child);
  await lock.query('COMMIT');
  await lock.end();
  // Every session loaded, the refresh lost.
  expect(Number((await db.pool.query('SELECT count(*) AS n FROM ims.crawl_sessions')).rows[0].n)).toBe(4);
  expect(Number((await db.pool.query('SELECT count(*) AS n FROM ims.analytics_daily')).rows[0].n)).toBe(0);
  const second = watch(db);
  await waitFor(
    'the first pass',
    () => logText(second.stderr()).includes('first pass done (4 sessions)'),
    second.stderr,
  );
  expect(logText(second.stderr())).not.toMatch(/^ingested/m);
  await expectConverges(db.pool, expected);
  second.child.kill('SIGTERM');
  await new Promise((done) => second.child.on('close', done));
  // backfill on the same unchanged folders finds nothing stale and refreshes nothing.
  const again = runCli(['backfill', root, '--database-url', db.url, '--json']);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout).outcomes.map((o: { result: string }) => o.result)).toEqual(
    Array(4).fill('unchanged'),
  );
});
