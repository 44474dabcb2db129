import { Client } from 'pg';
import { urlForDatabase } from '../../src/db/pg-url';
import { runCli as run } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES } from '../helpers/fixtures';
import { ilikeIds } from '../helpers/search-corpus';

/** `ims-ingest search` and migrate's locale warnings, as a user runs them: a subprocess. */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  const r = run(['backfill', FIXTURES, '--database-url', db.url]);
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await db.drop();
});

it('prints a table of the issues holding a two-character Korean word, the match marked', async () => {
  const r = run(['search', '에러', '--database-url', db.url]);
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^issue +status +title +found in: snippet$/);
  expect(lines.slice(1, -1).map((l) => l.split(' ')[0])).toEqual([
    '347863',
    '351234',
    '330001',
    '355002',
    '351300',
    '344218',
  ]);
  expect(lines[1]).toContain('title,description,comment: [Project] [일본 동경해상] TPETIME «에러» 분석 및 가이드 문의');
  expect(lines[lines.length - 1]).toBe('6 issues');
  expect(
    lines
      .slice(1, -1)
      .map((l) => l.split(' ')[0])
      .sort(),
  ).toEqual(await ilikeIds(db.pool, ['에러']));
});

it('--json gives every column; --product, --status, --since and --limit narrow it', async () => {
  const json = run(['search', 'ORA-600 에러', '--json', '--database-url', db.url]);
  expect(json.code).toBe(0);
  const rows = JSON.parse(json.stdout);
  expect(rows.map((x: { issue_id: string }) => x.issue_id)).toEqual(['351234', '351300']);
  expect(rows[0]).toMatchObject({
    status: 'Assigned',
    product: 'Tibero',
    matched_in: ['title', 'description', 'comment'],
    match_start: 10,
    match_length: 7,
    rank: 3.25,
  });
  expect(rows[0].snippet).toContain('ORA-600');
  const narrowed = (args: string[]) =>
    JSON.parse(run(['search', '에러', '--json', '--database-url', db.url, ...args]).stdout).map(
      (x: { issue_id: string }) => x.issue_id,
    );
  expect(narrowed(['--product', 'OpenFrame'])).toEqual(['347863', '344218']);
  expect(narrowed(['--status', 'closed', '--product', 'tibero'])).toEqual(['351300']);
  expect(narrowed(['--since', '2026-01-01'])).toEqual(['351234']);
  expect(narrowed(['--limit', '2'])).toEqual(['347863', '351234']);
  const limited = run(['search', '에러', '--limit', '2', '--database-url', db.url]);
  expect(limited.stdout.trimEnd().split('\n').pop()).toBe('2 issues shown; more match (raise --limit)');
});

it('exits 0 when nothing matches, 2 on usage errors, 1 on a database without the search migration', async () => {
  const none = run(['search', '없는단어', '--database-url', db.url]);
  expect(none).toMatchObject({ code: 0, stdout: 'no issue contains "없는단어"\n' });
  for (const [args, message] of [
    [['""'], 'the query has no word to search for'],
    [['에러', '--limit', '0'], '--limit must be a whole number of at least 1'],
    [['에러', '--since', 'yesterday'], '--since yesterday: expected YYYY-MM-DD'],
  ] as const) {
    const r = run(['search', ...args, '--database-url', db.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ims-ingest: search: ${message}`);
  }
  const badDate = run(['search', '에러', '--since', '2025-02-30', '--database-url', db.url]);
  expect(badDate.code).toBe(2);
  expect(badDate.stderr).toContain('--since/--until: date/time field value out of range');
  const bare = await createTestDatabase({ migrated: false });
  try {
    const r = run(['search', '에러', '--database-url', bare.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run `ims-ingest migrate` first');
  } finally {
    await bare.drop();
  }
});

it('migrate warns on a database whose LC_CTYPE is C, where search still finds exactly what ILIKE finds', async () => {
  expect(run(['migrate', '--database-url', db.url]).stderr).not.toContain('warning');
  const name = `${db.name}_c`;
  const admin = new Client({ connectionString: process.env.IMS_TEST_BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
  const url = urlForDatabase(process.env.IMS_TEST_BASE_URL!, name);
  try {
    const m = run(['migrate', '--json', '--database-url', url]);
    expect(m.code).toBe(0);
    expect(m.stderr).toContain('migrate: warning: database LC_CTYPE is C: search (like ILIKE) folds case only for A-Z');
    expect(JSON.parse(m.stdout).warnings).toHaveLength(1);
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(
        `INSERT INTO ims.issues (issue_id, title) VALUES ('1', '에러가 발생 ÄPFEL TPETIME'), ('2', 'äpfel tpetime エラー')`,
      );
      const found = async (q: string) =>
        (await c.query('SELECT issue_id FROM ims.search_issues($1) ORDER BY 1', [q])).rows.map((r) => r.issue_id);
      const ilike = async (q: string) =>
        (await c.query(`SELECT issue_id FROM ims.issues WHERE title ILIKE '%' || $1 || '%' ORDER BY 1`, [q])).rows.map(
          (r) => r.issue_id,
        );
      for (const q of ['에러', 'エラ', 'tpetime', 'äpfel', 'ÄPFEL', '에'])
        expect([q, await found(q)]).toEqual([q, await ilike(q)]);
      expect(await found('tpetime')).toEqual(['1', '2']);
      expect(await found('äpfel')).toEqual(['2']);
    } finally {
      await c.end();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});
