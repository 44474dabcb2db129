import { Pool } from 'pg';
import { deferSecondaryIndexes, restoreAbandonedIndexes } from '../db/deferred-indexes';
import { describeError } from '../errors';

/**
 * The bulk path of a backfill: when the sessions to load are many next to those the database
 * holds (a first load of a dump, above all), the secondary indexes (search GIN, query-only B-trees) are dropped before the load
 * and built once over the final rows after it (src/db/deferred-indexes.ts). Each session is
 * still merged in its own transaction by the same SQL: only index maintenance moves, so the
 * rows are exactly those of the ordinary path. `watch` after its first pass never takes it.
 * The caller loads the newest sessions first on this path (backfill.ts): the merge keeps the
 * newest crawl whatever the order, so an older crawl loaded after it writes nothing to the
 * issue, its comments or attachments, instead of rewriting them once per crawl.
 */

/** 'auto': bulk when the dump is large next to the database; 'on'/'off' force it. */
export type BulkMode = 'auto' | 'on' | 'off';

export interface BulkOptions {
  bulk?: BulkMode;
  concurrency: number;
  /** Told what happens to the indexes (deferred, rebuilt, rebuilt after a crash). */
  onIndexes?: (message: string) => void;
}

// Below this many sessions the index maintenance saved is small next to rebuilding indexes
// over a database that already holds rows; ×4: the dump must be the larger part of the result.
const MIN_SESSIONS = 20;
const DUMP_TO_DATABASE = 4;

/** Whether a load of `sessions` sessions takes the bulk path. */
export async function wantsBulk(pool: Pool, sessions: number, mode: BulkMode = 'auto'): Promise<boolean> {
  if (mode !== 'auto') return mode === 'on' && sessions > 0;
  if (sessions < MIN_SESSIONS) return false;
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM ims.crawl_sessions');
  return sessions >= DUMP_TO_DATABASE * rows[0].n;
}

/**
 * Runs `load` (the sessions' ingest) on the bulk path when it pays: first re-creates indexes
 * an interrupted earlier load left dropped, then defers the secondary indexes around `load`.
 */
export async function withBulkLoad<T>(
  pool: Pool,
  sessions: number,
  options: BulkOptions,
  load: (bulk: boolean) => Promise<T>,
): Promise<T> {
  const abandoned = await restoreAbandonedIndexes(pool, options.concurrency);
  if (abandoned.length)
    options.onIndexes?.(
      `re-created ${abandoned.length} indexes an interrupted bulk load had dropped: ${abandoned.join(', ')}`,
    );
  if (!(await wantsBulk(pool, sessions, options.bulk))) return load(false);
  let deferred;
  try {
    deferred = await deferSecondaryIndexes(pool);
  } catch (err) {
    // E.g. a login that does not own the tables: one statement, so nothing was dropped.
    options.onIndexes?.(`bulk load not possible (${describeError(err)}): loading with every index in place`);
    return load(false);
  }
  if (!deferred) return load(false);
  options.onIndexes?.(`bulk load: ${deferred.names.length} secondary indexes dropped, built again after the load`);
  let result: T;
  try {
    result = await load(true);
  } catch (err) {
    await deferred.restore(options.concurrency).catch(() => undefined);
    throw err;
  }
  const started = performance.now();
  const rebuilt = await deferred.restore(options.concurrency);
  options.onIndexes?.(
    `bulk load: ${rebuilt.length} secondary indexes built in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return result;
}
