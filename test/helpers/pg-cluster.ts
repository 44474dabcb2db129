import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { applyMigrations } from '../../src/db/migrate';

/**
 * A throwaway PostgreSQL 15 cluster of one test file, on its own socket directory (no TCP), so
 * the test can restart and stop it without disturbing the run's shared server. As root it runs
 * as the `postgres` OS user (PostgreSQL refuses root), as .ci/run does.
 */

export interface TestCluster {
  dir: string;
  /** URL of database `name` (default ims, migrated by start()). */
  url(name?: string): string;
  restart(): void;
  stop(): void;
  start(): void;
  /** A migrated database of its own (for a clean reference run). */
  createDatabase(name: string): Promise<void>;
  destroy(): void;
}

function bindir(): string {
  const debian = '/usr/lib/postgresql/15/bin';
  if (existsSync(join(debian, 'pg_ctl'))) return debian;
  return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
}

export async function startCluster(): Promise<TestCluster> {
  const bin = bindir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'ims-chaos-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
  }
  // The socket must be reachable by the test (and, as root, by its child processes).
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const run = (program: string, args: string[]) => {
    const cmd = asRoot ? 'runuser' : join(bin, program);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, program), ...args] : args;
    const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  };
  const options = `-k ${dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  const pgctl = (action: string, extra: string[] = []) =>
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', ...extra, action]);
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
  pgctl('start', ['-o', options]);
  const url = (name = 'ims') => `postgresql://postgres@/${name}?host=${encodeURIComponent(dir)}`;
  const cluster: TestCluster = {
    dir,
    url,
    restart: () => pgctl('restart', ['-m', 'fast', '-o', options]),
    stop: () => pgctl('stop', ['-m', 'fast']),
    start: () => pgctl('start', ['-o', options]),
    createDatabase: async (name) => {
      const admin = new Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const pool = new Pool({ connectionString: url(name), max: 1 });
      try {
        await applyMigrations(pool);
      } finally {
        await pool.end();
      }
    },
    destroy: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.createDatabase('ims');
  return cluster;
}
