import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, startCli, waitFor, logText } from '../helpers/cli';
import { expectConverges, referenceSnapshot } from '../helpers/converge';
import { issueFile, sessionDir, SessionSpec, writeSessionFolder } from '../helpers/crawler';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/**
 * Nothing written during `watch`'s first pass is missed: the watcher is live before the pass
 * starts. A file the pass caught half-written and that was completed during the pass, a new
 * session, and a new file in a session already loaded: all loaded, no file touched afterwards.
 */
let db: TestDatabase;
let reference: TestDatabase;
let root: string;
let child: ChildProcessWithoutNullStreams;
let stderr = '';

beforeAll(async () => {
  db = await createTestDatabase();
  reference = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-chaos-first-'));
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await db.drop();
  await reference.drop();
  rmSync(root, { recursive: true, force: true });
});

it('loads what changes during the first pass', async () => {
  // Loaded first (users sort by name): one of its files is half-written when the pass reads it.
  const early: SessionSpec = { user: 'aa', n: 0, files: 3 };
  const dir = writeSessionFolder(root, early);
  const half = issueFile(early, 2);
  writeFileSync(join(dir, half.name), half.text.slice(0, 200));
  // Enough behind it for the pass to take a few seconds at concurrency 1.
  for (let n = 1; n <= 30; n++) writeSessionFolder(root, { user: 'bb', n, files: 10, padding: 60_000 });

  child = spawnCli(['watch', root, '--settle-seconds', '1', '--concurrency', '1', '--database-url', db.url]);
  child.stderr.on('data', (d) => (stderr += d));
  const said = () => `daemon said:\n${stderr}`;
  await waitFor(
    'the half-written file loaded as unreadable',
    () => /^ingested +aa\/\S+ \(2 issue files, 1 unreadable/m.test(logText(stderr)),
    said,
  );
  writeFileSync(join(dir, half.name), half.text); // completed
  const extra = issueFile(early, 3);
  writeFileSync(join(dir, extra.name), extra.text); // a new file in a loaded session
  writeSessionFolder(root, { user: 'cc', n: 40, files: 2 }); // a new session
  // The changes landed during the pass, which is what this test is about.
  expect(logText(stderr)).not.toContain('first pass done');

  const expected = await referenceSnapshot(reference.pool, root);
  await expectConverges(db.pool, expected);
  const errors = await db.pool.query(`SELECT error_key FROM ims.session_errors WHERE error_key LIKE 'parse:%'`);
  expect(errors.rows).toEqual([]);
  const aa = await db.pool.query(`SELECT issues_crawled FROM ims.crawl_sessions WHERE folder_name = $1`, [
    sessionDir(root, early).split('/').pop(),
  ]);
  expect(aa.rows).toEqual([{ issues_crawled: 4 }]);
  child.kill('SIGTERM');
  expect(await new Promise((done) => child.on('close', done))).toBe(0);
}, 120_000);

it('SIGTERM during the first pass finishes the session under way and starts no other', async () => {
  const other = await createTestDatabase();
  const own = mkdtempSync(join(tmpdir(), 'ims-chaos-first-term-'));
  for (let n = 1; n <= 20; n++) writeSessionFolder(own, { user: 'dd', n, files: 10, padding: 60_000 });
  const {
    child: run,
    stderr,
    done,
  } = startCli(['watch', own, '--settle-seconds', '1', '--concurrency', '1', '--database-url', other.url]);
  try {
    await waitFor('the first loaded session', () => /^ingested/m.test(logText(stderr())), stderr);
    run.kill('SIGTERM');
    expect((await done).code).toBe(0);
    const said = stderr();
    const loaded = (logText(said).match(/^ingested/gm) ?? []).length;
    // The one under way when the signal came (and, at most, the one that had just started).
    expect(loaded).toBeLessThanOrEqual(3);
    const rows = await other.pool.query('SELECT count(*)::int AS n FROM ims.crawl_sessions');
    expect(rows.rows[0].n).toBe(loaded);
    expect(said).toContain('watch: stopping');
  } finally {
    if (run.exitCode === null) run.kill('SIGKILL');
    await other.drop();
    rmSync(own, { recursive: true, force: true });
  }
}, 60_000);
