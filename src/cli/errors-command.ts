import { Pool } from 'pg';
import { IngestError } from '../errors';
import { readSql } from '../db/sql-files';

/**
 * `ims-ingest errors`: the rows of ims.session_errors, newest first, and the open errors
 * (files that could not be loaded) that `backfill` and `status` act on.
 */

export interface OpenError {
  session: string;
  error_type: string;
  error_key: string;
  message: string;
  file: string | null;
  occurred_at: Date;
}

export interface ErrorRow extends OpenError {
  session_id: string;
  severity: 'error' | 'warning' | 'info';
}

export interface ErrorsQuery {
  since?: string;
  session?: string;
  severity?: 'error' | 'warning' | 'info';
}

export async function listErrors(pool: Pool, q: ErrorsQuery): Promise<ErrorRow[]> {
  let since: string | null = null;
  if (q.since !== undefined) {
    const t = Date.parse(q.since);
    if (Number.isNaN(t))
      throw new IngestError(
        'CONFIG_INVALID',
        `--since "${q.since}" is not a date (use e.g. 2026-01-31 or 2026-01-31T09:00:00+09:00)`,
      );
    since = new Date(t).toISOString();
  }
  const { rows } = await pool.query<ErrorRow>(readSql('cli/errors.sql'), [
    since,
    q.session ?? null,
    q.severity ?? 'info',
  ]);
  return rows;
}

/** Files that could not be loaded in the sessions `uuids` (all sessions when null). */
export async function openErrors(pool: Pool, uuids: string[] | null): Promise<OpenError[]> {
  return (await pool.query<OpenError>(readSql('cli/open-errors.sql'), [uuids])).rows;
}

/** One block per session, one line per problem: `    [severity type] file: message`. */
export function formatErrorList(rows: (OpenError & { severity?: string })[]): string {
  const lines: string[] = [];
  let last: string | undefined;
  for (const r of rows) {
    if (r.session !== last) lines.push(`  ${r.session}`);
    last = r.session;
    // The type says whose problem it is: reading/parsing ours to load, crawling the crawler's.
    const sev = r.severity ? `${r.severity.padEnd(7)} ${r.error_type.padEnd(8)} ` : '';
    lines.push(`    ${sev}${r.file ?? '(session)'}: ${r.message}`);
  }
  return lines.join('\n');
}

export function formatErrors(rows: ErrorRow[]): string {
  if (rows.length === 0) return 'no errors recorded (for these filters)';
  const bySession = [...rows].sort((a, b) => (a.session < b.session ? -1 : a.session > b.session ? 1 : 0));
  return `${rows.length} problem(s) in ims.session_errors:\n${formatErrorList(bySession)}`;
}
