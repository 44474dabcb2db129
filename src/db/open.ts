import { Pool } from 'pg';
import { Config } from '../config';
import { acquireEmbedded } from '../embedded/instance';
import { describeError, IngestError } from '../errors';
import { log as logger } from '../log';
import { connectTimeoutSeconds, createPool, poolSizeFor, withRetry } from './pool';
import { transientKind } from './transient';
import { redactUrl } from '../secrets';

/**
 * Which PostgreSQL a command talks to: --database-url / DATABASE_URL, else the libpq PG*
 * variables when PGHOST is set, else (no server configured) the embedded one.
 */

export interface Database {
  pool: Pool;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Wait (for ever) for a server that is unreachable at start instead of failing: `watch`. */
  waitForServer?: boolean;
  /**
   * Wait this long for a server that refuses connections or is shutting down at start (a
   * restart under way when a cron `backfill` starts); a server that accepts and never answers
   * still fails after the connect timeout. `backfill`: its --retry-seconds.
   */
  waitForRestartMs?: number;
  /** Stops that wait. */
  signal?: AbortSignal;
  /** Told while waiting (the daemon's DatabaseHealth: /readyz, database_up). */
  health?: { failed(err: unknown, where: string): void; succeeded(): void };
}

export async function openDatabase(
  config: Config,
  log: (line: string) => void,
  options: OpenOptions = {},
): Promise<Database> {
  const newPool = (connectionString: string | undefined) =>
    createPool({
      connectionString,
      max: poolSizeFor(config.concurrency),
      connectTimeoutSeconds: config.connectTimeoutSeconds,
      // One line per idle connection would repeat every outage; the outage itself is logged
      // once by the sessions' DatabaseHealth.
      onIdleError: (m) => logger().debug({ error: m }, 'idle database connection lost'),
    });
  if (config.databaseUrl !== undefined || config.pgHostSet) {
    const pool = newPool(config.databaseUrl);
    await checkConnection(
      pool,
      config.databaseUrl ? redactUrl(config.databaseUrl) : 'PGHOST',
      connectTimeoutSeconds(config.databaseUrl, config.connectTimeoutSeconds),
      options.waitForServer || options.waitForRestartMs ? { log, ...options } : undefined,
    );
    return { pool, close: () => pool.end() };
  }
  const dir = config.embeddedDir;
  const server = await acquireEmbedded({ dir, keepServer: config.keepServer, log });
  const pool = newPool(server.url);
  try {
    await checkConnection(pool, `the embedded PostgreSQL in ${dir}`, config.connectTimeoutSeconds);
  } catch (err) {
    await server.release().catch(() => undefined);
    throw err;
  }
  return {
    pool,
    close: async () => {
      try {
        await pool.end();
      } finally {
        await server.release();
      }
    },
  };
}

/** Fails with the server's name (never its password) and why; `waitLog`: retry until it answers. */
async function checkConnection(
  pool: Pool,
  where: string,
  timeoutSeconds: number,
  wait?: OpenOptions & { log: (line: string) => void },
): Promise<void> {
  let said = false;
  try {
    await withRetry(() => pool.query('SELECT 1'), {
      giveUp: (err, _attempt, failingFor) =>
        !wait?.waitForServer && (transientKind(err) === 'timeout' || failingFor >= (wait?.waitForRestartMs ?? 0)),
      signal: wait?.signal,
      onRetry: (_attempt, err) => {
        wait?.health?.failed(err, 'connect');
        if (!said) wait?.log(`cannot connect to PostgreSQL at ${where}: ${describeError(err)}; waiting for it`);
        said = true;
      },
    });
    wait?.health?.succeeded();
    if (said) wait?.log(`connected to PostgreSQL at ${where}`);
  } catch (err) {
    await pool.end().catch(() => undefined);
    const timeout = transientKind(err) === 'timeout';
    const why = timeout
      ? `no answer within the connect timeout (${timeoutSeconds}s): ${describeError(err)}`
      : describeError(err);
    throw new IngestError(
      timeout ? 'TIMEOUT' : 'DATABASE_UNAVAILABLE',
      `cannot connect to PostgreSQL at ${where}: ${why}`,
      { cause: err },
    );
  }
}
