import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as api from '../../src/index';
import { ImsRow } from '../../src/index';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { copyFixtures, OPTIONS, S } from '../helpers/fixtures';

// The public API as a TypeScript program uses it: only what src/index.ts exports.
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});
const fresh = async (migrated: boolean) => {
  const db = await createTestDatabase({ migrated });
  dbs.push(db);
  return db;
};

it('exports the entry points (one session read and written apart too), and none of the internal COPY encoders', () => {
  expect(Object.keys(api).sort()).toEqual([
    'IngestError',
    'applyMigrations',
    'backfill',
    'discoverSessions',
    'ingestSession',
    'loadConfig',
    'openDatabase',
    'readSession',
    'refreshAnalytics',
    'sessionRefForFolder',
    'watch',
    'writeSession',
  ]);
});

it('opens your own pool, migrates it, ingests a session and reads typed rows, leaving the pool open', async () => {
  const db = await fresh(false);
  const opened = await api.openDatabase({ pool: db.pool });
  const migrated = await api.applyMigrations(opened.pool);
  expect(migrated.applied.length).toBeGreaterThanOrEqual(8);
  const root = copyFixtures();
  try {
    const ref = api.sessionRefForFolder(join(root, S.S1))!;
    const outcome = await api.ingestSession(opened.pool, ref, OPTIONS);
    expect(outcome).toMatchObject({ result: 'ingested', status: 'completed', staged: 4, rejected: 0 });
    const { rows } = await opened.pool.query<ImsRow<'crawl_sessions'>>('SELECT * FROM ims.crawl_sessions');
    const session: ImsRow<'crawl_sessions'> = rows[0];
    expect(session.session_id).toBe(outcome.sessionId);
    expect(session.started_at).toBeInstanceOf(Date);
    expect(typeof session.session_id).toBe('string'); // bigint, as the row type says
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  await opened.close();
  expect((await db.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});

it('opens a database by URL, and says where it looked when it cannot connect', async () => {
  const db = await fresh(true);
  const opened = await api.openDatabase({ databaseUrl: db.url, concurrency: 1 });
  expect((await opened.pool.query('SELECT current_database() AS name')).rows).toEqual([{ name: db.name }]);
  await opened.close();
  await expect(api.openDatabase({ databaseUrl: 'postgresql://nobody@127.0.0.1:1/none' })).rejects.toMatchObject({
    code: 'DATABASE_UNAVAILABLE',
    message: expect.stringContaining('127.0.0.1:1'),
  });
});

it('watches a root: loads every session, then stops when the signal aborts', async () => {
  const db = await fresh(true);
  const root = copyFixtures();
  const controller = new AbortController();
  const seen: api.SessionOutcome[] = [];
  try {
    const watching = api.watch(db.pool, root, {
      ...OPTIONS,
      settleSeconds: 0.2,
      signal: controller.signal,
      onSession: (o) => {
        seen.push(o);
        if (seen.length === 9) controller.abort(); // 9 folders, 8 crawls (a migrated copy)
      },
    });
    await watching;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  expect(seen.map((o) => o.result)).toEqual(Array(9).fill('ingested'));
  const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM ims.crawl_sessions');
  expect(rows).toEqual([{ n: 8 }]);
});
