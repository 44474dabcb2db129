import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { backfill } from '../../src/ingest/backfill';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { copyFixtures, OPTIONS, S } from '../helpers/fixtures';
import { connectAs, Login, Logins } from '../helpers/roles';
import { insertCorpus, likeAnywhere } from '../helpers/search-corpus';

/**
 * ims.search_issues as every role (0014_search_access.sql): issues, descriptions and comments
 * are searched for all; attachment texts for a role that may read attachments.extracted_text
 * in every row, for a user (bound login, ims_app acting for one) only in the downloads
 * ims.v_my_downloads shows that user. Each result is compared with ILIKE over exactly those
 * texts, computed as the superuser; the bigram index serves a user's search too.
 */

// Only in the text of a file bob downloaded (added below), and only in alice's download.
const BOBS = 'BOBONLYMARK 밥전용추적';
const ALICES = 'S322';

let db: TestDatabase;
let root: string;
const logins = new Logins(process.env.IMS_TEST_BASE_URL!);
const clients: Client[] = [];
let ids: Record<string, number>;
let aliceLogin: Login;
let bobLogin: Login;
/** Who searches: a client, what to run first in the transaction, whose attachment texts. */
let actors: { name: string; client: Client; setup?: string; reads: 'all' | number | null }[];

beforeAll(async () => {
  db = await createTestDatabase();
  root = copyFixtures();
  const dir = join(root, S.S3, 'attachments', '351234');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'bob_trace.log'), `ORA-600 trace of bob: ${BOBS}\n`);
  writeFileSync(join(dir, 'bob_trace.log.txt'), `ORA-600 trace of bob: ${BOBS}\n`); // the crawler's text preview: extracted_text
  await backfill(db.pool, root, OPTIONS);
  const { rows } = await db.pool.query<{ username: string; user_id: number }>(
    'SELECT username, user_id FROM ims.users',
  );
  ids = Object.fromEntries(rows.map((r) => [r.username, r.user_id]));
  const connect = async (login: Login) => {
    const c = await connectAs(db.url, login);
    clients.push(c);
    return c;
  };
  aliceLogin = await logins.create('alice', ['ims_user']);
  bobLogin = await logins.create('bob', ['ims_user']);
  await db.pool.query("UPDATE ims.users SET db_role = $1 WHERE username = 'alice'", [aliceLogin.name]);
  await db.pool.query("UPDATE ims.users SET db_role = $1 WHERE username = 'bob'", [bobLogin.name]);
  const app = await connect(await logins.create('app', ['ims_app']));
  actors = [
    { name: 'alice', client: await connect(aliceLogin), reads: ids.alice },
    { name: 'bob', client: await connect(bobLogin), reads: ids.bob },
    {
      name: 'ims_app as alice',
      client: app,
      setup: `SET LOCAL app.current_user_id = '${ids.alice}'`,
      reads: ids.alice,
    },
    { name: 'ims_app as bob', client: app, setup: `SET LOCAL app.current_user_id = '${ids.bob}'`, reads: ids.bob },
    { name: 'unbound ims_user', client: await connect(await logins.create('carol', ['ims_user'])), reads: null },
    { name: 'ims_readonly', client: await connect(await logins.create('readonly', ['ims_readonly'])), reads: 'all' },
    { name: 'ims_admin', client: await connect(await logins.create('admin', ['ims_admin'])), reads: 'all' },
    { name: 'ims_loader', client: await connect(await logins.create('loader', ['ims_loader'])), reads: 'all' },
  ];
});

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await db?.drop();
  await logins.drop();
  rmSync(root, { recursive: true, force: true });
});

/** search_issues as `actor`, in one transaction (ims_app names its user per transaction). */
async function search(actor: (typeof actors)[number], query: string, columns = 'issue_id') {
  await actor.client.query('BEGIN');
  try {
    if (actor.setup) await actor.client.query(actor.setup);
    return (
      await actor.client.query(`SELECT ${columns} FROM ims.search_issues($1, max_results => NULL) ORDER BY issue_id`, [
        query,
      ])
    ).rows;
  } finally {
    await actor.client.query('ROLLBACK');
  }
}

/**
 * The reference, as the superuser: issues whose title, description or a comment holds the
 * term, or an attachment text among `reads` (all; the user's v_my_downloads; none).
 */
async function expected(term: string, reads: 'all' | number | null): Promise<string[]> {
  const attachments =
    reads === 'all'
      ? 'SELECT a.issue_pk, a.extracted_text FROM ims.attachments a'
      : 'SELECT d.issue_pk, d.extracted_text FROM ims.v_my_downloads d';
  const c = await db.pool.connect();
  try {
    await c.query('BEGIN');
    // the superuser counts as ims_app: v_my_downloads shows this user's downloads (none: nobody's)
    await c.query(`SET LOCAL app.current_user_id = '${typeof reads === 'number' ? reads : ''}'`);
    const { rows } = await c.query<{ issue_id: string }>(
      `SELECT i.issue_id FROM ims.issues i
       WHERE i.title ILIKE $1 OR i.description ILIKE $1
          OR EXISTS (SELECT FROM ims.issue_comments c WHERE c.issue_pk = i.issue_pk AND c.content ILIKE $1)
          OR EXISTS (SELECT FROM (${attachments}) a WHERE a.issue_pk = i.issue_pk AND a.extracted_text ILIKE $1)
       ORDER BY 1`,
      [likeAnywhere(term)],
    );
    return rows.map((r) => r.issue_id);
  } finally {
    await c.query('ROLLBACK');
    c.release();
  }
}

const QUERIES = ['BOBONLYMARK', '밥전용', ALICES, 'TKM.BATCH', '에러', 'TPETIME', 'ORA-600', 'trace', 'e', '밥'];

describe('over the fixtures, with a download of bob added', () => {
  it('the marks are where the test needs them: each only in its owner’s download', async () => {
    expect(await expected('BOBONLYMARK', 'all')).toEqual(['351234']);
    expect(await expected('BOBONLYMARK', ids.bob)).toEqual(['351234']);
    expect(await expected('BOBONLYMARK', ids.alice)).toEqual([]);
    expect(await expected(ALICES, 'all')).toEqual(['347863']);
    expect(await expected(ALICES, ids.alice)).toEqual(['347863']);
    expect(await expected(ALICES, ids.bob)).toEqual([]);
  });

  it.each(QUERIES)('%s: every role finds exactly the issues ILIKE finds in the texts it may read', async (q) => {
    for (const actor of actors) {
      const found = (await search(actor, q)).map((r) => r.issue_id);
      expect({ actor: actor.name, found }).toEqual({ actor: actor.name, found: await expected(q, actor.reads) });
    }
  });

  it("never gives alice a match that is only in bob's download, nor bob one only in hers", async () => {
    const [alice, bob, appAlice, appBob, , readonly] = actors;
    expect(await search(alice, 'BOBONLYMARK')).toEqual([]);
    expect(await search(appAlice, '"밥전용추적"')).toEqual([]);
    expect(await search(bob, ALICES)).toEqual([]);
    const cols = 'issue_id, matched_in, snippet';
    expect(await search(bob, 'BOBONLYMARK', cols)).toEqual([
      { issue_id: '351234', matched_in: ['attachment'], snippet: `ORA-600 trace of bob: ${BOBS} ` }, // the newline shown as a space
    ]);
    expect(await search(appBob, 'BOBONLYMARK', cols)).toEqual(await search(bob, 'BOBONLYMARK', cols));
    expect(await search(readonly, 'BOBONLYMARK', cols)).toEqual(await search(bob, 'BOBONLYMARK', cols));
    const hers = await search(alice, ALICES, cols);
    expect(hers).toEqual([
      { issue_id: '347863', matched_in: ['attachment'], snippet: expect.stringContaining('abended S322') },
    ]);
  });

  it('gives nothing to a caller naming another role, and no direct read of the texts', async () => {
    const alice = actors[0].client;
    const viaBob = await alice.query(
      "SELECT * FROM ims.search_attachment_hits($1, '%BOBONLYMARK%', ims.search_query_bigrams('BOBONLYMARK'))",
      [bobLogin.name],
    );
    expect(viaBob.rows).toEqual([]);
    const viaOwner = await alice.query("SELECT * FROM ims.search_attachment_hits('postgres', '%BOBONLYMARK%', NULL)");
    expect(viaOwner.rows).toEqual([]);
    const pk = (await db.pool.query("SELECT issue_pk FROM ims.issues WHERE issue_id = '351234'")).rows[0].issue_pk;
    const text = await alice.query("SELECT ims.search_attachment_text($1, $2, '%BOBONLYMARK%') AS t", [
      aliceLogin.name,
      pk,
    ]);
    expect(text.rows).toEqual([{ t: null }]);
    await expect(alice.query('SELECT extracted_text FROM ims.attachments')).rejects.toMatchObject({ code: '42501' });
    await expect(alice.query('SELECT ims.search_attachment_scope($1)', [aliceLogin.name])).rejects.toMatchObject({
      code: '42501',
    });
  });
});

describe('over 3,000 generated issues more', () => {
  beforeAll(async () => {
    await insertCorpus(db.pool, 3000);
    await db.pool.query(
      'ANALYZE ims.issue_search_text, ims.issue_comments, ims.attachments, ims.issues, ims.crawl_sessions',
    );
  });

  it.each(['에러', 'TPETIME', 'BOBONLYMARK'])('%s: still exactly what each role may read', async (q) => {
    for (const actor of actors) {
      const found = (await search(actor, q)).map((r) => r.issue_id);
      expect({ actor: actor.name, found }).toEqual({ actor: actor.name, found: await expected(q, actor.reads) });
    }
  });

  it("searches alice's attachment texts through the bigram index, as the superuser's (auto_explain)", async () => {
    const plans = async (role: string | null, query: string) => {
      const c = await db.pool.connect();
      const notices: string[] = [];
      c.on('notice', (n) => notices.push(n.message ?? ''));
      try {
        await c.query(`LOAD 'auto_explain'`);
        await c.query(
          'SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET client_min_messages = log',
        );
        if (role) await c.query(`SET ROLE ${role}`); // the superuser's session as alice's login
        await c.query('SELECT count(*) FROM ims.search_issues($1)', [query]);
      } finally {
        await c.query('RESET ROLE');
        await c.query('RESET ALL');
        c.release();
      }
      return notices.find((n) => n.includes('FROM ims.attachments a')) ?? '';
    };
    for (const role of [aliceLogin.name, null]) {
      for (const q of ['에러', 'BOBONLYMARK']) {
        const plan = await plans(role, q);
        expect(plan).toContain('Bitmap Index Scan on idx_attachments_text_bigram');
        expect(plan).not.toContain('Seq Scan on attachments');
      }
    }
  });
});
