import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { spawnCli, waitFor, logText } from '../helpers/cli';
import { expectConverges, referenceSnapshot } from '../helpers/converge';
import { issueFile, sessionDir, SessionSpec, writeSessionFolder } from '../helpers/crawler';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/**
 * Three `watch` daemons on one root and one database (how a user scales out): the right
 * database, and each session loaded once per change, by one of them (claims in PostgreSQL).
 */
let db: TestDatabase;
let reference: TestDatabase;
let root: string;
let staging: string;
const daemons: { child: ChildProcessWithoutNullStreams; stderr: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  reference = await createTestDatabase();
  root = mkdtempSync(join(tmpdir(), 'ims-chaos-three-'));
  staging = mkdtempSync(join(tmpdir(), 'ims-chaos-three-new-'));
});
afterAll(async () => {
  for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
  await db.drop();
  await reference.drop();
  rmSync(root, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
});

/** `ingested` lines per session identity, over every daemon. */
function loads(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of daemons) {
    for (const m of logText(d.stderr).matchAll(/^(?:ingested|failed crawl) +(\S+)/gm))
      counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  }
  return counts;
}

it('loads each session change once across three daemons and converges', async () => {
  const initial: SessionSpec[] = Array.from({ length: 20 }, (_, n) => ({
    user: `u${n % 3}`,
    n,
    files: 4,
    padding: 20_000,
  }));
  for (const s of initial) writeSessionFolder(root, s);
  for (let i = 0; i < 3; i++) {
    const child = spawnCli(['watch', root, '--settle-seconds', '1', '--concurrency', '2', '--database-url', db.url]);
    const d = { child, stderr: '' };
    child.stderr.on('data', (x) => (d.stderr += x));
    daemons.push(d);
  }
  const said = () => daemons.map((d, i) => `daemon ${i}:\n${d.stderr}`).join('\n');
  await waitFor(
    'three first passes',
    () => daemons.every((d) => logText(d.stderr).includes('first pass done (20 sessions)')),
    said,
  );

  // New sessions appear whole (written aside, then renamed in), and one session grows a file.
  const added: SessionSpec[] = Array.from({ length: 5 }, (_, i) => ({ user: 'v', n: 50 + i, files: 3 }));
  for (const s of added) {
    const target = sessionDir(root, s);
    writeSessionFolder(staging, s);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(sessionDir(staging, s), target);
  }
  const grown = initial[0];
  const extra = issueFile({ ...grown }, grown.files);
  writeFileSync(join(sessionDir(root, grown), extra.name), extra.text);

  const expected = await referenceSnapshot(reference.pool, root);
  await expectConverges(db.pool, expected);
  // Let any duplicate load that would still come show up before counting.
  await new Promise((r) => setTimeout(r, 3000));

  const identity = (s: SessionSpec) => relative(join(root, 'users'), sessionDir(root, s)).replace('/sessions/', '/');
  const want = new Map([...initial, ...added].map((s) => [identity(s), s === grown ? 2 : 1]));
  expect(Object.fromEntries([...loads()].sort())).toEqual(Object.fromEntries([...want].sort()));
  for (const d of daemons) {
    expect(d.child.exitCode).toBeNull();
    expect(d.stderr).not.toMatch(/FAILED|Unhandled|^\s+at /m);
  }
}, 120_000);
