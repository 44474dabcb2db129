import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../../src/ingest/backfill';
import { WHOLE_READ_MAX_BYTES } from '../../src/files/read-json';
import { repairIssue } from '../../src/files/repair';
import { checkBigIssue } from '../../src/files/repair-stream';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { fixtureJson, OPTIONS, S } from '../helpers/fixtures';

/**
 * Issue files above WHOLE_READ_MAX_BYTES: one that needs no repair goes to jsonb as its own text
 * (src/files/passthrough.ts), one that does is repaired on its token stream
 * (src/files/repair-stream.ts). Each loads as the document repairIssue gives, with its repairs.
 */
let db: TestDatabase;
let root: string;
const good = fixtureJson(`${S.S1}/345001_20260103_120911.json`);
const line = '에러 발생 – 로그 확인 부탁드립니다 エラー 🚀 "C:\\tmax\\bin" é\t';

function bigIssue(issueId: string, nulInComment?: number): Record<string, unknown> {
  const comments = Array.from({ length: 7000 }, (_, k) => ({
    action_no: String(5_000_000 + k),
    author: '박민수',
    date: '2026/02/27 10:00:00',
    content: `${line.repeat(6)}${k === nulInComment ? '\0' : ''}\n${k}`,
  }));
  return { ...good, issue_id: issueId, crawl_order: 3, comments };
}

const clean = bigIssue('400200');
const repaired = bigIssue('400201', 17);

/** Every kind of repair at once: shapes (issue-shape.ts), NUL in a key, an unpaired surrogate. */
function misshapen(): Record<string, unknown> {
  const doc = bigIssue('400202');
  const comments = doc.comments as unknown[];
  comments[5] = 'not an object';
  (comments[9] as Record<string, unknown>).author = null;
  (comments[11] as Record<string, unknown>).action_no = 5_000_011;
  return { ...doc, title: 42, crawl_order: ' 4 ', metadata: { category: 'Bug', build: 7 }, 'ex\0tra': '\ud800x' };
}
const MISSHAPEN = '400202_20260301_090003.json';

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-big-'));
  const session = join(root, 'users/dave/sessions/OpenFrame_big_files_20260301_090000');
  mkdirSync(session, { recursive: true });
  for (const [doc, name] of [
    [clean, '400200_20260301_090001.json'],
    [repaired, '400201_20260301_090002.json'],
    [misshapen(), MISSHAPEN],
  ] as const) {
    const text = JSON.stringify(doc, null, 2);
    expect(Buffer.byteLength(text)).toBeGreaterThan(WHOLE_READ_MAX_BYTES);
    writeFileSync(join(session, name), text);
  }
  // Not assembled in memory: repaired as its tokens are read again.
  await expect(checkBigIssue(join(session, MISSHAPEN), MISSHAPEN)).resolves.toHaveProperty('plan');
  await backfill(db.pool, root, OPTIONS);
});
afterAll(async () => {
  await db.drop();
  rmSync(root, { recursive: true, force: true });
});

it('loads a big file that needs no repair as its document', async () => {
  const r = await db.pool.query(
    `SELECT i.full_data, (SELECT count(*)::int FROM ims.issue_comments c WHERE c.issue_pk = i.issue_pk) AS comments
     FROM ims.issues i WHERE issue_id = '400200'`,
  );
  expect(r.rows[0].comments).toBe(7000);
  expect(r.rows[0].full_data).toEqual(clean);
});

it('repairs a big file that needs it, and says so', async () => {
  const r = await db.pool.query(`SELECT full_data FROM ims.issues WHERE issue_id = '400201'`);
  const comments = repaired.comments as Record<string, string>[];
  const expected = {
    ...repaired,
    comments: comments.map((c, k) => (k === 17 ? { ...c, content: c.content.replace('\0', '') } : c)),
  };
  expect(r.rows[0].full_data).toEqual(expected);
  const e = await db.pool.query(
    `SELECT severity, error_message FROM ims.session_errors WHERE error_key = 'repair:400201_20260301_090002.json'`,
  );
  expect(e.rows).toEqual([
    {
      severity: 'warning',
      error_message: '400201_20260301_090002.json: removed 1 NUL character from comments[17].content',
    },
  ]);
  const s = await db.pool.query(`SELECT status, failed_issues FROM ims.crawl_sessions`);
  expect(s.rows).toEqual([{ status: 'completed', failed_issues: 0 }]);
});

it('repairs a big file of every kind of repair as repairIssue does, with its repairs', async () => {
  const expected = repairIssue(misshapen(), MISSHAPEN);
  expect(expected.repairs).toEqual([
    'removed 1 NUL character from {key}',
    'replaced unpaired surrogate(s) in extra with U+FFFD',
    'title was a number; read as the string "42"',
    'comments[5] was a string, not an object; left out',
    'comments[9].author was null; read as a string',
    'comments[11].action_no was a number; read as a string',
    'metadata.build was a number; read as a string',
    'crawl_order was the string " 4 "; read as the number 4',
  ]);
  const r = await db.pool.query(
    `SELECT i.full_data, si.crawl_order,
            (SELECT count(*)::int FROM ims.issue_comments c WHERE c.issue_pk = i.issue_pk) AS comments,
            (SELECT c.content FROM ims.issue_comments c WHERE c.issue_pk = i.issue_pk AND c.comment_number = 5000011) AS content
     FROM ims.issues i JOIN ims.session_issues si USING (issue_pk) WHERE i.issue_id = '400202'`,
  );
  expect(r.rows).toEqual([
    {
      full_data: JSON.parse(JSON.stringify(expected.doc)),
      crawl_order: 4,
      comments: 6999,
      content: `${line.repeat(6)}\n11`, // its action_no, a number, was read as a string
    },
  ]);
  const e = await db.pool.query(`SELECT severity, error_message FROM ims.session_errors WHERE error_key = $1`, [
    `repair:${MISSHAPEN}`,
  ]);
  expect(e.rows).toEqual([{ severity: 'warning', error_message: `${MISSHAPEN}: ${expected.repairs.join('; ')}` }]);
});
