import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfill } from '../../src/ingest/backfill';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, fixtureJson, OPTIONS, S } from '../helpers/fixtures';

/**
 * Sessions loaded in parallel share issues: that must neither deadlock the run nor lose an
 * update (crawl_count and the newest values must be exact).
 */
let db: TestDatabase;
let root: string;
const SESSIONS = 16;

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-concurrent-'));
  const sources = [S.S1, S.S2, S.S3].flatMap((s) =>
    readdirSync(join(FIXTURES, s))
      .filter((f) => /^\d+_\d{8}_\d{6}\.json$/.test(f))
      .map((f) => join(s, f)),
  );
  for (let i = 0; i < SESSIONS; i++) {
    const hh = String(i).padStart(2, '0');
    const dir = join(root, 'users', `user${i % 4}`, 'sessions', `OpenFrame_shared_${hh}_20260201_10${hh}00`);
    mkdirSync(dir, { recursive: true });
    // Every session holds every issue, in a different file order, crawled at its own time.
    const rotated = [...sources.slice(i % sources.length), ...sources.slice(0, i % sources.length)];
    rotated.forEach((rel, n) => {
      const doc = fixtureJson(rel);
      doc.crawled_at = `2026-02-01T10:${hh}:${String(n).padStart(2, '0')}.000000`;
      doc.status = `Status-${hh}`;
      writeFileSync(
        join(dir, `${doc.issue_id}_20260201_10${hh}${String(n).padStart(2, '0')}.json`),
        JSON.stringify(doc, null, 2),
      );
    });
  }
  cpSync(
    join(FIXTURES, S.S1, 'attachments'),
    join(root, 'users/user0/sessions/OpenFrame_shared_00_20260201_100000/attachments'),
    { recursive: true },
  );
});
afterAll(async () => {
  await db.drop();
  rmSync(root, { recursive: true, force: true });
});

it('loads 16 sessions sharing every issue, 4 at a time, without a lost update', async () => {
  const retries: string[] = [];
  const summary = await backfill(db.pool, root, {
    ...OPTIONS,
    concurrency: 4,
    onRetry: (ref) => retries.push(ref.identity),
  });
  expect(summary.outcomes.filter((o) => o.result !== 'ingested').map((o) => o.failure)).toEqual([]);
  // Issue rows are locked in one order by every session, so none waited in a cycle: a deadlock
  // would not fail the run (40P01 is retried) but would show here.
  expect(retries).toEqual([]);
  const { rows } = await db.pool.query(
    `SELECT issue_id, crawl_count, status, first_crawled_at, last_crawled_at FROM ims.issues ORDER BY issue_id`,
  );
  expect(rows.length).toBeGreaterThanOrEqual(6);
  for (const r of rows) {
    expect(r.crawl_count).toBe(SESSIONS);
    expect(r.status).toBe(`Status-${String(SESSIONS - 1).padStart(2, '0')}`); // the newest session's crawl
    // Session hh crawled at 10:hh (Seoul): the first crawl is session 00's, the last session 15's.
    expect(r.first_crawled_at.toISOString()).toMatch(/^2026-02-01T01:00:/);
    expect(r.last_crawled_at.toISOString()).toMatch(
      new RegExp(`^2026-02-01T01:${String(SESSIONS - 1).padStart(2, '0')}:`),
    );
  }
  const links = await db.pool.query(`SELECT count(*)::int AS n FROM ims.session_issues`);
  expect(links.rows[0].n).toBe(SESSIONS * rows.length);
  const dup = await db.pool.query(
    `SELECT count(*)::int AS n FROM (SELECT issue_pk, comment_key FROM ims.issue_comments GROUP BY 1, 2 HAVING count(*) > 1) d`,
  );
  expect(dup.rows[0].n).toBe(0);
});
