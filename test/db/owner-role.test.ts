import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { backfill } from '../../src/ingest/backfill';
import { applyMigrations } from '../../src/db/migrate';
import { urlForDatabase } from '../../src/db/pg-url';
import { FIXTURES, OPTIONS } from '../helpers/fixtures';
import { Login, Logins, urlAs } from '../helpers/roles';

/**
 * The schema owner need not be a superuser: a login that owns its database but has neither
 * SUPERUSER nor CREATEROLE migrates (the ims roles exist already, made by the template's
 * migration), 0006's broad grants are still revoked, and it loads fixtures/ under FORCE ROW
 * LEVEL SECURITY through its own policies.
 */

const base = process.env.IMS_TEST_BASE_URL!;
const logins = new Logins(base);
const name = `ims_test_owner_${randomBytes(4).toString('hex')}`;
let owner: Login;
let pool: Pool;

const asSuperuser = async (sql: string) => {
  const c = new Client({ connectionString: base });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
};

beforeAll(async () => {
  owner = await logins.create('owner', []);
  await asSuperuser(`CREATE DATABASE ${name} OWNER ${owner.name}`);
  pool = new Pool({ connectionString: urlAs(urlForDatabase(base, name), owner), max: 3 });
  // As in test/helpers/db.ts: our own DROP ... FORCE can reach a connection pool.end() has not
  // finished closing (57P01); any other idle-client error still fails the run.
  pool.on('error', (err) => {
    if ((err as { code?: string }).code !== '57P01') throw err;
  });
});
afterAll(async () => {
  await pool.end();
  await asSuperuser(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await logins.drop();
});

it('migrates and loads as a plain database owner, leaving ims_user only what 0010 grants', async () => {
  const result = await applyMigrations(pool);
  expect(result.applied).toContain('0010_isolation');
  const who = await pool.query('SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user');
  expect(who.rows).toEqual([{ rolsuper: false, rolcreaterole: false }]);

  const privileges = await pool.query(`
    SELECT has_table_privilege('ims_user', 'ims.issues', 'INSERT') AS user_writes_issues,
           has_table_privilege('ims_user', 'ims.audit_log', 'INSERT') AS user_writes_audit,
           has_table_privilege('ims_user', 'ims.crawl_sessions', 'SELECT') AS user_reads_sessions,
           has_table_privilege('ims_admin', 'ims.audit_log', 'TRUNCATE') AS admin_truncates,
           has_schema_privilege('ims_admin', 'ims', 'CREATE') AS admin_creates,
           has_table_privilege('ims_loader', 'ims.attachments', 'UPDATE') AS loader_updates,
           has_function_privilege('ims_loader', 'ims.ensure_audit_log_partition(timestamptz)', 'EXECUTE') AS loader_partitions,
           has_function_privilege('ims_user', 'ims.refresh_analytics(text)', 'EXECUTE') AS user_refreshes`);
  expect(privileges.rows[0]).toEqual({
    user_writes_issues: false,
    user_writes_audit: false,
    user_reads_sessions: true,
    admin_truncates: false,
    admin_creates: false,
    loader_updates: true,
    loader_partitions: true,
    user_refreshes: false,
  });

  // FORCE ROW LEVEL SECURITY binds the owner too: it loads through its own policies.
  const summary = await backfill(pool, FIXTURES, OPTIONS);
  expect(summary.outcomes.map((o) => o.result)).toEqual(Array(9).fill('ingested'));
  expect(summary.tableRows).toMatchObject({
    users: 4,
    crawl_sessions: 8,
    session_issues: 15,
    session_errors: 6,
    audit_log: 9,
    analytics_daily: 16,
  });
});

it("searches, as a user, through functions this owner defines: alice's download text under its FORCE ROW LEVEL SECURITY", async () => {
  // 0014's SECURITY DEFINER functions run as this owner, which reads crawl_sessions through
  // its own policy only; alice's S322 is in her download alone (test/db/search-access.test.ts).
  const alice = await logins.create('alice', ['ims_user']);
  await pool.query("UPDATE ims.users SET db_role = $1 WHERE username = 'alice'", [alice.name]);
  const c = new Client({ connectionString: urlAs(urlForDatabase(base, name), alice) });
  await c.connect();
  try {
    const found = await c.query("SELECT issue_id, matched_in FROM ims.search_issues('S322')");
    expect(found.rows).toEqual([{ issue_id: '347863', matched_in: ['attachment'] }]);
  } finally {
    await c.end();
  }
  const byOwner = await pool.query("SELECT issue_id FROM ims.search_issues('S322')");
  expect(byOwner.rows).toEqual([{ issue_id: '347863' }]); // the owner reads every text
});
