import { Pool } from 'pg';
import { Config } from './config';
import { describeError, IngestError } from './errors';
import { createPool } from './ingest/db';

/**
 * Which PostgreSQL a command talks to: --database-url / DATABASE_URL, else the libpq PG*
 * variables when PGHOST is set, else (no server configured) the embedded one.
 */

export interface Database {
  pool: Pool;
  /** Where it is, for messages (password hidden). */
  description: string;
  close(): Promise<void>;
}

export async function openDatabase(config: Config, log: (line: string) => void): Promise<Database> {
  if (config.databaseUrl !== undefined || config.pgHostSet) {
    const pool = createPool({ connectionString: config.databaseUrl, max: config.concurrency + 1, onIdleError: (m) => log(`database connection lost: ${m}`) });
    await checkConnection(pool, config.databaseUrl ? redact(config.databaseUrl) : 'PGHOST');
    return { pool, description: config.databaseUrl ? redact(config.databaseUrl) : `PGHOST=${process.env.PGHOST}`, close: () => pool.end() };
  }
  throw new IngestError(
    'DATABASE_UNAVAILABLE',
    'no database configured: set DATABASE_URL (or --database-url, or the PG* variables)',
  );
}

async function checkConnection(pool: Pool, where: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new IngestError('DATABASE_UNAVAILABLE', `cannot connect to PostgreSQL at ${where}: ${describeError(err)}`, { cause: err });
  }
}

/** The URL with its password replaced by ***. */
export function redact(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
