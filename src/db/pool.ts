import { Pool, PoolClient } from 'pg';
import { describeError } from '../errors';

/**
 * Connections and the one retry policy. Only what is known to be transient is retried
 * (graphile-worker's RETRYABLE_ERROR_CODES): serialization failure, deadlock, a server
 * starting up or shutting down, a lost connection. A data error is never retried.
 */

const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '57P01', // admin_shutdown
  '57P03', // cannot_connect_now
  '08000', '08001', '08003', '08004', '08006', // connection exceptions
]);
const RETRYABLE_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EAI_AGAIN']);

/** True for an error that the same work, tried again, may not meet. */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (RETRYABLE_SQLSTATES.has(code) || RETRYABLE_ERRNOS.has(code))) return true;
  return /Connection terminated unexpectedly|Client has encountered a connection error/.test(String((err as Error)?.message));
}

export interface PoolOptions {
  connectionString?: string;
  max?: number;
  /** Told of errors of idle clients (a server restart); the pool replaces them. */
  onIdleError?: (message: string) => void;
}

/** A pool; `connectionString` undefined means libpq's PG* variables. */
export function createPool(options: PoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.max ?? 4,
    application_name: 'ims-ingest',
  });
  // An idle client's error would otherwise crash the process (node-postgres emits 'error').
  pool.on('error', (err) => options.onIdleError?.(describeError(err)));
  return pool;
}

/** Runs `work` in one transaction on one client: COMMIT on success, ROLLBACK on any error. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // the connection itself is gone: do not return it to the pool
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  onRetry?: (attempt: number, err: unknown, delayMs: number) => void;
}

/** Calls `work` again after a transient error, with jittered exponential back-off. */
export async function withRetry<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseDelayMs ?? 50;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err)) throw err;
      const delay = Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random()));
      options.onRetry?.(attempt, err, delay);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
