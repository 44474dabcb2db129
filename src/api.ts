import { Pool } from 'pg';
import { loadConfig } from './config';
import { Database, openDatabase as openConfigured } from './db/open';
import { Metrics } from './ingest/metrics';
import { SessionOutcome } from './ingest/session';
import { DaemonOptions, runDaemon } from './ingest/watch';

/**
 * The public API's own entry points (src/index.ts exports them): the CLI's machinery, with
 * the options a program has instead of flags. Everything else the API exports is the module
 * that does the work.
 */

export type { Database };

export interface OpenDatabaseOptions {
  /**
   * Your own pool: used as it is, and left open by close() (it is yours to end). Without it,
   * the database is the one the CLI would use: `databaseUrl`, else DATABASE_URL, else the libpq
   * PG* variables when PGHOST is set, else the embedded PostgreSQL (started if need be).
   */
  pool?: Pool;
  databaseUrl?: string;
  /** Data directory of the embedded PostgreSQL (default: as the CLI, docs/operations.md). */
  embeddedDir?: string;
  /** Leave the embedded server running after close(). */
  keepServer?: boolean;
  /** Sessions you will ingest at once: the pool gets one connection more than this. Default 2. */
  concurrency?: number;
  /** Told of connection problems and of the embedded server starting; default: nothing. */
  log?: (line: string) => void;
}

/**
 * A pool on the database to load, with close() to give it back. Checks the connection first:
 * a server that cannot be reached is an IngestError DATABASE_UNAVAILABLE naming where it looked.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.pool !== undefined) return { pool: options.pool, close: async () => undefined };
  const config = loadConfig({
    databaseUrl: options.databaseUrl,
    embeddedDir: options.embeddedDir,
    keepServer: options.keepServer,
    concurrency: options.concurrency,
  });
  return openConfigured(config, options.log ?? (() => undefined));
}

export interface WatchOptions extends Omit<DaemonOptions, 'metrics' | 'log' | 'onSession'> {
  /** Told of each session loaded (or found unchanged, or failed). */
  onSession?: (outcome: SessionOutcome) => void;
  /** Told of what the watcher does and of errors it survives. */
  log?: (line: string) => void;
}

/**
 * `ims-ingest watch` as a function: loads every session under `root` (unchanged ones are
 * skipped), then each session folder again once it has been quiet for settleSeconds after a
 * change. Resolves when `signal` aborts and the sessions under way have finished.
 */
export function watch(pool: Pool, root: string, options: WatchOptions): Promise<void> {
  return runDaemon(pool, root, {
    ...options,
    metrics: new Metrics(),
    log: options.log ?? (() => undefined),
    onSession: options.onSession ?? (() => undefined),
  });
}
