import pLimit from 'p-limit';
import { Pool, PoolClient } from 'pg';
import { readSql } from './sql-files';
import { withRetry } from './pool';

/**
 * The secondary indexes a bulk backfill drops before its load and builds after it
 * (src/sql/migrations/0013_deferred_indexes.sql). Whoever defers holds a session advisory
 * lock for the whole load; a process that finds recorded indexes and can take that lock knows
 * their loader is gone (killed, crashed, disconnected: the server released its lock) and
 * re-creates them. One that cannot take it leaves them to the loader still running.
 * Only the tables' owner drops or builds them: ims_loader reads the records and no more.
 */

// Arbitrary but fixed, next to migrate.ts's 0x1a5_1a5.
const BULK_LOCK_KEY = 0x1a5_1a6;

export interface DeferredIndexes {
  /** Index names dropped for this load. */
  names: string[];
  /** Re-creates them (`concurrency` at a time, at least two) and gives up the lock; idempotent. */
  restore(concurrency: number): Promise<string[]>;
}

/** Index names recorded as deferred (dropped and not yet re-created). */
export async function listDeferredIndexes(pool: Pool | PoolClient): Promise<string[]> {
  const { rows } = await pool.query<{ index_name: string }>(
    'SELECT index_name FROM ims_ingest.deferred_indexes ORDER BY index_name',
  );
  return rows.map((r) => r.index_name);
}

export interface IndexOwner {
  login: string;
  /** Whether `login` owns every table of schema ims (so may drop and build their indexes). */
  owner: boolean;
}

/** Whether the current login may defer and re-create the secondary indexes. */
export async function indexOwner(pool: Pool | PoolClient): Promise<IndexOwner> {
  const { rows } = await pool.query<IndexOwner>(readSql('bulk/owner.sql'));
  return rows[0];
}

async function rebuild(pool: Pool, recorded: string[], concurrency: number): Promise<string[]> {
  // Largest tables' GIN indexes first, so the builds running side by side end together
  // instead of one big build running alone at the end.
  const { rows: order } = await pool.query<{ index_name: string }>(
    `SELECT index_name FROM ims_ingest.deferred_indexes
     ORDER BY pg_relation_size(to_regclass('ims.' || quote_ident(table_name))) DESC NULLS LAST,
              definition LIKE '% USING gin %' DESC, index_name`,
  );
  const names = order.map((r) => r.index_name).filter((n) => recorded.includes(n));
  // Each index in its own transaction: a failure or a kill keeps the rest recorded. At least
  // two at a time: one build is one core, and nothing else runs at the end of a load.
  const limit = pLimit(Math.max(2, concurrency));
  const done = await Promise.all(
    names.map((name) =>
      limit(async () => {
        const { rows } = await pool.query<{ ok: boolean }>('SELECT ims_ingest.restore_deferred_index($1) AS ok', [
          name,
        ]);
        return rows[0].ok ? name : undefined;
      }),
    ),
  );
  return done.filter((n): n is string => n !== undefined).sort();
}

/**
 * Re-creates the indexes an interrupted bulk load left recorded, unless that load is still
 * running. Returns the names re-created. A login that does not own the tables cannot: it is
 * told through `warn` and goes on, since the rows are right without those indexes (only
 * searches and filters are slower) until the owner's migrate or backfill builds them.
 */
export async function restoreAbandonedIndexes(
  pool: Pool,
  concurrency: number,
  warn?: (message: string) => void,
): Promise<string[]> {
  const recorded = await listDeferredIndexes(pool);
  if (recorded.length === 0) return [];
  const who = await indexOwner(pool);
  if (!who.owner) {
    warn?.(
      `${recorded.length} indexes an interrupted bulk load dropped are still missing: ${who.login} does not own the ims tables, ` +
        'so `ims-ingest migrate` or `backfill` run as their owner must re-create them; loading goes on without them (rows are right, searches slower)',
    );
    return [];
  }
  const client = await holdClient(pool);
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [BULK_LOCK_KEY]);
    if (!rows[0].ok) return [];
    try {
      return await rebuild(pool, await listDeferredIndexes(client), concurrency);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [BULK_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release(client.lost);
  }
}

/**
 * A client held for a session advisory lock, with an error listener for as long as it is held:
 * a connection that dies under it (a server restart during a long load) must not crash the
 * process. A lost lock is harmless: the indexes stay recorded, and whoever finds them with the
 * lock free re-creates them (restoreAbandonedIndexes).
 */
async function holdClient(pool: Pool): Promise<PoolClient & { lost?: Error }> {
  const client: PoolClient & { lost?: Error } = await pool.connect();
  client.on('error', (err) => (client.lost = err));
  return client;
}

/**
 * Drops the secondary indexes for a bulk load; undefined when another bulk load holds the lock
 * (this one then loads with the indexes as they are). Holds one pool client until restore.
 */
export async function deferSecondaryIndexes(pool: Pool): Promise<DeferredIndexes | undefined> {
  const client = await holdClient(pool);
  let held = false;
  try {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [BULK_LOCK_KEY]);
    held = rows[0].ok;
    if (!held) {
      client.release();
      return undefined;
    }
    await client.query('SELECT ims_ingest.defer_secondary_indexes()');
    const names = await listDeferredIndexes(client);
    let restored: Promise<string[]> | undefined;
    return {
      names,
      restore: (concurrency) =>
        (restored ??= (async () => {
          try {
            // The held connection may have died with a server restart: the list comes from the
            // pool, and a build cut by an outage is tried again (each index is its own transaction).
            return await withRetry(async () => rebuild(pool, await listDeferredIndexes(pool), concurrency));
          } finally {
            await client.query('SELECT pg_advisory_unlock($1)', [BULK_LOCK_KEY]).catch(() => undefined);
            client.release(client.lost);
          }
        })()),
    };
  } catch (err) {
    if (held) await client.query('SELECT pg_advisory_unlock($1)', [BULK_LOCK_KEY]).catch(() => undefined);
    client.release(client.lost);
    throw err;
  }
}
