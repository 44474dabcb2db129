import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../../src/ingest/backfill';
import { WHOLE_READ_MAX_BYTES } from '../../src/files/read-json';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { fixtureJson, OPTIONS, S } from '../helpers/fixtures';

/**
 * Issue files above WHOLE_READ_MAX_BYTES: one that needs no repair goes to jsonb as its own text
 * (src/files/passthrough.ts), one that does is assembled and repaired. Both load as their document.
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

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-big-'));
  const session = join(root, 'users/dave/sessions/OpenFrame_big_files_20260301_090000');
  mkdirSync(session, { recursive: true });
  for (const [doc, name] of [
    [clean, '400200_20260301_090001.json'],
    [repaired, '400201_20260301_090002.json'],
  ] as const) {
    const text = JSON.stringify(doc, null, 2);
    expect(Buffer.byteLength(text)).toBeGreaterThan(WHOLE_READ_MAX_BYTES);
    writeFileSync(join(session, name), text);
  }
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
