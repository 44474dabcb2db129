import { spawn } from 'node:child_process';
import { Client, QueryResult } from 'pg';
import { describeError, IngestError } from '../errors';
import { findPsql } from './binaries';
import { DATABASE, Layout, PORT, SUPERUSER } from './layout';
import { withoutPgVariables } from './server';

/**
 * `ims-ingest db psql [args]`: psql against the embedded server, the arguments passed through.
 * The npm package ships no psql, so it is the one beside the server binaries or the
 * machine's. A machine with neither still gets `-c 'SQL'` answered, through the driver, in
 * psql's aligned format: enough for the README's first checks.
 */

const INT_TYPES = new Set([20, 21, 23, 26, 700, 701, 1700]); // int8 int2 int4 oid float4 float8 numeric

/** Runs psql (or the fallback) and returns its exit status. */
export async function runPsql(
  layout: Layout,
  args: string[],
  env: NodeJS.ProcessEnv,
  serverBindir: string | undefined,
): Promise<number> {
  const psql = findPsql(serverBindir, env.PATH);
  if (!psql) return runWithoutPsql(layout, args);
  const childEnv: NodeJS.ProcessEnv = {
    ...withoutPgVariables(env),
    PGHOST: layout.socketDir,
    PGPORT: String(PORT),
    PGUSER: SUPERUSER,
    PGDATABASE: DATABASE,
  };
  // Ctrl-C belongs to psql (it cancels the query); this process must live on to release the server.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(psql, args, { stdio: 'inherit', env: childEnv });
      child.on('error', (err) =>
        reject(new IngestError('EMBEDDED_FAILED', `cannot run ${psql}: ${err.message}`, { cause: err })),
      );
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 2 : 1)));
    });
  } finally {
    process.off('SIGINT', ignore);
  }
}

/** The SQL of `-c SQL`, `-cSQL`, `--command SQL` and `--command=SQL`; undefined for anything else. */
export function commandsOf(args: string[]): string[] | undefined {
  const sql: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((a === '-c' || a === '--command') && i + 1 < args.length) sql.push(args[++i]);
    else if (a.startsWith('--command=')) sql.push(a.slice('--command='.length));
    else if (/^-c./.test(a)) sql.push(a.slice(2));
    else if (a !== '-X' && a !== '--no-psqlrc') return undefined;
  }
  return sql.length ? sql : undefined;
}

async function runWithoutPsql(layout: Layout, args: string[]): Promise<number> {
  const commands = commandsOf(args);
  if (!commands) {
    throw new IngestError(
      'EMBEDDED_FAILED',
      "no psql found (install the PostgreSQL client, e.g. apt-get install postgresql-client): without it only `db psql -c 'SQL'` works; `ims-ingest db url` gives the connection string for other clients",
    );
  }
  process.stderr.write("ims-ingest: no psql found: running the -c commands through ims-ingest's driver\n");
  const client = new Client({ host: layout.socketDir, port: PORT, user: SUPERUSER, database: DATABASE, ssl: false });
  await client.connect();
  try {
    for (const sql of commands) {
      const results = ([] as QueryResult[]).concat(await client.query(sql));
      for (const r of results) process.stdout.write(formatResult(r));
    }
    return 0;
  } catch (err) {
    process.stderr.write(`ERROR:  ${describeError(err)}\n`);
    return 1;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** psql's aligned format: centred headers, numbers right-aligned, a row count. */
export function formatResult(r: Pick<QueryResult, 'command' | 'fields' | 'rows' | 'rowCount'>): string {
  if (!r.fields?.length) {
    const count =
      r.command === 'INSERT'
        ? ` 0 ${r.rowCount}`
        : /^(UPDATE|DELETE|SELECT|COPY|MERGE|MOVE|FETCH)$/.test(r.command)
          ? ` ${r.rowCount}`
          : '';
    return `${r.command}${count}\n`;
  }
  const cells = r.rows.map((row: Record<string, unknown>) => r.fields.map((f) => cellText(row[f.name])));
  const widths = r.fields.map((f, i) => Math.max(displayWidth(f.name), ...cells.map((c) => displayWidth(c[i]))));
  const header = r.fields.map((f, i) => centre(f.name, widths[i])).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w + 2)).join('+');
  const pad = (v: string, i: number) => ' '.repeat(widths[i] - displayWidth(v));
  const lines = cells.map((c) =>
    c.map((v, i) => (INT_TYPES.has(r.fields[i].dataTypeID) ? pad(v, i) + v : v + pad(v, i))).join(' | '),
  );
  const n = r.rows.length;
  return (
    [` ${header} `, rule, ...lines.map((l) => ` ${l} `.trimEnd()), `(${n} ${n === 1 ? 'row' : 'rows'})`, ''].join(
      '\n',
    ) + '\n'
  );
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function centre(s: string, width: number): string {
  const left = Math.floor((width - displayWidth(s)) / 2);
  return ' '.repeat(left) + s + ' '.repeat(width - left - displayWidth(s));
}

/** Terminal columns: Hangul, CJK and full-width forms take two (as psql counts them). */
function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s)
    width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(ch)
      ? 2
      : 1;
  return width;
}
