import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, cleanEnv, logRecords, logText, runCli, startCli, waitFor } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, S } from '../helpers/fixtures';

/** The operator's commands: status, errors, config, dry runs, the metrics file, JSON output. */

let db: TestDatabase;
let home: string;
let root: string;
beforeAll(async () => {
  db = await createTestDatabase();
  home = mkdtempSync(join(tmpdir(), 'ims-op-'));
  // fixtures/ plus one session with an unreadable issue file.
  root = join(home, 'data');
  cpSync(FIXTURES, root, { recursive: true });
  const broken = join(root, 'crawl_sessions', 'ProSort_broken_20260401_100000');
  cpSync(join(FIXTURES, S.S5), broken, { recursive: true });
  writeFileSync(join(broken, '399999_20260401_100009.json'), '{"issue_id": "3999');
});
afterAll(async () => {
  await db.drop();
  rmSync(home, { recursive: true, force: true });
});

const env = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv({ HOME: home, XDG_CONFIG_HOME: join(home, 'xdg'), XDG_DATA_HOME: home, ...extra });
const BROKEN_FILE = () => join(root, 'crawl_sessions', 'ProSort_broken_20260401_100000', '399999_20260401_100009.json');

it('--dry-run reads every file, reports the broken one, and writes nothing', async () => {
  const r = runCli(['backfill', root, '--dry-run', '--database-url', db.url], env());
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('sessions:    10 found, 0 could not be read');
  expect(r.stdout).toContain('issue files: 22 found, 20 readable, 1 unreadable');
  expect(r.stdout).toContain(`${BROKEN_FILE()}: `);
  expect(r.stdout).toContain('(session): the crawl found no issues');
  expect(Number((await db.pool.query('SELECT count(*) AS n FROM ims.crawl_sessions')).rows[0].n)).toBe(0);
  const json = runCli(
    ['backfill', join(FIXTURES, S.S5), '--dry-run', '--json'],
    env({ DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' }),
  );
  expect(json.code).toBe(0);
  expect(JSON.parse(json.stdout).sessions).toEqual([
    expect.objectContaining({
      session: 'ProSort_sort_memory_부족_20251220_080000',
      issueFiles: 2,
      readable: 2,
      unreadable: 0,
      errors: 0,
    }),
  ]);
});

it('backfill writes its final metrics atomically for the textfile collector, and logs JSON lines with session and level', () => {
  const prom = join(home, 'ims.prom');
  const r = runCli(['backfill', root, '--metrics-file', prom, '--database-url', db.url], env());
  expect(r.code).toBe(1);
  const text = readFileSync(prom, 'utf8');
  expect(text).toContain('ims_ingest_sessions_total{result="ingested_completed"} 9');
  expect(text).toContain('ims_ingest_sessions_total{result="ingested_failed"} 1');
  expect(text).toContain('ims_ingest_unreadable_files_total 1');
  expect(text).toContain('ims_ingest_backfill_exit_code 1');
  expect(text).toContain('ims_ingest_open_errors 1');
  expect(readdirSync(home).filter((n) => n.includes('.tmp'))).toEqual([]);
  const records = logRecords(r.stderr);
  const broken = records.find((x) => x.session === 'ProSort_broken_20260401_100000' && x.result === 'ingested');
  expect(broken).toMatchObject({ level: 'warn', unreadable: 1, total: 10 });
  expect(typeof broken!.time).toBe('string');
  expect(records.find((x) => x.file === BROKEN_FILE())).toMatchObject({
    level: 'error',
    session: 'ProSort_broken_20260401_100000',
  });
});

it('status says what is loaded and what is wrong, and exits 1 while a file could not be loaded', () => {
  const r = runCli(['status', root, '--database-url', db.url], env());
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('Loaded: 9 sessions, 10 issues, 17 issue files');
  expect(r.stdout).toMatch(/bob +failed +1/);
  expect(r.stdout).toContain(`On disk (${root}): 10 session folders, 0 not loaded`);
  expect(r.stdout).toContain(
    `Files that could not be loaded (1; fix them and run backfill again):\n  ProSort_broken_20260401_100000\n    ${BROKEN_FILE()}: `,
  );
  const json = JSON.parse(runCli(['status', '--json', '--database-url', db.url], env()).stdout);
  expect(json).toMatchObject({ sessions: 9, issues: 10, problems: { error: 5, warning: 2 } });
  expect(json.openErrors).toEqual([
    expect.objectContaining({ session: 'ProSort_broken_20260401_100000', file: BROKEN_FILE(), error_type: 'parsing' }),
  ]);
  expect(json.byUser).toContainEqual(expect.objectContaining({ user: 'alice', status: 'completed', sessions: 2 }));
  // A folder the crawler wrote two hours after the newest loaded one, not loaded yet.
  const newer = join(root, 'crawl_sessions', 'ProSort_newer_20260401_120000');
  cpSync(join(FIXTURES, S.S5), newer, { recursive: true });
  try {
    const lag = runCli(['status', root, '--json', '--database-url', db.url], env());
    expect(lag.code).toBe(1);
    expect(JSON.parse(lag.stdout).disk).toEqual({
      root,
      folders: 11,
      notLoaded: ['ProSort_newer_20260401_120000'],
      newestFolder: 'ProSort_newer_20260401_120000',
      lagSeconds: 7200,
    });
  } finally {
    rmSync(newer, { recursive: true });
  }
});

it('errors lists session_errors, filtered by session, severity and date', () => {
  const all = JSON.parse(runCli(['errors', '--json', '--database-url', db.url], env()).stdout);
  expect(all).toHaveLength(7);
  const bySession = JSON.parse(
    runCli(['errors', '--json', '--session', 'bob/JEUS_deploy_fail_20260106_100000', '--database-url', db.url], env())
      .stdout,
  );
  expect(bySession).toEqual([
    expect.objectContaining({ severity: 'error', error_type: 'crawling', error_key: 'crawl:failed' }),
  ]);
  const errorsOnly = JSON.parse(
    runCli(['errors', '--json', '--severity', 'error', '--database-url', db.url], env()).stdout,
  );
  expect(errorsOnly.map((e: { severity: string }) => e.severity)).toEqual([
    'error',
    'error',
    'error',
    'error',
    'error',
  ]);
  const future = runCli(['errors', '--since', '2099-01-01', '--database-url', db.url], env());
  expect(future.code).toBe(0);
  expect(future.stdout).toBe('no errors recorded (for these filters)\n');
  const text = runCli(
    ['errors', '--session', 'ProSort_broken_20260401_100000', '--database-url', db.url],
    env(),
  ).stdout;
  expect(text).toContain(`    error   parsing  ${BROKEN_FILE()}: `);
});

it('analytics --json says what it recomputed', () => {
  const r = runCli(['analytics', '--json', '--database-url', db.url], env());
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({
    recomputed: true,
    timezone: 'Asia/Seoul',
    analyticsDailyRows: expect.any(Number),
  });
  expect(JSON.parse(r.stdout).analyticsDailyRows).toBeGreaterThan(0);
});

it('reads a YAML config file from the working directory, and config shows each value with its source, masked', () => {
  const cwd = join(home, 'cwd');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(
    join(cwd, 'ims-ingest.config.yaml'),
    `databaseUrl: postgresql://ims:hunter2@db.example/ims\nconcurrency: 3\npoll: true\nmetricsPort: 9464\nlogLevel: warn\n`,
  );
  const r = runCli(['config', '--json', '--concurrency', '4'], env({ IMS_TIMEZONE: 'UTC' }), cwd);
  expect(r.code).toBe(0);
  expect(r.stdout).not.toContain('hunter2');
  const report = JSON.parse(r.stdout);
  const get = (key: string) => report.settings.find((s: { key: string }) => s.key === key);
  const file = `file ${join(cwd, 'ims-ingest.config.yaml')}`;
  expect(report.file).toBe(join(cwd, 'ims-ingest.config.yaml'));
  expect(get('databaseUrl')).toMatchObject({
    value: 'postgresql://ims:***@db.example/ims',
    source: file,
    env: 'DATABASE_URL',
    flag: '--database-url',
  });
  expect(get('concurrency')).toMatchObject({ value: 4, source: 'flag --concurrency' });
  expect(get('timezone')).toMatchObject({ value: 'UTC', source: 'env IMS_TIMEZONE' });
  expect(get('poll')).toMatchObject({ value: true, source: file });
  expect(get('metricsPort')).toMatchObject({ value: 9464, source: file });
  expect(get('settleSeconds')).toMatchObject({ value: 10, source: 'default' });
  // The XDG location is used when the working directory has none.
  mkdirSync(join(home, 'xdg', 'ims-ingest'), { recursive: true });
  writeFileSync(join(home, 'xdg', 'ims-ingest', 'config.yml'), 'user: xdg-user\n');
  const xdg = JSON.parse(runCli(['config', '--json'], env(), home).stdout);
  expect(xdg.settings.find((s: { key: string }) => s.key === 'user')).toMatchObject({
    value: 'xdg-user',
    source: `file ${join(home, 'xdg', 'ims-ingest', 'config.yml')}`,
  });
  const bad = runCli(['config'], env(), (writeFileSync(join(cwd, 'ims-ingest.config.json'), '{"poll": "yes"}'), cwd));
  expect(bad.code).toBe(2);
  expect(logText(bad.stderr)).toContain(
    `config file ${join(cwd, 'ims-ingest.config.json')}: "poll" must be a boolean, got "yes"`,
  );
});

it('on a terminal, backfill draws a progress bar: sessions and files of the total, MB/s, ETA, errors', () => {
  // `script` gives the command a pseudo-terminal; without it (not util-linux) there is no terminal to test.
  if (spawnSync('script', ['--version']).status !== 0) return;
  const cmd = [process.execPath, BIN, 'backfill', FIXTURES, '--force', '--database-url', db.url]
    .map((a) => `'${a}'`)
    .join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: env({ TERM: 'xterm' }) });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/[=-]{20} 9\/9 sessions \| 19\/19 files \| \d+\.\d\d MB\/s \| ETA \S+ \| 0 errors/);
  expect(r.stdout).toMatch(/\d{4}-\d\d-\d\dT\S+Z INFO {2}failed crawl bob\/JEUS_deploy_fail_20260106_100000/);
  // Every session's line is printed above the bar, the last ones too.
  expect((r.stdout.match(/ done=\d total=9/g) ?? []).sort()).toEqual(
    [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => ` done=${n} total=9`),
  );
  // --quiet: no bar, the same log lines.
  const quiet = spawnSync('script', ['-qec', `${cmd} --quiet`, '/dev/null'], {
    encoding: 'utf8',
    env: env({ TERM: 'xterm' }),
  });
  expect(quiet.stdout).not.toContain('sessions |');
  expect(quiet.stdout).toContain('INFO  failed crawl bob/JEUS_deploy_fail_20260106_100000');
});

it('watch --json prints one JSON object per session on stdout; --log-format pretty logs readable lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ims-opwatch-'));
  cpSync(join(FIXTURES, S.S6), join(dir, 'crawl_sessions', 'OpenFrame_Batch_JCL_오류_20251222_153000'), {
    recursive: true,
  });
  const run = startCli(['watch', dir, '--json', '--log-format', 'pretty', '--database-url', db.url], env());
  const { child } = run;
  try {
    await waitFor('the first pass', () => run.stderr().includes('first pass done'), run.stderr);
    child.kill('SIGTERM');
    expect((await run.done).code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  const stdout = run.stdout();
  const stderr = run.stderr();
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines).toEqual([
    expect.objectContaining({
      session: 'OpenFrame_Batch_JCL_오류_20251222_153000',
      result: 'ingested',
      issueFiles: 2,
      staged: 2,
    }),
  ]); // another path: loaded again
  expect(stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO {2}watch: first pass done/m);
  expect(existsSync(join(home, 'ims-ingest'))).toBe(false);
});
