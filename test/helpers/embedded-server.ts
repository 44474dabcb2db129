import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireEmbedded, EmbeddedServer, stopEmbedded } from '../../src/embedded/instance';
import { connectionUrl } from '../../src/embedded/layout';

/**
 * With no DATABASE_URL or PGHOST, the test run gets its own embedded PostgreSQL (the same code
 * as `ims-ingest` without configuration), in a fresh data root under
 * $TMPDIR/ims-ingest-test-<uid>/: tests never touch the user's real embedded data. Durability is
 * off (fsync, full_page_writes): the data is thrown away after the run.
 */

// Shared by jest's globalSetup and globalTeardown, which run in the same process.
const KEY = Symbol.for('ims-ingest.test-embedded-server');
type Holder = { [KEY]?: { server: EmbeddedServer; dir: string } };

/** Starts the run's server; returns the URL of its `postgres` database. */
export async function startTestServer(): Promise<string> {
  const uid = process.getuid?.() ?? 0;
  const parent = join(tmpdir(), `ims-ingest-test-${uid}`);
  mkdirSync(parent, { recursive: true, mode: 0o711 });
  const info = statSync(parent);
  if (info.uid !== uid) throw new Error(`${parent} belongs to uid ${info.uid}: remove it or set TMPDIR`);
  await sweepAbandoned(parent);
  const dir = mkdtempSync(join(parent, 'run-'));
  const server = await acquireEmbedded({ dir, throwaway: true, log: (line) => process.stderr.write(`${line}\n`) });
  (globalThis as Holder)[KEY] = { server, dir };
  return connectionUrl(server.layout, { database: 'postgres', port: true });
}

/** Stops the run's server (if this run started one) and deletes its data. */
export async function stopTestServer(): Promise<void> {
  const held = (globalThis as Holder)[KEY];
  if (!held) return;
  delete (globalThis as Holder)[KEY];
  try {
    await held.server.release();
  } finally {
    rmSync(held.dir, { recursive: true, force: true });
  }
}

/**
 * Data roots of earlier runs that were killed before their teardown (Ctrl-C): their server,
 * if still up, is stopped and their files removed. A root younger than a minute may belong to a
 * run that is still starting and has no lease yet.
 */
async function sweepAbandoned(parent: string): Promise<void> {
  for (const name of readdirSync(parent)) {
    const dir = join(parent, name);
    if (!name.startsWith('run-') || Date.now() - statSync(dir).mtimeMs < 60_000) continue;
    const { users } = await stopEmbedded(dir, false);
    if (users.length === 0) rmSync(dir, { recursive: true, force: true });
  }
}
