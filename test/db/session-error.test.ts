import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from '../../src/db/pool';
import { discoverSessions } from '../../src/files/discover';
import { DatabaseHealth } from '../../src/ingest/db-health';
import { ingestSession } from '../../src/ingest/session';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS, S } from '../helpers/fixtures';

/**
 * A failed session keeps its error's code across the session boundary: a caller can tell a
 * database that went away (transient: load it later) from one that refuses the work.
 */
let unmigrated: TestDatabase;
let nowhere: string;

beforeAll(async () => {
  unmigrated = await createTestDatabase({ migrated: false });
  nowhere = mkdtempSync(join(tmpdir(), 'ims-no-server-'));
});
afterAll(async () => {
  await unmigrated.drop();
  rmSync(nowhere, { recursive: true, force: true });
});

const session = async () => (await discoverSessions(join(FIXTURES, S.S5)))[0];

it('an unreachable database: CONNECTION_LOST, transient, after the retry budget, the outage seen once', async () => {
  // A socket directory with no server in it: connect ENOENT on .s.PGSQL.5432.
  const pool = createPool({ connectionString: `postgresql://postgres@/ims?host=${nowhere}`, max: 1 });
  const health = new DatabaseHealth();
  const started = Date.now();
  try {
    const o = await ingestSession(pool, await session(), { ...OPTIONS, giveUpMs: 400, health });
    expect(o.result).toBe('failed');
    expect(o.error).toMatchObject({ code: 'CONNECTION_LOST', transient: true, cause: 'ENOENT' });
    expect(o.error!.message).toMatch(
      /^ProSort_sort_memory_부족_20251220_080000: (Error: )?connect ENOENT .*\.s\.PGSQL\.5432.*\(database unreachable; gave up after \d+s of retries\)$/,
    );
    expect(o.failure).toBe(o.error!.message);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(health.outages).toBe(1);
    expect(health.up).toBe(false);
  } finally {
    await pool.end();
  }
});

it('a database that refuses the work (no schema): SESSION_FAILED with the SQLSTATE, not transient, not retried', async () => {
  let retries = 0;
  const o = await ingestSession(unmigrated.pool, await session(), { ...OPTIONS, onRetry: () => retries++ });
  expect(o.result).toBe('failed');
  expect(o.error).toMatchObject({ code: 'SESSION_FAILED', transient: false, cause: '42P01' });
  expect(o.error!.message).toMatch(/relation "ims\.crawl_sessions" does not exist/);
  expect(retries).toBe(0);
});
