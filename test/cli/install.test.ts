import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cleanEnv, logText } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES } from '../helpers/fixtures';

/**
 * The production install recipe of docs/operations.md, run: pack the tarball, install it
 * globally into a fresh prefix, run the installed binary (never npx), and check the shipped
 * systemd unit against that binary.
 */

const REPO = resolve(__dirname, '..', '..');
let db: TestDatabase;
let dir: string;
let bin: string;
beforeAll(async () => {
  db = await createTestDatabase({ migrated: false });
  dir = mkdtempSync(join(tmpdir(), 'ims-install-'));
  const npm = (args: string[]) =>
    execFileSync('npm', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  npm(['pack', '--pack-destination', dir, '--silent']);
  const tarball = readdirSync(dir).find((n) => /^ims-ingest-\d+\.\d+\.\d+\.tgz$/.test(n));
  if (!tarball) throw new Error(`npm pack left no ims-ingest-<version>.tgz in ${dir}: ${readdirSync(dir).join(', ')}`);
  // --prefer-offline: the dependencies are those of this checkout, already in npm's cache.
  npm([
    'install',
    '-g',
    '--prefix',
    join(dir, 'prefix'),
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    join(dir, tarball),
  ]);
  bin = join(dir, 'prefix', 'bin', 'ims-ingest');
}, 300_000);
afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  // The installed binary, from a directory outside the checkout, as a service would run it.
  const r = spawnSync(bin, args, {
    cwd: dir,
    encoding: 'utf8',
    env: cleanEnv({ HOME: dir, ...env }),
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

it('the installed binary reports the package version', () => {
  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
  expect(run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
});

it('the installed binary backfills fixtures/ (its SQL files come from the package)', () => {
  const r = run(['backfill', FIXTURES], { DATABASE_URL: db.url });
  expect(logText(r.stderr)).not.toMatch(/FAILED/);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('sessions:    9 found, 9 ingested (8 completed, 1 failed crawls)');
  expect(r.stdout).toMatch(/in the database: +users 4, crawl_sessions 8, issues 10/);
});

it('the shipped systemd unit has what a service needs and verifies against the installed binary', () => {
  const unit = readFileSync(join(REPO, 'packaging', 'ims-ingest.service'), 'utf8');
  const keys = parseUnit(unit);
  expect(keys['Service.User']).toEqual(['ims-ingest']);
  expect(keys['Service.WorkingDirectory']).toEqual(['/var/lib/ims-ingest']);
  expect(keys['Service.Restart']).toEqual(['always']);
  expect(keys['Service.ExecStart']?.[0]).toMatch(/^\/usr\/local\/bin\/ims-ingest watch /);
  expect(unit).not.toMatch(/npx/);
  expect(keys['Install.WantedBy']).toEqual(['multi-user.target']);
  // systemd's own check, where systemd is installed: it refuses an ExecStart that is not executable.
  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (analyze.status !== 0) return; // no systemd here: the keys above are the check
  const local = join(dir, 'ims-ingest.service');
  writeFileSync(local, unit.replace('/usr/local/bin/ims-ingest', bin));
  const verify = spawnSync('systemd-analyze', ['verify', local], { encoding: 'utf8' });
  expect({ code: verify.status, said: verify.stderr }).toEqual({ code: 0, said: '' });
});

it('package-lock.json is what npm install writes for package.json (a fresh clone does not rewrite it)', () => {
  const copy = mkdtempSync(join(tmpdir(), 'ims-lock-'));
  try {
    for (const f of ['package.json', 'package-lock.json']) writeFileSync(join(copy, f), readFileSync(join(REPO, f)));
    execFileSync(
      'npm',
      ['install', '--package-lock-only', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: copy, stdio: 'ignore', env: cleanEnv() },
    );
    expect(readFileSync(join(copy, 'package-lock.json'), 'utf8')).toBe(
      readFileSync(join(REPO, 'package-lock.json'), 'utf8'),
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

/** `Section.Key` -> values, from a unit file (comments and blank lines skipped). */
function parseUnit(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let section = '';
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const s = /^\[(\w+)\]$/.exec(line);
    if (s) section = s[1];
    else {
      const [k, ...v] = line.split('=');
      (out[`${section}.${k}`] ??= []).push(v.join('='));
    }
  }
  return out;
}
