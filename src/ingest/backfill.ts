import pLimit from 'p-limit';
import { Pool } from 'pg';
import { discoverSessions, SessionRef } from '../files/discover';
import { BulkOptions, withBulkLoad } from './bulk-load';
import { ingestSession, IngestOptions, SessionOutcome } from './session';

/**
 * `backfill`: every session under a root, `concurrency` at a time, then the analytics
 * recomputed once. Sessions are independent transactions: one that fails is reported and the
 * others still load. An abort signal stops new sessions from starting; those under way finish
 * (or roll back) on their own.
 */

export interface BackfillOptions extends IngestOptions, BulkOptions {
  concurrency: number;
  signal?: AbortSignal;
  onIgnored?: (path: string, reason: string) => void;
  onSession?: (outcome: SessionOutcome) => void;
}

export interface BackfillSummary {
  root: string;
  found: number;
  outcomes: SessionOutcome[];
  /** Sessions not started because of the abort signal. */
  notStarted: number;
  /** Rows per table after the run. */
  tableRows: Record<string, number>;
  elapsedMs: number;
}

export const TABLES = [
  'users', 'crawl_sessions', 'issues', 'session_issues', 'issue_comments', 'issue_history',
  'attachments', 'search_queries', 'session_errors', 'analytics_daily', 'analytics_monthly', 'audit_log',
] as const;

export async function backfill(pool: Pool, root: string, options: BackfillOptions): Promise<BackfillSummary> {
  const started = performance.now();
  const refs = await discoverSessions(root, { onIgnored: options.onIgnored });
  const outcomes = await loadSessions(pool, refs, options);
  if (outcomes.some((o) => o.result === 'ingested')) await refreshAnalytics(pool, options.timezone);
  return {
    root,
    found: refs.length,
    outcomes,
    notStarted: refs.length - outcomes.length,
    tableRows: await countRows(pool),
    elapsedMs: performance.now() - started,
  };
}

/** ingestMany, on the bulk path when the sessions are many next to the database (bulk-load.ts). */
export async function loadSessions(pool: Pool, refs: SessionRef[], options: BackfillOptions): Promise<SessionOutcome[]> {
  // discoverSessions lists the oldest first; on the bulk path the newest go first (bulk-load.ts).
  return withBulkLoad(pool, refs.length, options, (bulk) => ingestMany(pool, bulk ? [...refs].reverse() : refs, options));
}

/** Ingests `refs` with bounded parallelism; sessions not yet started when aborted are skipped. */
export async function ingestMany(pool: Pool, refs: SessionRef[], options: BackfillOptions): Promise<SessionOutcome[]> {
  const limit = pLimit(options.concurrency);
  const outcomes: SessionOutcome[] = [];
  await Promise.all(
    refs.map((ref) =>
      limit(async () => {
        if (options.signal?.aborted) return;
        const outcome = await ingestSession(pool, ref, options);
        outcomes.push(outcome);
        options.onSession?.(outcome);
      }),
    ),
  );
  return outcomes;
}

/** Recomputes analytics_daily and analytics_monthly (src/sql/migrations/0007_analytics.sql). */
export async function refreshAnalytics(pool: Pool, timezone: string): Promise<void> {
  await pool.query('SELECT ims.refresh_analytics($1)', [timezone]);
}

/** Row count of every ims table. */
export async function countRows(pool: Pool): Promise<Record<string, number>> {
  const sql = TABLES.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ims.${t}`).join(' UNION ALL ');
  const { rows } = await pool.query<{ t: string; n: number }>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}
