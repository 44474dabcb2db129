import { ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, waitFor } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, fixtureJson, S } from '../helpers/fixtures';

/** `ims-ingest watch` as a daemon beside a crawler that writes into a fresh temp directory. */
let db: TestDatabase;
let root: string;
let child: ChildProcess;
let stderr = '';

const waitForDaemon = (what: string, check: () => boolean | Promise<boolean>) =>
  waitFor(what, check, () => `daemon said:\n${stderr}`);
const count = async (sql: string) => Number((await db.pool.query(sql)).rows[0].n);

beforeAll(async () => {
  db = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-watch-'));
  cpSync(join(FIXTURES, S.S5), join(root, S.S5), { recursive: true });
  child = spawnCli(['watch', root, '--settle-seconds', '1', '--metrics-port', '0', '--database-url', db.url]);
  child.stderr!.on('data', (d) => (stderr += d));
  await waitForDaemon('the first pass', () => stderr.includes('first pass done (1 sessions)'));
});
afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await db.drop();
  rmSync(root, { recursive: true, force: true });
});

it('loads a new session folder once it has been quiet, and again when it grows', async () => {
  expect(await count(`SELECT count(*) AS n FROM ims.crawl_sessions`)).toBe(1);
  const dir = join(root, 'users/dave/sessions/OpenFrame_watch_test_20260501_090000');
  mkdirSync(dir, { recursive: true });
  const doc = fixtureJson(`${S.S1}/345001_20260103_120911.json`);
  writeFileSync(join(dir, '345001_20260501_090001.json'), JSON.stringify(doc, null, 2));
  await waitForDaemon(
    'the new session',
    async () =>
      (await count(
        `SELECT count(*) AS n FROM ims.session_issues si JOIN ims.crawl_sessions cs USING (session_id) WHERE cs.folder_name = 'OpenFrame_watch_test_20260501_090000'`,
      )) === 1,
  );
  // The crawler writes the next file in two steps (not atomic): half, then the rest.
  const next = JSON.stringify({ ...doc, issue_id: '345777', crawl_order: 2 }, null, 2);
  const file = join(dir, '345777_20260501_090005.json');
  writeFileSync(file, next.slice(0, 100));
  await new Promise((r) => setTimeout(r, 200));
  writeFileSync(file, next);
  await waitForDaemon(
    'the second file',
    async () => (await count(`SELECT count(*) AS n FROM ims.issues WHERE issue_id = '345777'`)) === 1,
  );
  await waitForDaemon(
    'no parse error left',
    async () => (await count(`SELECT count(*) AS n FROM ims.session_errors WHERE error_key LIKE 'parse:%'`)) === 0,
  );
  const s = await db.pool.query(
    `SELECT issues_crawled, status FROM ims.crawl_sessions WHERE folder_name = 'OpenFrame_watch_test_20260501_090000'`,
  );
  expect(s.rows).toEqual([{ issues_crawled: 2, status: 'completed' }]);
});

it('reads the query history again when the crawler rewrites it, half-written first', async () => {
  // S5 started 2025-12-20 08:00:00; the crawler rewrites the file whole, not atomically.
  const entry = {
    query: 'ProSort 메모리 부족',
    product: 'ProSort',
    parsed_query: 'sort memory 부족',
    language: 'ko',
    method: 'llm',
    confidence: 0.8,
    results_count: 2,
    timestamp: '2025-12-20T08:00:09.402116',
    execution_time: 9.1,
    is_favorite: false,
  };
  mkdirSync(join(root, 'history'), { recursive: true });
  const text = JSON.stringify([entry], null, 2);
  writeFileSync(join(root, 'history/query_history.json'), text.slice(0, 40));
  await waitForDaemon('the half-written history to be noticed', () => stderr.includes('not valid JSON'));
  writeFileSync(join(root, 'history/query_history.json'), text);
  await waitForDaemon(
    'the history entry matched to S5',
    async () =>
      (await count(
        `SELECT count(*) AS n FROM ims.crawl_sessions WHERE folder_name = 'ProSort_sort_memory_부족_20251220_080000' AND original_query = 'ProSort 메모리 부족'`,
      )) === 1,
  );
  expect(await count(`SELECT count(*) AS n FROM ims.search_queries WHERE history_key IS NOT NULL`)).toBe(1);
});

it('serves metrics and stops cleanly on SIGTERM', async () => {
  const port = Number(/metrics on http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr)?.[1]);
  expect(port).toBeGreaterThan(0);
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(text).toMatch(/ims_ingest_sessions_total\{result="ingested_completed"\} [1-9]/);
  expect(text).toMatch(/ims_ingest_issue_files_total [1-9]/);
  child.kill('SIGTERM');
  const code = await new Promise((done) => child.on('close', done));
  expect(code).toBe(0);
  expect(stderr).toContain('watch: stopping');
});
