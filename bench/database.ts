import { Client } from 'pg';
import { join } from 'node:path';
import type * as Instance from '../src/embedded/instance';
import { urlForDatabase, urlFromEnvironment } from '../src/db/pg-url';
import { applyMigrations, createPool, REPO_ROOT } from './loader';

/**
 * The benchmark's databases: each measurement gets a fresh one, created and migrated by the
 * project's own applyMigrations, on the server named by --database-url / DATABASE_URL / PG*.
 * pg_stat_statements, when the server preloads it, gives the time of each merge statement.
 */

/**
 * The server to measure on: --database-url, DATABASE_URL, the PG* variables, else (as
 * ims-ingest itself does) an embedded PostgreSQL with its data under `embeddedDir`, stopped by
 * `release`. The embedded server runs with PostgreSQL's default settings: figures taken on it
 * are for a first look, docs/performance.md lists the settings of the recorded run.
 */
export async function openServer(
  flag: string | undefined,
  embeddedDir: string,
  log: (line: string) => void,
): Promise<{ url: string; release: () => Promise<void> }> {
  const url = flag ?? urlFromEnvironment(process.env);
  if (url) return { url, release: async () => undefined };
  const { acquireEmbedded } = require(join(REPO_ROOT, 'dist', 'embedded', 'instance.js')) as typeof Instance;
  log(`no DATABASE_URL or PGHOST: using an embedded PostgreSQL in ${embeddedDir}`);
  const server = await acquireEmbedded({ dir: embeddedDir, log });
  return { url: server.url, release: () => server.release() };
}

/** `work` on a client of its own, connected to `url` and ended after. */
export async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops and recreates `name`, migrates it, and flushes dirty buffers so runs start alike. */
export async function freshDatabase(server: string, name: string): Promise<string> {
  await withClient(server, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = urlForDatabase(server, name);
  const pool = createPool({ connectionString: url, max: 1 });
  try {
    await applyMigrations(pool);
    await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
    await pool.query('CHECKPOINT').catch(() => undefined);
    await pool.query('SELECT pg_stat_statements_reset()').catch(() => undefined);
  } finally {
    await pool.end();
  }
  return url;
}

export interface StatementTime {
  /** `merge/030_issues`, `stage/create`, `COPY stage_file`, ... */
  name: string;
  calls: number;
  ms: number;
}

/**
 * Time per statement of this database from pg_stat_statements, named by the `-- dir/name`
 * header every .sql file of the project starts with; empty when the extension is missing.
 */
export async function statementTimes(url: string): Promise<StatementTime[]> {
  try {
    const { rows } = await withClient(url, (c) =>
      c.query<{ query: string; calls: string; ms: number }>(
        `SELECT s.query, s.calls, s.total_exec_time AS ms
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = current_database()`,
      ),
    );
    const byName = new Map<string, StatementTime>();
    for (const r of rows) {
      const name = statementName(r.query);
      const t = byName.get(name) ?? { name, calls: 0, ms: 0 };
      t.calls += Number(r.calls);
      t.ms += r.ms;
      byName.set(name, t);
    }
    return [...byName.values()].sort((a, b) => b.ms - a.ms);
  } catch {
    return [];
  }
}

function statementName(query: string): string {
  const header = /^--\s*([a-z-]+\/[\w-]+)/.exec(query);
  if (header) return header[1];
  const copy = /^COPY\s+(\w+)/i.exec(query);
  if (copy) return `COPY ${copy[1]}`;
  if (/refresh_analytics/.test(query)) return 'refresh_analytics';
  if (/^ANALYZE/i.test(query)) return 'ANALYZE staging';
  if (/^(BEGIN|COMMIT|ROLLBACK)/i.test(query)) return 'BEGIN/COMMIT';
  return 'other';
}
