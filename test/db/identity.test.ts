import { Client } from 'pg';
import { backfill } from '../../src/ingest/backfill';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS } from '../helpers/fixtures';
import { connectAs, Login, Logins } from '../helpers/roles';

/**
 * Whose request it is (0010_isolation.sql): a bound login cannot claim another identity, only
 * ims_app may name one, and the attacks of issue 10 fail with permission denied.
 */

let db: TestDatabase;
const logins = new Logins(process.env.IMS_TEST_BASE_URL!);
const clients: Client[] = [];
let ids: Record<string, number>;
let bobLogin: Login;
let alice: Client, carol: Client, app: Client, admin: Client;

const connect = async (login: Login) => {
  const c = await connectAs(db.url, login);
  clients.push(c);
  return c;
};
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err) => (err as { code: string }).code,
  );
const value = async (c: Client, sql: string, params: unknown[] = []) =>
  Object.values((await c.query(sql, params)).rows[0])[0];
const userIdsSeen = async (c: Client) =>
  (await c.query('SELECT DISTINCT user_id FROM ims.crawl_sessions ORDER BY 1')).rows.map((r) => r.user_id);

beforeAll(async () => {
  db = await createTestDatabase();
  await backfill(db.pool, FIXTURES, OPTIONS);
  const { rows } = await db.pool.query<{ username: string; user_id: number }>(
    'SELECT username, user_id FROM ims.users',
  );
  ids = Object.fromEntries(rows.map((r) => [r.username, r.user_id]));
  const aliceLogin = await logins.create('alice', ['ims_user']);
  bobLogin = await logins.create('bob', ['ims_user']);
  await db.pool.query("UPDATE ims.users SET db_role = $1 WHERE username = 'alice'", [aliceLogin.name]);
  await db.pool.query("UPDATE ims.users SET db_role = $1 WHERE username = 'bob'", [bobLogin.name]);
  alice = await connect(aliceLogin);
  carol = await connect(await logins.create('carol', ['ims_user'])); // an ims_user bound to nobody
  app = await connect(await logins.create('app', ['ims_app']));
  admin = await connect(await logins.create('admin', ['ims_admin']));
});

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await db.drop();
  await logins.drop();
});

describe('a login bound to a user', () => {
  it('stays that user whatever it sets', async () => {
    expect(await value(alice, 'SELECT ims.current_app_user_id()')).toBe(ids.alice);
    await alice.query("SELECT set_config('app.current_user_id', $1, false)", [String(ids.bob)]);
    expect(await value(alice, 'SELECT ims.current_app_user_id()')).toBe(ids.alice);
    expect(await userIdsSeen(alice)).toEqual([ids.alice]);
    expect(await value(alice, 'SELECT count(*)::int FROM ims.v_session_detail')).toBe(2);
    // asking the identity function about another login, or about ims_app, tells nothing
    expect(await value(alice, 'SELECT ims.app_user_id_of($1)', [bobLogin.name])).toBeNull();
    expect(await value(alice, "SELECT ims.app_user_id_of('ims_app')")).toBeNull();
    await alice.query("SELECT set_config('app.current_user_id', '', false)");
  });

  it('cannot write what issue 10 wrote, nor read audit partitions directly', async () => {
    expect(
      await code(
        alice.query(
          "UPDATE ims.issues SET status = 'HACKED' WHERE issue_pk IN (SELECT issue_pk FROM ims.issues LIMIT 1)",
        ),
      ),
    ).toBe('42501');
    expect(await code(alice.query("UPDATE ims.users SET role = 'admin' WHERE username = 'alice'"))).toBe('42501');
    expect(await code(alice.query('UPDATE ims.session_errors SET error_message = NULL'))).toBe('42501');
    expect(
      await code(alice.query("INSERT INTO ims.audit_log (user_id, action) VALUES ($1, 'forged')", [ids.bob])),
    ).toBe('42501');
    expect(await code(alice.query('SELECT count(*) FROM ims.audit_log_default'))).toBe('42501');
    expect(await code(alice.query('SELECT file_path, extracted_text FROM ims.attachments'))).toBe('42501');
    expect(await code(alice.query("SELECT ims.ensure_audit_log_partition('2030-01-01')"))).toBe('42501');
    expect(await code(alice.query("SELECT ims.refresh_analytics('UTC')"))).toBe('42501');
    const status = await db.pool.query("SELECT count(*)::int AS n FROM ims.issues WHERE status = 'HACKED'");
    expect(status.rows[0].n).toBe(0);
  });
});

describe('the setting', () => {
  it('is ignored for an ims_user that is not ims_app', async () => {
    await carol.query("SELECT set_config('app.current_user_id', $1, false)", [String(ids.bob)]);
    expect(await value(carol, 'SELECT ims.current_app_user_id()')).toBeNull();
    expect(await userIdsSeen(carol)).toEqual([]);
    expect(await value(carol, 'SELECT count(*)::int FROM ims.users')).toBe(0);
  });

  it('names the user for ims_app, for one transaction only, and nothing when unset or not a number', async () => {
    expect(await userIdsSeen(app)).toEqual([]);
    await app.query('BEGIN');
    await app.query(`SET LOCAL app.current_user_id = '${ids.bob}'`);
    expect(await userIdsSeen(app)).toEqual([ids.bob]);
    expect((await app.query('SELECT username FROM ims.v_user_dashboard')).rows).toEqual([{ username: 'bob' }]);
    await app.query('COMMIT');
    expect(await value(app, 'SELECT ims.current_app_user_id()')).toBeNull(); // the next request is nobody
    await app.query('BEGIN');
    await app.query("SET LOCAL app.current_user_id = '1 OR true'");
    expect(await value(app, 'SELECT ims.current_app_user_id()')).toBeNull();
    expect(await userIdsSeen(app)).toEqual([]);
    await app.query('COMMIT');
  });
});

describe('ims_admin', () => {
  it('makes partitions, refreshes analytics and deletes old rows, without owning anything', async () => {
    expect(await value(admin, "SELECT ims.ensure_audit_log_partition('2030-05-01')")).toBe('audit_log_2030q2');
    const owner = await db.pool.query(
      "SELECT tableowner FROM pg_tables WHERE schemaname = 'ims' AND tablename = 'audit_log_2030q2'",
    );
    expect(owner.rows[0].tableowner).not.toMatch(/^ims_t_/);
    await admin.query("SELECT ims.refresh_analytics('Asia/Seoul')");
    expect(await value(admin, 'SELECT count(*)::int FROM ims.analytics_daily')).toBe(16);
    await admin.query('BEGIN');
    // one ingest_session row per load of jdoe's three folders (his ProSort crawl's shared
    // original was loaded for 'unknown' before the migrated copy named him)
    const deleted = await admin.query('DELETE FROM ims.audit_log WHERE user_id = $1', [ids.jdoe]);
    expect(deleted.rowCount).toBe(3);
    await admin.query('ROLLBACK');
    expect(await code(admin.query('TRUNCATE ims.audit_log'))).toBe('42501');
    expect(await code(admin.query('CREATE TABLE ims.mine (x int)'))).toBe('42501');
  });
});
