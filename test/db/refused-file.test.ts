import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../../src/ingest/backfill';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { OPTIONS } from '../helpers/fixtures';
import { issueFile, SessionSpec, writeSessionFolder } from '../helpers/crawler';

/**
 * A document PostgreSQL itself refuses (here: nested 20,000 levels, above the 4 MiB at which
 * files are streamed unparsed, so only the server's jsonb parser sees the depth) fails its file
 * alone: the session's good files load and the bad one gets its session_errors row.
 */
let db: TestDatabase;
let root: string;
const spec: SessionSpec = { user: 'deep', n: 1, files: 4 };

/** A session of `spec` whose fifth file PostgreSQL refuses. */
function writeRefusedSession(root: string, spec: SessionSpec): void {
  const dir = writeSessionFolder(root, spec);
  const bad = issueFile(spec, 4);
  const doc = JSON.parse(bad.text);
  // 4.5 MiB of text, then a list nested 20,000 deep in a field the loader passes through.
  const deep = `${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
  const text = JSON.stringify({ ...doc, description: 'y'.repeat(4.5 * 1024 * 1024) }).replace(
    /}$/,
    `,"nested":${deep}}`,
  );
  writeFileSync(join(dir, bad.name), text);
}

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-refused-'));
  writeRefusedSession(root, spec);
});
afterAll(async () => {
  await db.drop();
  rmSync(root, { recursive: true, force: true });
});

it('rejects the deeply nested big file alone and loads the four good files', async () => {
  const summary = await backfill(db.pool, root, OPTIONS);
  expect(summary.outcomes).toHaveLength(1);
  const [o] = summary.outcomes;
  expect(o.error).toBeUndefined();
  expect(o).toMatchObject({ result: 'ingested', status: 'completed', issueFiles: 5, staged: 4, rejected: 1 });
  const issues = await db.pool.query(`SELECT issue_id FROM ims.issues ORDER BY issue_id`);
  expect(issues.rows.map((r) => r.issue_id)).toEqual(['800100', '800101', '800102', '800103']);
  const errors = await db.pool.query(
    `SELECT error_key, severity, error_message, error_detail->>'code' AS code FROM ims.session_errors`,
  );
  expect(errors.rows).toHaveLength(1);
  expect(errors.rows[0]).toMatchObject({
    error_key: `parse:${issueFile(spec, 4).name}`,
    severity: 'error',
    code: 'DATA_REJECTED',
  });
  expect(errors.rows[0].error_message).toMatch(
    /PostgreSQL refused the document: .*stack depth limit exceeded \[54001\]/,
  );
  const cs = await db.pool.query(`SELECT issues_crawled, failed_issues FROM ims.crawl_sessions`);
  expect(cs.rows).toEqual([{ issues_crawled: 4, failed_issues: 1 }]);
  // Unchanged on the next run: the rejection is reported once per content, not retried.
  const again = await backfill(db.pool, root, OPTIONS);
  expect(again.outcomes.map((x) => x.result)).toEqual(['unchanged']);
});

it('in a batch, fails the batch, which is then loaded session by session: only the refused file is lost', async () => {
  const many = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'ims-refused-batch-'));
  try {
    writeSessionFolder(dir, { user: 'ok', n: 2, files: 3 });
    writeRefusedSession(dir, { user: 'deep', n: 3, files: 4 });
    writeSessionFolder(dir, { user: 'ok', n: 4, files: 3 });
    const summary = await backfill(many.pool, dir, { ...OPTIONS, batchSessions: 3 });
    expect(summary.outcomes.map((o) => [o.ref.identity.split('/')[0], o.result, o.staged, o.rejected]).sort()).toEqual([
      ['deep', 'ingested', 4, 1],
      ['ok', 'ingested', 3, 0],
      ['ok', 'ingested', 3, 0],
    ]);
    const { rows } = await many.pool.query(
      `SELECT count(*)::int AS issues, (SELECT count(*)::int FROM ims.session_errors WHERE error_detail->>'code' = 'DATA_REJECTED') AS refused FROM ims.issues`,
    );
    expect(rows).toEqual([{ issues: 10, refused: 1 }]);
  } finally {
    await many.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
