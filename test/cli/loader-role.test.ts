import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { cleanEnv, logRecords, logText, runCli } from '../helpers/cli';
import { FIXTURE_TABLE_ROWS, FIXTURES } from '../helpers/fixtures';
import { Login, Logins, urlAs } from '../helpers/roles';

/**
 * `backfill` as a login that is only a member of ims_loader: neither owner nor superuser, on
 * a database the owner migrated. The whole of fixtures/ loads, the audit partition of the
 * quarter is created through the SECURITY DEFINER function, and analytics are refreshed.
 */

const logins = new Logins(process.env.IMS_TEST_BASE_URL!);
let loader: Login;
const dbs: TestDatabase[] = [];

beforeAll(async () => {
  loader = await logins.create('loader', ['ims_loader']);
});
afterAll(async () => {
  for (const db of dbs) await db.drop();
  await logins.drop();
});

it('loads fixtures/ as ims_loader, with no superuser or ownership', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  const who = await db.pool.query(
    `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb,
            array(SELECT b.rolname FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid WHERE m.member = r.oid)::text[] AS groups,
            (SELECT count(*)::int FROM pg_class WHERE relowner = r.oid) AS owns
     FROM pg_roles r WHERE r.rolname = $1`,
    [loader.name],
  );
  expect(who.rows).toEqual([
    { rolsuper: false, rolcreaterole: false, rolcreatedb: false, groups: ['ims_loader'], owns: 0 },
  ]);

  const env = cleanEnv({ DATABASE_URL: urlAs(db.url, loader) });
  const run = runCli(['backfill', FIXTURES, '--json'], env);
  expect(run.stderr).not.toMatch(/permission denied/);
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout);
  expect(summary.outcomes.map((o: { result: string }) => o.result)).toEqual(Array(9).fill('ingested'));
  expect(summary.tableRows).toEqual(FIXTURE_TABLE_ROWS);
  // The rows are really there, as the superuser sees them, and the partition is the owner's.
  const check = new Client({ connectionString: db.url });
  await check.connect();
  try {
    const n = await check.query('SELECT count(*)::int AS n FROM ims.crawl_sessions');
    expect(n.rows[0].n).toBe(8);
    const parts = await check.query(
      `SELECT c.relname, pg_get_userbyid(c.relowner) AS owner FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'ims.audit_log'::regclass AND c.relname <> 'audit_log_default'`,
    );
    expect(parts.rows.length).toBe(1);
    expect(parts.rows[0].owner).not.toBe(loader.name);
  } finally {
    await check.end();
  }

  // a second run finds every folder unchanged (the version check and the skip read as loader)
  const again = runCli(['backfill', FIXTURES, '--json'], env);
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout).outcomes.map((o: { result: string }) => o.result)).toEqual(
    Array(9).fill('unchanged'),
  );
});

it('has every privilege loading needs on every table and sequence of ims and ims_ingest, whichever migration made it', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  // Generated from the catalog, so a table a later migration creates without its grants fails
  // here by name (0011 once left ims_ingest.session_copies to nobody; docs/schema.md §5).
  const { rows } = await db.pool.query(`
    SELECT n.nspname || '.' || c.relname AS relation,
           CASE WHEN c.relkind = 'S' THEN has_sequence_privilege('ims_loader', c.oid, 'USAGE')
                -- read only: the version check, and whether a bulk load left indexes missing
                WHEN (n.nspname, c.relname) IN (('ims_ingest', 'migrations'), ('ims_ingest', 'deferred_indexes'))
                  THEN has_table_privilege('ims_loader', c.oid, 'SELECT')
                ELSE has_table_privilege('ims_loader', c.oid, 'SELECT, INSERT, UPDATE, DELETE') END AS granted
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname IN ('ims', 'ims_ingest') AND c.relkind IN ('r', 'p', 'S')
    ORDER BY 1`);
  expect(rows.filter((r) => !r.granted)).toEqual([]);
  expect(rows.map((r) => r.relation)).toEqual(
    expect.arrayContaining(['ims_ingest.session_copies', 'ims.issue_search_text']),
  );
  // and nothing more than reading those two: a deferred index's definition is SQL the owner runs
  const more = await db.pool.query(
    `SELECT t, has_table_privilege('ims_loader', t, 'INSERT') OR has_table_privilege('ims_loader', t, 'UPDATE')
               OR has_table_privilege('ims_loader', t, 'DELETE') OR has_table_privilege('ims_loader', t, 'TRUNCATE') AS w
     FROM unnest(ARRAY['ims_ingest.migrations', 'ims_ingest.deferred_indexes']) AS t`,
  );
  expect(more.rows).toEqual([
    { t: 'ims_ingest.migrations', w: false },
    { t: 'ims_ingest.deferred_indexes', w: false },
  ]);
});

it('refuses to create the schema as ims_loader, saying who must, and leaves the database untouched', async () => {
  const db = await createTestDatabase({ migrated: false });
  dbs.push(db);
  const run = runCli(['backfill', FIXTURES], cleanEnv({ DATABASE_URL: urlAs(db.url, loader) }));
  expect(run.code).toBe(1);
  expect(logText(run.stderr)).toMatch(
    /cannot create the migrations table ims_ingest.migrations: permission denied for database .*; run ims-ingest migrate as the role that owns/,
  );
  const schemas = await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname IN ('ims', 'ims_ingest')");
  expect(schemas.rows).toEqual([]);
});

/** Names of the ims indexes (the audit partition a backfill adds aside). */
async function indexNames(db: TestDatabase): Promise<string[]> {
  const { rows } = await db.pool.query(
    "SELECT indexname FROM pg_indexes WHERE schemaname = 'ims' AND tablename NOT LIKE 'audit_log%' ORDER BY 1",
  );
  return rows.map((r) => r.indexname);
}

it('skips the bulk path as ims_loader, saying why, and loads with every index in place', async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  const before = await indexNames(db);
  const run = runCli(
    ['backfill', FIXTURES, '--bulk', 'on', '--json'],
    cleanEnv({ DATABASE_URL: urlAs(db.url, loader) }),
  );
  expect(run.stderr).not.toMatch(/permission denied|not possible/);
  expect(run.code).toBe(0);
  expect(logText(run.stderr)).toContain(
    `bulk path skipped: ${loader.name} does not own the ims tables; loading with every index in place`,
  );
  expect(JSON.parse(run.stdout).outcomes.map((o: { result: string }) => o.result)).toEqual(Array(9).fill('ingested'));
  expect(await indexNames(db)).toEqual(before);
  const recorded = await db.pool.query('SELECT count(*)::int AS n FROM ims_ingest.deferred_indexes');
  expect(recorded.rows[0].n).toBe(0);
});

it("warns as ims_loader about indexes a killed bulk load left dropped, loads, and the owner's migrate re-creates them", async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  const before = await indexNames(db);
  // The owner's bulk load died after its drop (no advisory lock is held any more).
  const { rows } = await db.pool.query<{ n: number }>('SELECT ims_ingest.defer_secondary_indexes() AS n');
  expect(rows[0].n).toBe(29);
  expect((await indexNames(db)).length).toBe(before.length - rows[0].n);

  const run = runCli(['backfill', FIXTURES, '--json'], cleanEnv({ DATABASE_URL: urlAs(db.url, loader) }));
  expect(run.stderr).not.toMatch(/permission denied/);
  expect(run.code).toBe(0);
  const warning = logRecords(run.stderr).find((r) => /still missing/.test(String(r.msg)));
  expect(warning).toMatchObject({
    level: 'warn',
    msg:
      `${rows[0].n} indexes an interrupted bulk load dropped are still missing: ${loader.name} does not own the ims tables, ` +
      'so `ims-ingest migrate` or `backfill` run as their owner must re-create them; loading goes on without them (rows are right, searches slower)',
  });
  expect(JSON.parse(run.stdout).tableRows.issues).toBe(FIXTURE_TABLE_ROWS.issues);
  expect((await indexNames(db)).length).toBe(before.length - rows[0].n);

  const migrate = runCli(['migrate'], cleanEnv({ DATABASE_URL: db.url }));
  expect(migrate.code).toBe(0);
  expect(logText(migrate.stderr)).toContain(
    `migrate: re-created ${rows[0].n} indexes an interrupted bulk load had dropped`,
  );
  expect(await indexNames(db)).toEqual(before);
  const recorded = await db.pool.query('SELECT count(*)::int AS n FROM ims_ingest.deferred_indexes');
  expect(recorded.rows[0].n).toBe(0);
});
