import { Pool, PoolClient } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../errors';
import { transientKind, TransientKind } from './transient';

export { isTransient, transientKind } from './transient';

/**
 * Connections and the one retry policy. Every client has an error path: idle ones through the
 * pool's 'error' event, checked-out ones through a listener held for the checkout (node-postgres
 * emits 'error' on a client whose connection dies, and an unheard 'error' ends the process).
 * Only what src/db/transient.ts calls transient is retried.
 */

/** Default connect timeout when neither the URL's connect_timeout nor PGCONNECT_TIMEOUT says. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 15;

export interface PoolOptions {
  connectionString?: string;
  max?: number;
  /** Seconds to set up a connection (TCP + authentication); the URL's connect_timeout wins. */
  connectTimeoutSeconds?: number;
  /** Told of errors of idle clients (a server restart); the pool replaces them. */
  onIdleError?: (message: string) => void;
}

/**
 * Connections a loader of `concurrency` sessions or batches at once needs: one each, one more
 * for the batch staging while they merge (src/ingest/backfill.ts), one held by the bulk
 * path's lock for the whole load, and at least two for the index builds at its end
 * (deferred-indexes.ts builds two at a time even with one batch at a time).
 */
export function poolSizeFor(concurrency: number): number {
  return Math.max(concurrency + 2, 3);
}

/** A pool; `connectionString` undefined means libpq's PG* variables. */
export function createPool(options: PoolOptions): Pool {
  const seconds = connectTimeoutSeconds(options.connectionString, options.connectTimeoutSeconds);
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.max ?? 4,
    application_name: 'ims-ingest',
    // node-postgres ignores libpq's connect_timeout: without this a server that accepts the
    // TCP connection and never answers hangs the caller for good.
    connectionTimeoutMillis: seconds > 0 ? seconds * 1000 : undefined,
    // A peer that vanished (cable, NAT, VM paused) is noticed by TCP instead of never.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client's error would otherwise crash the process (node-postgres emits 'error').
  pool.on('error', (err) => options.onIdleError?.(describeError(err)));
  return pool;
}

/** The connect timeout in seconds: the URL's connect_timeout, else `fallback` (0 = none). */
export function connectTimeoutSeconds(url: string | undefined, fallback = DEFAULT_CONNECT_TIMEOUT_SECONDS): number {
  const m = url ? /[?&]connect_timeout=(\d+)/.exec(url) : null;
  return m ? Number(m[1]) : fallback;
}

/**
 * A client for the duration of `work`, with an error listener for as long as it is checked
 * out: a connection lost mid-work fails `work` (its query rejects), never the process.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (err: Error) => {
    lost = err;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (err) {
    // A dead connection is not returned to the pool.
    if (lost || transientKind(err) === 'connection') lost ??= err as Error;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(lost ?? false);
  }
}

/** Runs `work` in one transaction on one client: COMMIT on success, ROLLBACK on any error. */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: { rollback?: boolean } = {},
): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    let result: T;
    try {
      result = await work(client);
    } catch (err) {
      // If the connection itself is gone, ROLLBACK fails too; the server rolls back on its own.
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    await client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  });
}

export interface RetryOptions {
  /** Stop after this many attempts (default: no limit, see giveUpMs). */
  attempts?: number;
  /** Stop once transient failures have gone on this long (default 180 s; Infinity: never). */
  giveUpMs?: number;
  /** First delay (default 100 ms), doubled per attempt up to maxDelayMs (default 5 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Stops waiting between attempts: the last error is thrown. */
  signal?: AbortSignal;
  onRetry?: (attempt: number, err: unknown, delayMs: number, kind: TransientKind) => void;
  /** Called after `work` succeeded (after failures or not): the database answered. */
  onSuccess?: () => void;
  /** Decides whether to stop retrying; default: attempts or giveUpMs reached. */
  giveUp?: (err: unknown, attempt: number, failingForMs: number) => boolean;
}

/**
 * Calls `work` again after a transient error, with capped, jittered exponential back-off, until
 * it succeeds, fails for another reason, or the retry budget is spent (then the last error).
 */
export async function withRetry<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? Infinity;
  const giveUpMs = options.giveUpMs ?? 180_000;
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 5_000;
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await work();
      options.onSuccess?.();
      return result;
    } catch (err) {
      const kind = transientKind(err);
      if (!kind || options.signal?.aborted) throw err;
      firstFailure ??= Date.now();
      const failingFor = Date.now() - firstFailure;
      const stop = options.giveUp
        ? options.giveUp(err, attempt, failingFor)
        : attempt >= attempts || failingFor >= giveUpMs;
      if (stop) throw err;
      // Full jitter over the upper half: several processes retrying after one restart spread out.
      const ceiling = Math.min(cap, base * 2 ** Math.min(attempt - 1, 20));
      const delay = Math.round(ceiling * (0.5 + Math.random() / 2));
      options.onRetry?.(attempt, err, delay, kind);
      try {
        await sleep(delay, undefined, { signal: options.signal });
      } catch {
        throw err; // aborted while waiting
      }
    }
  }
}
