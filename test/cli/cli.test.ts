import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, logText, runCli as run, spawnCli } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, S } from '../helpers/fixtures';

/** bin/ims-ingest as a user runs it: a subprocess, real exit codes, real output. */

let db: TestDatabase;
const tmp: string[] = [];
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
});
afterAll(async () => {
  await db.drop();
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

it('--help lists the commands and the environment variables', () => {
  const r = run(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('backfill <root>');
  expect(r.stdout).toContain('migrate');
  expect(r.stdout).toContain('DATABASE_URL');
  expect(r.stdout).toContain('IMS_TIMEZONE');
});

it('exits 2 on usage errors', () => {
  expect(run([]).code).toBe(2);
  const unknown = run(['backfill', 'fixtures', '--no-such-flag']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/Unknown argument/i);
  const tz = run(['backfill', FIXTURES, '--timezone', 'Mars/Olympus', '--database-url', db.url]);
  expect(tz.code).toBe(2);
  expect(logText(tz.stderr)).toContain('unknown time zone "Mars/Olympus"');
});

it('backfills the fixtures (migrating first), then finds nothing changed', () => {
  const first = run(['backfill', FIXTURES, '--database-url', db.url]);
  expect(first.stderr).not.toMatch(/FAILED/);
  expect(first.code).toBe(0);
  // 9 folders (S5 and its migrated copy: one crawl); the expired-login file of S2 is a failed
  // issue of that crawl, not an unreadable file.
  expect(first.stdout).toContain(
    'sessions:    9 found, 9 ingested (8 completed, 1 failed crawls), 0 unchanged, 0 could not be ingested',
  );
  expect(first.stdout).toContain('issue files: 19 found, 18 loaded, 0 unreadable');
  expect(first.stdout).toContain('history:     4 query history entries read');
  expect(first.stdout).toMatch(
    /in the database: +users 4, crawl_sessions 8, issues 10, session_issues 15, issue_comments 21/,
  );
  expect(first.stdout).toMatch(/loaded by this run: {2}users 4, crawl_sessions \d+, issues \d+, session_issues \d+,/); // updates depend on load order
  expect(first.stderr).toContain('failed crawl bob/JEUS_deploy_fail_20260106_100000');
  const second = run(['backfill', FIXTURES, '--database-url', db.url]);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('0 ingested (0 completed, 0 failed crawls), 9 unchanged');
  expect(second.stdout).toContain('loaded by this run:  nothing (every session unchanged or failed)');
  const migrate = run(['migrate', '--json', '--database-url', db.url]);
  expect(migrate.code).toBe(0);
  expect(JSON.parse(migrate.stdout)).toMatchObject({ applied: [] });
});

it('takes the connection from DATABASE_URL when no flag is given', () => {
  const r = run(['backfill', join(FIXTURES, S.S5)], cleanEnv({ DATABASE_URL: db.url }));
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('sessions:    1 found');
});

it('exits 2 naming the path when the root does not exist, and 1 naming the server when it is unreachable', () => {
  const missing = run(['backfill', '/nonexistent/crawl-output', '--database-url', db.url]);
  expect(missing.code).toBe(2);
  expect(logText(missing.stderr)).toContain('/nonexistent/crawl-output: no such directory');
  const down = run(['migrate', '--database-url', 'postgresql://ims:secret@127.0.0.1:1/ims']);
  expect(down.code).toBe(1);
  expect(logText(down.stderr)).toContain('cannot connect to PostgreSQL at postgresql://ims:***@127.0.0.1:1/ims');
  expect(down.stderr).not.toContain('secret');
});

it('exits 1 when an issue file is unreadable, naming it, and still loads the rest', () => {
  const root = mkdtempSync(join(tmpdir(), 'ims-cli-'));
  tmp.push(root);
  cpSync(join(FIXTURES, S.S5), join(root, 'crawl_sessions', 'ProSort_cli_20260401_100000'), { recursive: true });
  writeFileSync(
    join(root, 'crawl_sessions', 'ProSort_cli_20260401_100000', '399999_20260401_100009.json'),
    '{"issue_id": "3999',
  );
  const r = run(['backfill', root, '--database-url', db.url]);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('issue files: 3 found, 2 loaded, 1 unreadable');
  expect(r.stderr).toContain('ProSort_cli_20260401_100000 (2 issue files, 1 unreadable, 1 errors');
  const bad = join(root, 'crawl_sessions', 'ProSort_cli_20260401_100000', '399999_20260401_100009.json');
  expect(r.stdout).toContain(`Files that could not be loaded (1; exit status 1 until they are fixed`);
  expect(r.stdout).toContain(`    ${bad}: `);
  // Unchanged folder, file still broken: the cron alert keeps firing, naming the file.
  const again = run(['backfill', root, '--database-url', db.url]);
  expect(again.stdout).toContain('0 ingested (0 completed, 0 failed crawls), 1 unchanged');
  expect(again.code).toBe(1);
  expect(again.stdout).toContain(`    ${bad}: `);
  const accepted = run(['backfill', root, '--accept-errors', '--database-url', db.url]);
  expect(accepted.code).toBe(0);
  expect(accepted.stdout).toContain('Files that could not be loaded (1; accepted (--accept-errors)');
  // Fixed: the reload clears the error and the exit status is 0 again.
  writeFileSync(
    bad,
    JSON.stringify({
      ...JSON.parse(
        readFileSync(
          join(
            root,
            'crawl_sessions',
            'ProSort_cli_20260401_100000',
            readdirSync(join(root, 'crawl_sessions', 'ProSort_cli_20260401_100000')).find(
              (n) => /^\d+_\d{8}_\d{6}\.json$/.test(n) && !n.startsWith('399999'),
            )!,
          ),
          'utf8',
        ),
      ),
      issue_id: '399999',
    }),
  );
  const fixed = run(['backfill', root, '--database-url', db.url]);
  expect(fixed.stdout).toContain('issue files: 3 found, 3 loaded, 0 unreadable');
  expect(fixed.code).toBe(0);
  expect(fixed.stdout).not.toContain('could not be loaded');
});

it('on SIGINT finishes the session under way, starts no new one, and says so', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ims-sigint-'));
  tmp.push(root);
  for (let i = 0; i < 150; i++) {
    const dir = join(root, 'crawl_sessions', `ProSort_sig_${i}_20260401_${String(100000 + i)}`);
    mkdirSync(dir, { recursive: true });
    cpSync(join(FIXTURES, S.S5), dir, { recursive: true });
  }
  // Batches of 10: the batches under way when the signal comes (one merging, one staging) finish,
  // the rest do not start.
  const child = spawnCli(['backfill', root, '--concurrency', '1', '--batch-size', '10', '--database-url', db.url]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  const code = await new Promise<number | null>((done) => {
    let sent = false;
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && /ingested +ProSort_sig_/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', done);
  });
  expect(stderr).toContain('SIGINT: finishing the sessions under way');
  expect(code).toBe(1);
  expect(stdout).toMatch(/not started \(interrupted\)/);
});
