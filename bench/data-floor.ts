import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { emptyResult, RunResult } from './result';
import { TABLES as ALL_TABLES } from './loader';

/**
 * The data floor: what PostgreSQL needs to store the FINAL rows of a dump — one row per issue,
 * comment, history entry, attachment, link, session and error, as a backfill leaves them —
 * COPY'd into the same migrated schema with all its indexes, in one transaction. No merge, no
 * re-crawl rewriting a row: whatever a loader does beyond this is the price of loading crawl
 * by crawl. dumpFinalRows takes the rows from a database a backfill has just filled (not timed);
 * runDataFloor loads them into a fresh one (timed).
 */

/** backfill's table list (parents before children, so every foreign key finds its row), but
 * analytics_*: they are derived (refresh_analytics), not loaded. */
const TABLES = ALL_TABLES.filter((t) => !t.startsWith('analytics_'));

interface DumpedTable {
  table: string;
  columns: string[];
  rows: number;
  file: string;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Writes every table's rows of the database at `url` to `dir` in COPY's binary format. */
export async function dumpFinalRows(url: string, dir: string): Promise<{ rows: number; bytes: number }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const client = await connect(url);
  const dumped: DumpedTable[] = [];
  let bytes = 0;
  try {
    for (const table of TABLES) {
      // Generated columns cannot be COPY'd into; the schema has none today, but a later one may.
      const { rows } = await client.query<{ name: string }>(
        `SELECT attname AS name FROM pg_attribute
         WHERE attrelid = ('ims.' || $1)::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
         ORDER BY attnum`,
        [table],
      );
      const columns = rows.map((r) => `"${r.name}"`);
      const file = join(dir, `${table}.copy`);
      const stream = client.query(
        copyTo(`COPY (SELECT ${columns.join(', ')} FROM ims.${table}) TO STDOUT (FORMAT binary)`),
      );
      const out = createWriteStream(file);
      await pipeline(stream, out);
      bytes += out.bytesWritten;
      const count = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ims.${table}`);
      dumped.push({ table, columns, rows: count.rows[0].n, file });
    }
  } finally {
    await client.end();
  }
  writeFileSync(join(dir, 'tables.json'), JSON.stringify(dumped));
  return { rows: dumped.reduce((a, t) => a + t.rows, 0), bytes };
}

/** COPYs the dumped rows of `dir` into the fresh database at `url`, in one transaction. */
export async function runDataFloor(url: string, dir: string): Promise<RunResult> {
  const tables = JSON.parse(readFileSync(join(dir, 'tables.json'), 'utf8')) as DumpedTable[];
  const client = await connect(url);
  const result = emptyResult();
  try {
    // Outside the timing, as ims-ingest does before its sessions: the audit partition.
    await client.query('SELECT ims.ensure_audit_log_partition(now())');
    const started = performance.now();
    await client.query('BEGIN');
    for (const t of tables) {
      const copyStart = performance.now();
      await pipeline(
        createReadStream(t.file, { highWaterMark: 256 * 1024 }),
        client.query(copyFrom(`COPY ims.${t.table} (${t.columns.join(', ')}) FROM STDIN (FORMAT binary)`)),
      );
      result.rows[t.table] = t.rows;
      result.copyMs += performance.now() - copyStart;
    }
    await client.query('COMMIT');
    result.wallMs = performance.now() - started;
    result.sessions = tables.find((t) => t.table === 'crawl_sessions')?.rows ?? 0;
    result.files = tables.find((t) => t.table === 'issues')?.rows ?? 0;
  } finally {
    await client.end();
  }
  return result;
}
