import { Client, Pool } from 'pg';
import { Config } from '../config';
import { acquireEmbedded } from '../embedded/instance';
import { describeError, IngestError } from '../errors';
import { createPool } from './pool';
import { redactUrl } from '../secrets';

/**
 * Which PostgreSQL a command talks to: --database-url / DATABASE_URL, else the libpq PG*
 * variables when PGHOST is set, else (no server configured) the embedded one.
 */

export interface Database {
  pool: Pool;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, log: (line: string) => void): Promise<Database> {
  const newPool = (connectionString: string | undefined) =>
    createPool({ connectionString, max: config.concurrency + 1, onIdleError: (m) => log(`database connection lost: ${m}`) });
  if (config.databaseUrl !== undefined || config.pgHostSet) {
    const pool = newPool(config.databaseUrl);
    await checkConnection(pool, config.databaseUrl, config.databaseUrl ? redactUrl(config.databaseUrl) : 'PGHOST', config.connectTimeoutSeconds);
    return { pool, close: () => pool.end() };
  }
  const dir = config.embeddedDir;
  const server = await acquireEmbedded({ dir, keepServer: config.keepServer, log });
  const pool = newPool(server.url);
  try {
    await checkConnection(pool, server.url, `the embedded PostgreSQL in ${dir}`, config.connectTimeoutSeconds);
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

/**
 * One connection of the pool's settings, before the pool is used: a server that accepts and
 * never answers fails here after `timeoutSeconds` (the pool's own connectionTimeoutMillis
 * would also bound the wait for a busy pool's clients, which a long load must not have).
 */
async function checkConnection(pool: Pool, connectionString: string | undefined, where: string, timeoutSeconds: number): Promise<void> {
  let client: Client | undefined;
  try {
    // inside the try: a malformed URL throws already here
    client = new Client({ connectionString, connectionTimeoutMillis: timeoutSeconds * 1000, application_name: 'ims-ingest' });
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new IngestError('DATABASE_UNAVAILABLE', `cannot connect to PostgreSQL at ${where}: ${describeError(err)}`, { cause: err });
  } finally {
    await client?.end().catch(() => undefined);
  }
}
