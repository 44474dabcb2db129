import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../../src/ingest/backfill';
import { backfillSucceeded } from '../../src/cli/format';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { fixtureJson, OPTIONS, S } from '../helpers/fixtures';

/** Bad input gets a clear error naming the file and what is wrong, and loses nothing else. */
let db: TestDatabase;
let root: string;
let session: string;
const good = fixtureJson(`${S.S1}/345001_20260103_120911.json`);

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-bad-'));
  session = join(root, 'users/carol/sessions/OpenFrame_bad_input_20260301_090000');
  mkdirSync(session, { recursive: true });
  const write = (name: string, text: string) => writeFileSync(join(session, name), text);
  write('345001_20260301_090001.json', JSON.stringify(good, null, 2));
  write('400001_20260301_090002.json', JSON.stringify({ ...good, issue_id: '400001' }, null, 2).slice(0, 200));
  write('400002_20260301_090003.json', '');
  write('400003_20260301_090004.json', '[1, 2, 3]');
  write('unknown_20260301_090005.json', JSON.stringify({ ...good, issue_id: 'unknown' }, null, 2));
  write(
    '400006_20260301_090006.json',
    JSON.stringify({ ...good, issue_id: '400006', comments: 'oops', crawl_order: 'x', title: 42 }, null, 2),
  );
  write('notes.json', '{}');
  await backfill(db.pool, root, OPTIONS);
});
afterAll(async () => {
  await db.drop();
  rmSync(root, { recursive: true, force: true });
});

const errors = async () =>
  (
    await db.pool.query(
      `SELECT error_key, severity, error_message, file_path FROM ims.session_errors ORDER BY error_key`,
    )
  ).rows;

it('loads the readable issues and names every unreadable file with what is wrong', async () => {
  const issues = await db.pool.query(`SELECT issue_id, title, crawl_count FROM ims.issues ORDER BY issue_id`);
  expect(issues.rows).toEqual([
    { issue_id: '345001', title: good.title, crawl_count: 1 },
    { issue_id: '400006', title: '42', crawl_count: 1 },
  ]);
  const sessionRow = await db.pool.query(`SELECT status, failed_issues, issues_crawled FROM ims.crawl_sessions`);
  expect(sessionRow.rows).toEqual([{ status: 'completed', failed_issues: 4, issues_crawled: 1 }]);
  const byKey = Object.fromEntries((await errors()).map((e) => [e.error_key, e]));
  expect(byKey['parse:400001_20260301_090002.json'].error_message).toMatch(
    /^400001_20260301_090002\.json: ends before the JSON value is complete/,
  );
  expect(byKey['parse:400002_20260301_090003.json'].error_message).toBe(
    '400002_20260301_090003.json: the file is empty',
  );
  expect(byKey['parse:400003_20260301_090004.json'].error_message).toBe(
    '400003_20260301_090004.json: expected a JSON object, found a list',
  );
  expect(byKey['parse:unknown_20260301_090005.json'].error_message).toBe(
    'unknown_20260301_090005.json: issue 345001: the IMS login had expired: the page is not an issue page; not loaded',
  );
  expect(byKey['parse:400002_20260301_090003.json'].file_path).toBe(join(session, '400002_20260301_090003.json'));
  expect(byKey['repair:400006_20260301_090006.json']).toMatchObject({ severity: 'warning' });
  expect(byKey['repair:400006_20260301_090006.json'].error_message).toMatch(
    /comments was a string, not a list; read as \[\]/,
  );
  expect(byKey['skipped:notes.json'].severity).toBe('info');
});

it('makes the run fail (exit 1) while files are unreadable', async () => {
  const summary = await backfill(db.pool, root, { ...OPTIONS, force: true });
  // 4 failed issues; 3 unreadable files (the expired-login page is the crawl's failure, not the file's).
  expect(summary.outcomes[0].rejected).toBe(3);
  expect(backfillSucceeded(summary)).toBe(false);
});

it('forgets the errors of files fixed since, on the next load', async () => {
  writeFileSync(join(session, '400001_20260301_090002.json'), JSON.stringify({ ...good, issue_id: '400001' }, null, 2));
  const summary = await backfill(db.pool, root, OPTIONS);
  expect(summary.outcomes[0].result).toBe('ingested');
  const keys = (await errors()).map((e) => e.error_key);
  expect(keys).not.toContain('parse:400001_20260301_090002.json');
  expect(keys).toContain('parse:400002_20260301_090003.json');
  const ids = await db.pool.query(`SELECT issue_id FROM ims.issues ORDER BY issue_id`);
  expect(ids.rows.map((r) => r.issue_id)).toEqual(['345001', '400001', '400006']);
});

it('marks a session whose every issue file is unreadable as failed', async () => {
  const dir = join(root, 'users/carol/sessions/OpenFrame_all_bad_20260302_090000');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, '400100_20260302_090001.json'), '{"issue_id": "400100", ');
  await backfill(db.pool, root, OPTIONS);
  const s = await db.pool.query(
    `SELECT cs.status, e.error_message FROM ims.crawl_sessions cs JOIN ims.session_errors e USING (session_id)
     WHERE cs.folder_name = 'OpenFrame_all_bad_20260302_090000' AND e.error_key = 'crawl:failed'`,
  );
  expect(s.rows).toEqual([{ status: 'failed', error_message: 'none of the 1 issue files could be read' }]);
});
