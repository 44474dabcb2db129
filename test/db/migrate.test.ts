import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyMigrations, migrationFiles } from '../../src/db/migrate';
import { backfill } from '../../src/ingest/backfill';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS } from '../helpers/fixtures';
import { dumpSchema } from '../helpers/schema-dump';

const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
});
const empty = async () => {
  const db = await createTestDatabase({ migrated: false });
  dbs.push(db);
  return db;
};

it('migrates an empty database, once, even when three processes race for it', async () => {
  const db = await empty();
  const results = await Promise.all([applyMigrations(db.pool), applyMigrations(db.pool), applyMigrations(db.pool)]);
  const names = migrationFiles().map((f) => f.name);
  expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, names.length]);
  const { rows } = await db.pool.query('SELECT name FROM ims_ingest.migrations ORDER BY id');
  expect(rows.map((r) => r.name)).toEqual(names);
  const tables = await db.pool.query(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'ims' AND tablename NOT LIKE 'audit_log_%' ORDER BY 1`,
  );
  expect(tables.rows.map((r) => r.tablename)).toEqual([
    'analytics_daily',
    'analytics_monthly',
    'attachments',
    'audit_log',
    'crawl_sessions',
    'issue_comments',
    'issue_history',
    'issue_search_text',
    'issues',
    'search_queries',
    'session_errors',
    'session_issues',
    'users',
  ]);
  const partitioned = await db.pool.query(
    `SELECT relname FROM pg_class WHERE relkind = 'p' AND relnamespace = 'ims'::regnamespace`,
  );
  expect(partitioned.rows).toEqual([{ relname: 'audit_log' }]);
  expect((await applyMigrations(db.pool)).applied).toEqual([]);
});

it('refuses a migration changed after it was applied, and a database ahead of the code', async () => {
  const db = await empty();
  await applyMigrations(db.pool);
  await db.pool.query(`UPDATE ims_ingest.migrations SET checksum = 'edited' WHERE id = 1`);
  await expect(applyMigrations(db.pool)).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM' });
  await db.pool.query(`UPDATE ims_ingest.migrations SET checksum = $1 WHERE id = 1`, [migrationFiles()[0].checksum]);
  await db.pool.query(`INSERT INTO ims_ingest.migrations (id, name, checksum) VALUES (9999, '9999_future', 'x')`);
  await expect(applyMigrations(db.pool)).rejects.toMatchObject({
    code: 'DATABASE_AHEAD',
    message: expect.stringContaining('9999_future'),
  });
});

it('matches the committed schema dump test/schema.sql (UPDATE_SCHEMA=1 rewrites it)', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  const dump = await dumpSchema(db.pool);
  const file = join(__dirname, '..', 'schema.sql');
  // Written only when asked: a dump written because it was missing would be compared with itself.
  if (process.env.UPDATE_SCHEMA === '1') writeFileSync(file, dump);
  if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_SCHEMA=1 npx jest test/db/migrate.test.ts`);
  expect(dump).toBe(readFileSync(file, 'utf8'));
});

it('creates an audit_log partition for any quarter, moving rows out of DEFAULT', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  await db.pool.query(`INSERT INTO ims.audit_log (action, created_at) VALUES ('old', '2024-05-02T00:00:00Z')`);
  const { rows } = await db.pool.query(`SELECT ims.ensure_audit_log_partition('2024-05-02T00:00:00Z') AS name`);
  expect(rows[0].name).toBe('audit_log_2024q2');
  const where = await db.pool.query(`SELECT tableoid::regclass::text AS part FROM ims.audit_log WHERE action = 'old'`);
  expect(where.rows).toEqual([{ part: 'ims.audit_log_2024q2' }]);
});

it('row-level security shows ims_app only the sessions of the user it names, and nothing when unset', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  await backfill(db.pool, FIXTURES, OPTIONS);
  const client = await db.pool.connect();
  try {
    const alice = (await client.query(`SELECT user_id FROM ims.users WHERE username = 'alice'`)).rows[0].user_id;
    await client.query('BEGIN');
    await client.query('SET LOCAL ROLE ims_app');
    expect((await client.query('SELECT count(*)::int AS n FROM ims.crawl_sessions')).rows[0].n).toBe(0);
    await client.query(`SELECT set_config('app.current_user_id', $1, true)`, [String(alice)]);
    const mine = await client.query('SELECT DISTINCT user_id FROM ims.crawl_sessions');
    expect(mine.rows).toEqual([{ user_id: alice }]);
    // an ims_user that is not ims_app names nobody (0010_isolation.sql; test/db/identity.test.ts)
    await client.query('SET LOCAL ROLE ims_user');
    expect((await client.query('SELECT count(*)::int AS n FROM ims.crawl_sessions')).rows[0].n).toBe(0);
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
});
