import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { EmbeddedStatus } from '../../src/embedded/instance';
import { BIN, cleanEnv, CliRun, logText, runCli, startCli, waitFor } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';

/**
 * Zero configuration: bin/ims-ingest as a subprocess with no DATABASE_URL, no PG* and no IMS_*
 * variables, so it runs its own PostgreSQL, each test in a fresh data root (IMS_EMBEDDED_DIR).
 * Whatever server the rest of the suite uses, these tests always run the embedded one; as root
 * (CI) that also covers running the server as another user.
 */

function zeroConfig(dir: string): NodeJS.ProcessEnv {
  return cleanEnv({ IMS_EMBEDDED_DIR: dir });
}

function run(dir: string, args: string[]): CliRun {
  return runCli(args, zeroConfig(dir));
}

function runAsync(dir: string, args: string[]): Promise<CliRun> {
  return startCli(args, zeroConfig(dir)).done;
}

/** Exit status 0, or the run's stderr in the failure message. */
function expectSuccess(r: CliRun): void {
  expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
}

const roots: string[] = [];
function freshRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ims-embedded-'));
  roots.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of roots) {
    run(dir, ['db', 'stop', '--force']);
    rmSync(dir, { recursive: true, force: true });
  }
});

function status(dir: string): EmbeddedStatus {
  const r = run(dir, ['db', 'status', '--json']);
  expectSuccess(r);
  return JSON.parse(r.stdout) as EmbeddedStatus;
}

/** The count through `ims-ingest db psql -c` (psql's aligned output, or the driver's copy of it). */
function issueCount(dir: string): number {
  const r = run(dir, ['db', 'psql', '-X', '-c', 'select count(*) from ims.issues']);
  expectSuccess(r);
  const m = /^\s*(\d+)\s*$/m.exec(r.stdout);
  if (!m) throw new Error(`no count in: ${r.stdout}`);
  return Number(m[1]);
}

/** How many times the server has started, from its log. */
function startsIn(dir: string): number {
  return (
    readFileSync(join(dir, 'server', 'server.log'), 'utf8').match(/database system is ready to accept connections/g) ??
    []
  ).length;
}

it('backfills the fixtures with nothing configured; the server stops on exit, and the data stays', () => {
  const dir = freshRoot();
  const first = run(dir, ['backfill', FIXTURES]);
  expectSuccess(first);
  expect(first.stderr).toContain(`creating the embedded PostgreSQL in ${dir}`);
  expect(first.stdout).toContain('sessions:    9 found, 9 ingested (8 completed, 1 failed crawls), 0 unchanged');
  expect(first.stdout).toMatch(/in the database: +users 4, crawl_sessions 8, issues 10, /);

  const after = status(dir);
  expect(after.server).toEqual({ state: 'stopped' });
  expect(after.users).toEqual([]);
  expect(after.initialized).toBe(true);
  expect(after.major).toBeGreaterThanOrEqual(15);
  expect(existsSync(join(dir, 'server', 'data', 'postmaster.pid'))).toBe(false);

  expect(issueCount(dir)).toBe(10);
  expect(status(dir).server.state).toBe('stopped');

  const second = run(dir, ['backfill', FIXTURES]);
  expectSuccess(second);
  expect(second.stderr).not.toContain('creating the embedded PostgreSQL');
  expect(second.stdout).toContain('0 ingested (0 completed, 0 failed crawls), 9 unchanged');
  expect(startsIn(dir)).toBe(3);
});

it('db start keeps the server up for any client until db stop; db url connects to it', async () => {
  const dir = freshRoot();
  const start = run(dir, ['db', 'start']);
  expectSuccess(start);
  const url = run(dir, ['db', 'url']).stdout.trim();
  expect(url).toBe(`postgresql://postgres@/ims?host=${join(dir, 'server', 'socket')}`);
  expect(start.stdout).toContain(url);

  const client = new Client({ connectionString: url, port: 5432 });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT current_database() AS db, current_setting('listen_addresses') AS listen",
    );
    expect(rows).toEqual([{ db: 'ims', listen: '' }]);
  } finally {
    await client.end();
  }
  expect(statSync(join(dir, 'server', 'socket')).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, 'server', 'data')).mode & 0o777).toBe(0o700);

  expectSuccess(run(dir, ['migrate']));
  const kept = status(dir);
  expect(kept).toMatchObject({ keep: true, users: [], server: { state: 'running' } });

  const stop = run(dir, ['db', 'stop']);
  expectSuccess(stop);
  expect(stop.stdout).toBe('embedded PostgreSQL stopped\n');
  expect(status(dir)).toMatchObject({ keep: false, server: { state: 'stopped' } });
  expect(run(dir, ['db', 'stop']).stdout).toBe('embedded PostgreSQL was not running\n');
});

it('four processes starting at once: one initdb, all load, the server stops after the last', async () => {
  const dir = freshRoot();
  const runs = await Promise.all([1, 2, 3, 4].map(() => runAsync(dir, ['backfill', FIXTURES])));
  for (const r of runs) {
    expectSuccess(r);
    expect(r.stdout).toContain('sessions:    9 found');
  }
  expect(runs.filter((r) => r.stderr.includes('creating the embedded PostgreSQL')).length).toBe(1);
  const after = status(dir);
  expect(after).toMatchObject({ users: [], server: { state: 'stopped' } });
  expect(readdirSync(join(dir, 'server')).filter((n) => n.startsWith('data.init-'))).toEqual([]);
  expect(existsSync(join(dir, 'lock'))).toBe(false);
  expect(readdirSync(join(dir, 'leases'))).toEqual([]);
  expect(issueCount(dir)).toBe(10);
});

it('reuses the server of a process killed with -9, and the next run stops it', async () => {
  const dir = freshRoot();
  expectSuccess(run(dir, ['migrate']));
  // Holds the server: a query that sleeps. Detached, so the kill takes its psql child too.
  const holder = spawn(process.execPath, [BIN, 'db', 'psql', '-X', '-c', 'select pg_sleep(300)'], {
    env: zeroConfig(dir),
    detached: true,
    stdio: 'ignore',
  });
  const exited = new Promise((r) => holder.on('exit', r));
  try {
    await waitFor('the holder to take the server', () => {
      const s = status(dir);
      return s.server.state === 'running' && s.users.includes(holder.pid!);
    });
  } catch (err) {
    process.kill(-holder.pid!, 'SIGKILL');
    throw err;
  }
  const postmaster = status(dir).server;
  const starts = startsIn(dir);
  process.kill(-holder.pid!, 'SIGKILL');
  await exited;

  expect(status(dir)).toMatchObject({ server: postmaster, users: [] });
  const r = run(dir, ['backfill', FIXTURES]);
  expectSuccess(r);
  expect(r.stdout).toContain('9 ingested');
  expect(startsIn(dir)).toBe(starts); // the orphan was used, not restarted
  expect(status(dir)).toMatchObject({ server: { state: 'stopped' }, users: [] });
  expect(readdirSync(join(dir, 'leases'))).toEqual([]);
});

it('starts again after the postmaster itself was killed with -9, or its pid went to another process', async () => {
  const dir = freshRoot();
  expectSuccess(run(dir, ['db', 'start']));
  const killed = status(dir).server;
  if (killed.state !== 'running') throw new Error('not running after db start');
  process.kill(killed.pid, 'SIGKILL');
  await waitFor('the postmaster to die', () => status(dir).server.state !== 'running');
  expect(status(dir).server.state).toBe('stale');

  expectSuccess(run(dir, ['backfill', FIXTURES]));
  const restarted = status(dir).server; // still up: db start asked for it
  expect(restarted).toMatchObject({ state: 'running' });
  expect(restarted).not.toEqual(killed);
  expectSuccess(run(dir, ['db', 'stop']));

  // A postmaster.pid naming a live process that is not this cluster's postmaster (pid reuse).
  const pidFile = join(dir, 'server', 'data', 'postmaster.pid');
  writeFileSync(
    pidFile,
    `${process.pid}\n${join(dir, 'server', 'data')}\n0\n5432\n${join(dir, 'server', 'socket')}\n\n`,
  );
  expect(status(dir).server).toEqual({ state: 'stale', pid: process.pid });
  expectSuccess(run(dir, ['migrate']));
  expect(status(dir).server.state).toBe('stopped');
});

it('says what failed, with the tail of the server log', () => {
  const dir = freshRoot();
  expectSuccess(run(dir, ['migrate']));
  appendFileSync(join(dir, 'server', 'data', 'postgresql.conf'), "\nshared_buffers = 'lots'\n");
  const r = run(dir, ['migrate']);
  expect(r.code).toBe(1);
  expect(logText(r.stderr)).toContain(
    `ims-ingest: could not start the embedded PostgreSQL in ${join(dir, 'server', 'data')}`,
  );
  expect(logText(r.stderr)).toContain(`last lines of ${join(dir, 'server', 'server.log')}:`);
  expect(logText(r.stderr)).toContain('invalid value for parameter "shared_buffers": "lots"');
  expect(r.stderr).not.toContain('undefined');
});

const asRoot = process.getuid?.() === 0 ? it : it.skip;
asRoot('as root, refuses a data root that the server user cannot enter, saying why', () => {
  const privateDir = freshRoot(); // mkdtemp: 0700, owned by root
  const r = run(join(privateDir, 'inner'), ['migrate']);
  expect(r.code).toBe(1);
  expect(logText(r.stderr)).toMatch(
    new RegExp(`PostgreSQL refuses to run as root, so it runs as \\w+, who cannot enter ${privateDir}:`),
  );
});
