import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { spawnCli, startCli, waitFor, logText } from '../helpers/cli';
import { expectConverges, referenceSnapshot } from '../helpers/converge';
import { crawlSession, writeSessionFolder } from '../helpers/crawler';
import { startCluster, TestCluster } from '../helpers/pg-cluster';

/**
 * `watch` beside a crawler writing sessions file by file, while its PostgreSQL is restarted
 * twice and then stopped for 15 s: the process stays up, logs each outage once when it starts
 * and once when it ends, and catches up by itself (no file is touched after the crawl) to the
 * database a clean backfill of the same files gives.
 */
let cluster: TestCluster;
let root: string;
let child: ChildProcessWithoutNullStreams;
let stderr = '';
let pool: Pool;
let reference: Pool;

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.createDatabase('reference');
  pool = new Pool({ connectionString: cluster.url(), max: 2 });
  reference = new Pool({ connectionString: cluster.url('reference'), max: 2 });
  // The test's own connections die with each restart too.
  pool.on('error', () => undefined);
  reference.on('error', () => undefined);
  root = mkdtempSync(join(tmpdir(), 'ims-chaos-watch-'));
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await pool.end();
  await reference.end();
  cluster.destroy();
  rmSync(root, { recursive: true, force: true });
});

/** `watch` of `dir` on the test cluster, loading a session 1 s after it settles, metrics on any port. */
const watchArgs = (dir: string) => [
  'watch',
  dir,
  '--settle-seconds',
  '1',
  '--metrics-port',
  '0',
  '--database-url',
  cluster.url(),
];

it('survives two restarts and a 15 s stop of PostgreSQL, and converges', async () => {
  // Started before the crawler ever ran: the root does not exist, then exists empty.
  const data = join(root, 'data');
  child = spawnCli([...watchArgs(data), '--concurrency', '2']);
  child.stderr.on('data', (d) => (stderr += d));
  const said = () => `daemon said:\n${stderr}`;
  await waitFor('the wait for the root', () => stderr.includes('does not exist yet'), said);
  mkdirSync(data);
  await waitFor('the first pass', () => stderr.includes('first pass done (0 sessions)'), said);
  const port = Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]);
  // Every counter is there from the start, at 0.
  const initial = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  for (const line of [
    'ims_ingest_sessions_total{result="ingested_completed"} 0',
    'ims_ingest_sessions_total{result="failed"} 0',
    'ims_ingest_problems_total{severity="error"} 0',
    'ims_ingest_database_outages_total 0',
    'ims_ingest_database_up 1',
    'ims_ingest_first_pass_done 1',
  ]) {
    expect(initial).toContain(line);
  }

  const crawl = (async () => {
    for (let n = 0; n < 10; n++)
      await crawlSession(data, { user: n % 2 ? 'ann' : 'ben', n, files: 6, padding: 30_000 }, 120);
  })();
  await sleep(2500);
  cluster.restart();
  await sleep(2500);
  cluster.restart();
  await sleep(1500);
  cluster.stop();
  await sleep(8_000);
  // By now the daemon has seen the outage (its idle ping runs every 5 s): not ready, database down.
  const during = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(during).toContain('ims_ingest_database_up 0');
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  await sleep(7_000);
  cluster.start();
  await crawl;

  await expectConverges(pool, await referenceSnapshot(reference, data));
  expect(child.exitCode).toBeNull();
  expect(stderr).not.toMatch(/Unhandled|^\s+at /m);
  // The 15 s stop is an outage the daemon certainly saw; each one is logged once each way.
  const down = logText(stderr).match(/database unreachable: retrying until it is back/g) ?? [];
  const up = logText(stderr).match(/database reachable again after/g) ?? [];
  expect(down.length).toBeGreaterThanOrEqual(1);
  expect(down.length).toBeLessThanOrEqual(3);
  expect(up.length).toBe(down.length);
  expect(logText(stderr)).toMatch(/database reachable again after 1\d(\.\d)?s/);

  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toContain('ims_ingest_database_up 1');
  expect(metrics).toContain(`ims_ingest_database_outages_total ${down.length}`);
  expect(metrics).toMatch(/ims_ingest_sessions_total\{result="failed"\} 0/);
  expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

  child.kill('SIGTERM');
  expect(await new Promise((done) => child.on('close', done))).toBe(0);
}, 180_000);

it('started while PostgreSQL is down, waits for it and then loads', async () => {
  const later = join(root, 'later');
  writeSessionFolder(later, { user: 'cy', n: 70, files: 2 });
  cluster.stop();
  const run = startCli(watchArgs(later));
  const said = run.stderr;
  try {
    await waitFor('the wait for the database', () => said().includes('waiting for it'), said);
    expect(run.child.exitCode).toBeNull();
    // Alive, not ready: the endpoints are up before the database.
    const port = Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(said())?.[1]);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([503, 'database unreachable\n']);
    cluster.start();
    await waitFor('the first pass', () => said().includes('first pass done (1 sessions)'), said);
    expect(logText(said())).toMatch(/^ingested +cy\/OpenFrame_chaos_70_/m);
    expect(logText(said()).match(/cannot connect to PostgreSQL/g)).toHaveLength(1);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  } finally {
    run.child.kill('SIGTERM');
    await run.done;
  }
}, 60_000);
