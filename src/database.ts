import { Pool } from 'pg';
import { Config } from './config';
import { acquireEmbedded } from './embedded/instance';
import { describeError, IngestError } from './errors';
import { createPool } from './ingest/db';
import { redactUrl } from './secrets';

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
    await checkConnection(pool, config.databaseUrl ? redactUrl(config.databaseUrl) : 'PGHOST');
    return { pool, close: () => pool.end() };
  }
  const dir = config.embeddedDir;
  const server = await acquireEmbedded({ dir, keepServer: config.keepServer, log });
  const pool = newPool(server.url);
  try {
    await checkConnection(pool, `the embedded PostgreSQL in ${dir}`);
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

async function checkConnection(pool: Pool, where: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new IngestError('DATABASE_UNAVAILABLE', `cannot connect to PostgreSQL at ${where}: ${describeError(err)}`, { cause: err });
  }
}
