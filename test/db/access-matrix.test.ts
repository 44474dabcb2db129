import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { backfill } from '../../src/ingest/backfill';
import {
  catalogRelations,
  probe,
  referenceRows,
  referenceRowsActing,
  Relation,
  renderMatrix,
} from '../helpers/access-probe';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { copyFixtures, OPTIONS, S } from '../helpers/fixtures';
import { connectAs, Logins } from '../helpers/roles';

/**
 * Every role against every table, partition and view of schema ims, read from the catalog:
 * a relation without a line below fails, so a new table cannot be forgotten. Cells (see
 * test/helpers/access-probe.ts): all / own / cols / none / — for reading, then the letters of
 * INSERT, UPDATE, DELETE allowed. The table is printed in docs/schema.md §5
 * (UPDATE_SCHEMA=1 rewrites it there).
 */

const ACTORS = ['ims_admin', 'ims_loader', 'ims_readonly', 'alice', 'bob', 'ims_app as alice', 'no ims role'] as const;

// prettier-ignore
const EXPECTED: Record<string, string[]> = {
  //                    ims_admin  ims_loader ims_readonly alice   bob     app as alice  no role
  analytics_daily:      ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  analytics_monthly:    ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  attachments:          ['all IUD', 'all IUD', 'all',      'cols', 'cols', 'cols',       '—'],
  audit_log:            ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  'audit_log partitions': ['all IUD', 'all IUD', 'all',    '—',    '—',    '—',          '—'],
  audit_log_archive:    ['all IUD', 'all IUD', 'all',      '—',    '—',    '—',          '—'],
  crawl_sessions:       ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  issue_comments:       ['all IUD', 'all IUD', 'all',      'all',  'all',  'all',        '—'],
  issue_history:        ['all IUD', 'all IUD', 'all',      'all',  'all',  'all',        '—'],
  issue_search_text:    ['all IUD', 'all IUD', 'all',      'all',  'all',  'all',        '—'],
  issues:               ['all IUD', 'all IUD', 'all',      'all',  'all',  'all',        '—'],
  search_queries:       ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  session_errors:       ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  session_issues:       ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  users:                ['all IUD', 'all IUD', 'all',      'own',  'own',  'own',        '—'],
  v_issue_search:       ['all',     'all',     'all',      'all',  'all',  'all',        '—'],
  v_my_downloads:       ['none',    'none',    'none',     'own',  'own',  'own',        '—'],
  v_session_detail:     ['all',     'all',     'all',      'own',  'own',  'own',        '—'],
  v_user_dashboard:     ['all',     'all',     'all',      'own',  'own',  'own',        '—'],
};

/** A user's rows, as the superuser selects them ($1 = user_id). */
const BY_SESSION = 'session_id IN (SELECT session_id FROM ims.crawl_sessions WHERE user_id = $1)';
const OWN: Record<string, string> = {
  users: 'user_id = $1',
  crawl_sessions: 'user_id = $1',
  search_queries: 'user_id = $1',
  audit_log: 'user_id = $1',
  analytics_daily: 'user_id = $1',
  analytics_monthly: 'user_id = $1',
  session_issues: BY_SESSION,
  session_errors: BY_SESSION,
  v_user_dashboard: 'user_id = $1',
  v_session_detail: 'username = (SELECT username FROM ims.users WHERE user_id = $1)',
};

/** Views that filter by the caller themselves and run as their owner (0010_isolation.sql). */
const OWNER_RIGHTS_VIEWS = ['v_my_downloads'];

let db: TestDatabase;
let root: string;
const logins = new Logins(process.env.IMS_TEST_BASE_URL!);
const clients: Client[] = [];
let actors: { name: string; client: Client; setup?: string; userId?: number }[];
let relations: Relation[];
let ids: Record<string, number>;

beforeAll(async () => {
  db = await createTestDatabase();
  // fixtures/ has one download, alice's; bob gets one too, so each has a download to hide.
  root = copyFixtures();
  mkdirSync(join(root, S.S3, 'attachments', '351234'), { recursive: true });
  writeFileSync(join(root, S.S3, 'attachments', '351234', 'bob_trace.log'), 'ORA-600 trace of bob\n');
  await backfill(db.pool, root, OPTIONS);
  const { rows } = await db.pool.query<{ username: string; user_id: number }>(
    'SELECT username, user_id FROM ims.users',
  );
  ids = Object.fromEntries(rows.map((r) => [r.username, r.user_id]));
  const make = async (label: string, groups: string[]) => {
    const login = await logins.create(label, groups);
    const client = await connectAs(db.url, login);
    clients.push(client);
    return { login, client };
  };
  const alice = await make('alice', ['ims_user']);
  const bob = await make('bob', ['ims_user']);
  await db.pool.query("UPDATE ims.users SET db_role = $1 WHERE username = 'alice'", [alice.login.name]);
  await db.pool.query("UPDATE ims.users SET db_role = $1 WHERE username = 'bob'", [bob.login.name]);
  actors = [
    { name: 'ims_admin', client: (await make('admin', ['ims_admin'])).client },
    { name: 'ims_loader', client: (await make('loader', ['ims_loader'])).client },
    { name: 'ims_readonly', client: (await make('readonly', ['ims_readonly'])).client },
    { name: 'alice', client: alice.client, userId: ids.alice },
    { name: 'bob', client: bob.client, userId: ids.bob },
    {
      name: 'ims_app as alice',
      client: (await make('app', ['ims_app'])).client,
      setup: `SET LOCAL app.current_user_id = '${ids.alice}'`,
      userId: ids.alice,
    },
    { name: 'no ims role', client: (await make('nobody', [])).client },
  ];
  relations = await catalogRelations(db.pool);
});

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await db.drop();
  await logins.drop();
  rmSync(root, { recursive: true, force: true });
});

it('has an expected cell for every relation of schema ims, and no stale one', () => {
  const keys = [...new Set(relations.map((r) => r.key))].sort();
  expect(keys).toEqual(Object.keys(EXPECTED).sort());
  // Partitions exist for the default and at least the quarter the loader wrote in.
  expect(relations.filter((r) => r.key === 'audit_log partitions').length).toBeGreaterThanOrEqual(2);
});

it('runs every view as its caller, except the owner-rights views, which are security barriers', async () => {
  const { rows } = await db.pool.query(`
    SELECT c.relname, coalesce(c.reloptions, '{}') AS options FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'ims' AND c.relkind IN ('v', 'm') ORDER BY 1`);
  for (const r of rows) {
    const want = OWNER_RIGHTS_VIEWS.includes(r.relname) ? ['security_barrier=true'] : ['security_invoker=true'];
    expect({ view: r.relname, options: r.options }).toEqual({ view: r.relname, options: want });
  }
});

it('gives every role exactly the access written down, cell by cell', async () => {
  const observed: Record<string, string[]> = {};
  const mismatches: string[] = [];
  for (const rel of relations) {
    const cells: string[] = [];
    for (const [i, actor] of actors.entries()) {
      const ref = OWNER_RIGHTS_VIEWS.includes(rel.name)
        ? await referenceRowsActing(db.pool, rel.name, Object.values(ids), actor.userId)
        : await referenceRows(db.pool, rel.name, OWN[rel.name], actor.userId);
      const cell = await probe(actor.client, actor.setup, rel, ref);
      cells.push(cell);
      const want = EXPECTED[rel.key]?.[i];
      if (cell !== want) mismatches.push(`ims.${rel.name} as ${actor.name}: ${cell}, expected ${want}`);
    }
    observed[rel.key] = cells; // every partition gives the same cells (checked above)
  }
  expect(mismatches).toEqual([]);

  const kinds = Object.fromEntries(relations.map((r) => [r.key, r.kind]));
  const table = renderMatrix(ACTORS, observed, kinds);
  const doc = resolve(__dirname, '..', '..', 'docs', 'schema.md');
  const text = readFileSync(doc, 'utf8');
  const m = /(<!-- access-matrix:start -->\n)[\s\S]*?(<!-- access-matrix:end -->)/.exec(text);
  expect(m).not.toBeNull();
  if (process.env.UPDATE_SCHEMA === '1' && existsSync(doc)) {
    writeFileSync(doc, text.replace(m![0], `${m![1]}${table}\n${m![2]}`));
  } else {
    expect(m![0]).toBe(`${m![1]}${table}\n${m![2]}`);
  }
});

it('shows alice and bob disjoint, non-empty halves of the per-user rows', async () => {
  const sessions = async (c: Client) =>
    (await c.query('SELECT session_id FROM ims.crawl_sessions ORDER BY 1')).rows.map((r) => r.session_id);
  const [a, b] = [await sessions(actors[3].client), await sessions(actors[4].client)];
  expect(a).toHaveLength(2);
  expect(b).toHaveLength(2);
  expect(a.filter((s) => b.includes(s))).toEqual([]);
  const audit = await actors[3].client.query('SELECT DISTINCT user_id FROM ims.audit_log');
  expect(audit.rows).toEqual([{ user_id: ids.alice }]);
  // v_issue_search counts only the sessions the caller may see: alice's 4 session_issues rows.
  const crawled = await actors[3].client.query('SELECT sum(crawled_in_sessions)::int AS n FROM ims.v_issue_search');
  const hers = await db.pool.query(`SELECT count(*)::int AS n FROM ims.session_issues WHERE ${BY_SESSION}`, [
    ids.alice,
  ]);
  expect(crawled.rows[0].n).toBe(hers.rows[0].n);
  expect(hers.rows[0].n).toBeGreaterThan(0);
  // her own download, with the text ims_user cannot select from attachments; bob's: none of hers
  const mine = await actors[3].client.query(
    'SELECT filename, length(extracted_text) > 0 AS text, file_path FROM ims.v_my_downloads',
  );
  expect(mine.rows).toHaveLength(1);
  expect(mine.rows[0].text).toBe(true);
  expect(mine.rows[0].file_path).toContain('/users/alice/sessions/');
  const bobs = await actors[4].client.query('SELECT filename, file_path FROM ims.v_my_downloads');
  expect(bobs.rows.map((r) => r.filename)).toEqual(['bob_trace.log']);
  expect(bobs.rows[0].file_path).toContain('/users/bob/sessions/');
});
