import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, cleanEnv } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FakeServer, startFakeServer } from '../helpers/fake-pg';
import { FIXTURES } from '../helpers/fixtures';
import { Logins } from '../helpers/roles';

/**
 * No password reaches the output: every way of giving one (URL user:pass@, a raw @ inside
 * it, ?password=, PGPASSWORD, a config file, --database-url) through every failure the CLI
 * reports. The password's core is random and is looked for in stdout and stderr, raw,
 * percent-encoded and in part (its first half), so a partial leak fails too.
 */

const CORE = `s3cr${Math.random().toString(36).slice(2, 12)}`;
const PASSWORD = `pw@${CORE}`; // a raw @, as issue 10 reported
const enc = encodeURIComponent;

interface Target {
  host: string; // host[:port], or '' for the socket of the test server
  query: string; // '?host=/socket' or ''
  user: string;
  db: string;
}
type Form = (t: Target) => { args: string[]; env: NodeJS.ProcessEnv };

const join2 = (q: string, p: string) => (q ? `${q}&${p}` : `?${p}`);
const FORMS: Record<string, Form> = {
  'user:pass@ in DATABASE_URL': (t) => ({
    args: [],
    env: { DATABASE_URL: `postgresql://${t.user}:${enc(PASSWORD)}@${t.host}/${t.db}${t.query}` },
  }),
  'raw @ in the password': (t) => ({
    args: [],
    env: { DATABASE_URL: `postgresql://${t.user}:${PASSWORD}@${t.host}/${t.db}${t.query}` },
  }),
  '?password=': (t) => ({
    args: [],
    env: { DATABASE_URL: `postgresql://${t.user}@${t.host}/${t.db}${join2(t.query, `password=${enc(PASSWORD)}`)}` },
  }),
  '--database-url': (t) => ({
    args: ['--database-url', `postgresql://${t.user}:${enc(PASSWORD)}@${t.host}/${t.db}${t.query}`],
    env: {},
  }),
  'config file': (t) => {
    const file = join(mkdtempSync(join(tmpdir(), 'ims-secrets-')), 'config.json');
    writeFileSync(
      file,
      JSON.stringify({ databaseUrl: `postgresql://${t.user}:${PASSWORD}@${t.host}/${t.db}${t.query}` }),
    );
    return { args: ['--config', file], env: {} };
  },
  PGPASSWORD: (t) => {
    const socket = /host=([^&]*)/.exec(t.query)?.[1];
    const [host, port] = socket ? [decodeURIComponent(socket), undefined] : t.host.split(':');
    return {
      args: [],
      env: { PGHOST: host, ...(port ? { PGPORT: port } : {}), PGUSER: t.user, PGDATABASE: t.db, PGPASSWORD: PASSWORD },
    };
  },
};

let fakeAuth: FakeServer, fakeHangup: FakeServer, fakeSilent: FakeServer, unmigrated: TestDatabase;
const logins = new Logins(process.env.IMS_TEST_BASE_URL!);
let loaderName: string;

/** The failures, each as a target and what the CLI must say instead. */
const FAILURES: Record<string, { target: () => Target; args: string[]; says: RegExp; code: number }> = {
  'unknown host': {
    target: () => ({ host: 'no-such-host.invalid:5432', query: '', user: 'u', db: 'd' }),
    args: ['migrate'],
    says: /cannot connect to PostgreSQL at .*(ENOTFOUND|EAI_AGAIN)/,
    code: 1,
  },
  'connection refused': {
    target: () => ({ host: '127.0.0.1:1', query: '', user: 'u', db: 'd' }),
    args: ['migrate'],
    says: /ECONNREFUSED/,
    code: 1,
  },
  'password rejected (server quotes it)': {
    target: () => ({ host: `127.0.0.1:${fakeAuth.port}`, query: '', user: 'u', db: 'd' }),
    args: ['migrate'],
    says: /password authentication failed: "\*\*\*" is not the password \[28P01\]/,
    code: 1,
  },
  'server hangs up': {
    target: () => ({ host: `127.0.0.1:${fakeHangup.port}`, query: '', user: 'u', db: 'd' }),
    args: ['migrate'],
    says: /cannot connect to PostgreSQL at .*(terminated|ECONNRESET)/i,
    code: 1,
  },
  'no answer (PGCONNECT_TIMEOUT=1)': {
    target: () => ({ host: `127.0.0.1:${fakeSilent.port}`, query: '', user: 'u', db: 'd' }),
    args: ['migrate'],
    says: /cannot connect to PostgreSQL at .*timeout/i,
    code: 1,
  },
  // A connection string is checked before any connection (issue 13): a usage error, exit 2.
  'bad port': {
    target: () => ({ host: 'localhost:99999999', query: '', user: 'u', db: 'd' }),
    args: ['migrate'],
    says: /port 99999999 is not from 1 to 65535|PGPORT must be a port number from 1 to 65535, got "99999999"/,
    code: 2,
  },
  'migration refused (real server, loader role)': {
    target: () => {
      const m = /^postgres(?:ql)?:\/\/(?:[^/?]*@)?([^/?]*)\/[^?]*(\?.*)?$/.exec(unmigrated.url)!;
      return { host: m[1], query: m[2] ?? '', user: loaderName, db: unmigrated.name };
    },
    args: ['backfill', FIXTURES],
    says: /cannot create the migrations table/,
    code: 1,
  },
};

beforeAll(async () => {
  fakeAuth = await startFakeServer('auth');
  fakeHangup = await startFakeServer('hangup');
  fakeSilent = await startFakeServer('silent');
  unmigrated = await createTestDatabase({ migrated: false });
  loaderName = (await logins.create('loader', ['ims_loader'], PASSWORD)).name;
});
afterAll(async () => {
  await fakeAuth.close();
  await fakeHangup.close();
  await fakeSilent.close();
  await unmigrated.drop();
  await logins.drop();
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // pretty: the messages as written (JSON log lines would escape their quotes)
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv({ IMS_LOG_FORMAT: 'pretty', ...env }) });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
}

const cases = Object.keys(FORMS).flatMap((form) => Object.keys(FAILURES).map((failure) => [form, failure] as const));

it.each(cases)('%s, %s: the failure is reported, the password nowhere', async (form, failure) => {
  const f = FAILURES[failure];
  const given = FORMS[form](f.target());
  const r = await run([...f.args, ...given.args], { ...given.env, PGCONNECT_TIMEOUT: '1' });
  expect(r.out).toMatch(f.says);
  expect(r.code).toBe(f.code);
  for (const leak of [CORE, CORE.slice(0, CORE.length / 2), enc(PASSWORD), PASSWORD]) expect(r.out).not.toContain(leak);
});
