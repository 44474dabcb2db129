import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Backfill from '../src/ingest/backfill';
import type * as Db from '../src/db/pool';
import type * as Discover from '../src/files/discover';
import type * as Migrate from '../src/db/migrate';
import type * as Scan from '../src/files/session-folder';
import type * as ReadSession from '../src/ingest/read-session';
import type * as WriteSession from '../src/db/write-session';

/**
 * The loader under test is the one `npm run build` writes to dist/, i.e. what ships: the
 * benchmark is compiled on its own (bench/tsconfig.json) and takes only the types from src/.
 * Loading src/ through the benchmark's own build would move src/sql and package.json out of
 * reach of the paths the loader computes from its __dirname.
 */

/** The repository root: the nearest directory above this file holding package.json. */
export const REPO_ROOT = ((): string => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('bench: package.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
})();

// IMS_BENCH_DIST measures another build of the loader (a checkout before a change, built with
// its own src/sql beside it), for before/after figures.
const DIST = process.env.IMS_BENCH_DIST ?? join(REPO_ROOT, 'dist');

function dist<T>(module: string): T {
  const path = join(DIST, module);
  if (!existsSync(`${path}.js`))
    throw new Error(`bench: ${path}.js is missing: run \`npm run build\` first (npm run bench does)`);
  return require(path) as T;
}

export const { ingestMany, loadSessions, refreshAnalytics, TABLES } = dist<typeof Backfill>('ingest/backfill');
export const { createPool, inTransaction, poolSizeFor, withRetry } = dist<typeof Db>('db/pool');
export const { discoverSessions } = dist<typeof Discover>('files/discover');
export const { applyMigrations } = dist<typeof Migrate>('db/migrate');
export const { scanSession } = dist<typeof Scan>('files/session-folder');
export const { readSession } = dist<typeof ReadSession>('ingest/read-session');
export const { writeSession } = dist<typeof WriteSession>('db/write-session');
