import pLimit from 'p-limit';
import { Pool } from 'pg';
import { describeError } from '../errors';
import { log } from '../log';
import { refreshAnalytics, refreshAnalyticsIfStale } from '../db/analytics';
import { withRetry } from '../db/pool';
import { discoverSessions, SessionRef } from '../files/discover';
import { BulkOptions, withBulkLoad } from './bulk-load';
import { DatabaseHealth } from './db-health';
import { DEFAULT_BATCH_SESSIONS, ingestBatch, planBatches } from './batches';
import { DEFAULT_GIVE_UP_MS, IngestOptions, runRetry, SessionOutcome } from './session';

import { HistoryOutcome, loadQueryHistory } from './query-history';

export { refreshAnalytics } from '../db/analytics';

/**
 * `backfill`: every session under a root, `concurrency` at a time, then the analytics
 * recomputed when they are older than the sessions. Sessions are independent transactions: one
 * that fails is reported and the others still load. A session another process is loading is
 * done last, after waiting for that process. Once the database has been unreachable for the
 * retry budget, no new session starts. An abort signal stops new sessions from starting; those
 * under way finish (or roll back) on their own.
 */

export interface BackfillOptions extends IngestOptions, BulkOptions {
  concurrency: number;
  /** Sessions merged per transaction (batches.ts; default DEFAULT_BATCH_SESSIONS, 1: one by one). */
  batchSessions?: number;
  signal?: AbortSignal;
  onIgnored?: (path: string, reason: string) => void;
  onSession?: (outcome: SessionOutcome) => void;
  /** The sessions found under the root, before the first one is loaded. */
  onStart?: (refs: SessionRef[]) => void;
}

export interface BackfillSummary {
  root: string;
  found: number;
  outcomes: SessionOutcome[];
  /** Sessions not started because of the abort signal or because the database stayed away. */
  notStarted: number;
  /** The query history files under <root>/history (read once, after the sessions). */
  history: HistoryOutcome;
  /** Why the run stopped early when the database stayed unreachable. */
  gaveUp?: string;
  /** Rows per table after the run (empty when the database could not be asked). */
  tableRows: Record<string, number>;
  elapsedMs: number;
}

/** Every ims table, parents before children (bench/data-floor.ts copies them in this order). */
export const TABLES = [
  'users',
  'crawl_sessions',
  'issues',
  'session_issues',
  'issue_comments',
  'issue_history',
  'attachments',
  'search_queries',
  'session_errors',
  'analytics_daily',
  'analytics_monthly',
  'audit_log',
] as const;

export async function backfill(pool: Pool, root: string, options: BackfillOptions): Promise<BackfillSummary> {
  const started = performance.now();
  const health = options.health ?? new DatabaseHealth();
  const opts = { ...options, health };
  const refs = await discoverSessions(root, { onIgnored: options.onIgnored });
  options.onStart?.(refs);
  const { outcomes, gaveUp } = await bulkRun(pool, refs, opts);
  let tableRows: Record<string, number> = {};
  let history: HistoryOutcome = { status: 'failed', entries: 0, changed: 0, problems: [] };
  if (!gaveUp) {
    try {
      history = await loadQueryHistory(pool, root, { ...options, retry: runRetry(opts, 'query history') });
      // A history entry can change what a session says (its query, its end) without a session load.
      if (history.changed > 0) await dbRetry(opts, () => refreshAnalytics(pool, options.timezone));
      else await dbRetry(opts, () => refreshAnalyticsIfStale(pool, options.timezone));
      tableRows = await dbRetry(opts, () => countRows(pool));
    } catch (err) {
      log().error({ error: describeError(err) }, 'analytics not refreshed: the database stayed unreachable');
    }
  }
  return {
    root,
    found: refs.length,
    outcomes,
    history,
    notStarted: refs.length - outcomes.length,
    gaveUp,
    tableRows,
    elapsedMs: performance.now() - started,
  };
}

/** ingestMany, on the bulk path when the sessions are many next to the database (bulk-load.ts). */
export async function loadSessions(
  pool: Pool,
  refs: SessionRef[],
  options: BackfillOptions,
): Promise<SessionOutcome[]> {
  return (await bulkRun(pool, refs, { ...options, health: options.health ?? new DatabaseHealth() })).outcomes;
}

function bulkRun(pool: Pool, refs: SessionRef[], options: BackfillOptions): ReturnType<typeof ingestRun> {
  // discoverSessions lists the oldest first; on the bulk path the newest go first (bulk-load.ts).
  return withBulkLoad(pool, refs.length, options, (bulk) =>
    ingestRun(pool, bulk ? [...refs].reverse() : refs, options),
  );
}

/** Ingests `refs` with bounded parallelism; sessions not yet started when aborted are skipped. */
export async function ingestMany(pool: Pool, refs: SessionRef[], options: BackfillOptions): Promise<SessionOutcome[]> {
  return (await ingestRun(pool, refs, { ...options, health: options.health ?? new DatabaseHealth() })).outcomes;
}

async function ingestRun(
  pool: Pool,
  refs: SessionRef[],
  options: BackfillOptions,
): Promise<{ outcomes: SessionOutcome[]; gaveUp?: string }> {
  // `concurrency` batches merge at once, and one more stages: its files are read, parsed and
  // sent while the others merge, so neither the loader nor the database waits for the other
  // (docs/performance.md, change 16). Staging streams into the batch's temporary tables: it
  // costs the loader no memory.
  const limit = pLimit(options.concurrency + 1);
  const mergeGate = pLimit(options.concurrency);
  const outcomes: SessionOutcome[] = [];
  let gaveUp: string | undefined;
  const run = (batch: SessionRef[], claim: 'skip' | 'wait') =>
    limit(async () => {
      if (options.signal?.aborted || gaveUp) return [];
      const loaded = await ingestBatch(pool, batch, { ...options, claim: options.claim ?? claim, mergeGate });
      for (const outcome of loaded) {
        if (outcome.result === 'claimed') continue;
        outcomes.push(outcome);
        if (
          outcome.error?.transient &&
          outcome.error.code !== 'SESSION_FAILED' &&
          !options.signal?.aborted &&
          !gaveUp
        ) {
          gaveUp = `the database was unreachable for ${Math.round((options.giveUpMs ?? DEFAULT_GIVE_UP_MS) / 1000)}s: ${outcome.error.message}`;
          log().error({ session: outcome.ref.identity }, `giving up: ${gaveUp}`);
        }
        options.onSession?.(outcome);
      }
      return loaded;
    });
  const first: SessionOutcome[] = [];
  for (const phase of planBatches(refs, options.batchSessions ?? DEFAULT_BATCH_SESSIONS)) {
    first.push(...(await Promise.all(phase.map((batch) => run(batch, 'skip')))).flat());
  }
  // Sessions another process held: wait for it, then load what it did not (usually nothing).
  const claimed = first.filter((o) => o.result === 'claimed').map((o) => [o.ref]);
  await Promise.all(claimed.map((ref) => run(ref, 'wait')));
  return { outcomes, gaveUp };
}

/** A database call of the run outside any session, under the same retry budget. */
function dbRetry<T>(options: IngestOptions, work: () => Promise<T>): Promise<T> {
  return withRetry(work, runRetry(options, 'analytics'));
}

/** Row count of every ims table. */
export async function countRows(pool: Pool): Promise<Record<string, number>> {
  const sql = TABLES.map((t) => `SELECT '${t}' AS t, count(*)::int AS n FROM ims.${t}`).join(' UNION ALL ');
  const { rows } = await pool.query<{ t: string; n: number }>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}
