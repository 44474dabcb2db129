import { tmpdir } from 'node:os';
import { cleanEnv, CliRun, logText, startCli } from '../helpers/cli';
import { FakeServer, startFakeServer } from '../helpers/fake-pg';

/**
 * A server that accepts TCP connections and never answers (a hung PostgreSQL, a firewall that
 * black-holes): every command fails within the connect timeout, naming the server but never
 * its password, with the TIMEOUT code, instead of hanging for good.
 */
let server: FakeServer;
let port: number;

beforeAll(async () => {
  server = await startFakeServer('silent');
  port = server.port;
});
afterAll(() => server.close());

/** Runs the CLI without blocking this process (the silent server lives in it). */
async function run(args: string[], env = cleanEnv()): Promise<CliRun & { seconds: number }> {
  const started = Date.now();
  const r = await startCli(args, env).done;
  return { ...r, seconds: (Date.now() - started) / 1000 };
}

const url = (query = '') => `postgresql://ims:s3cret-pw@127.0.0.1:${port}/ims${query}`;

it('migrate fails within --connect-timeout, naming the server without its password', async () => {
  const r = await run(['migrate', '--database-url', url(), '--connect-timeout', '2']);
  expect(r.code).toBe(1);
  expect(r.seconds).toBeGreaterThanOrEqual(1.9);
  expect(r.seconds).toBeLessThan(8);
  expect(r.stderr).toContain(`cannot connect to PostgreSQL at postgresql://ims:***@127.0.0.1:${port}/ims`);
  expect(logText(r.stderr)).toContain('no answer within the connect timeout (2s)');
  expect(r.stderr).not.toContain('s3cret-pw');
  expect(r.stderr).not.toMatch(/^\s+at /m);
});

it('backfill honours connect_timeout in the URL', async () => {
  // an existing root: a missing one is a usage error (exit 2) found before any connection
  const r = await run(['backfill', tmpdir(), '--database-url', url('?connect_timeout=1')]);
  expect(r.code).toBe(1);
  expect(r.seconds).toBeLessThan(6);
  expect(logText(r.stderr)).toMatch(
    /cannot connect to PostgreSQL at postgresql:\/\/ims:\*\*\*@127\.0\.0\.1:\d+\/ims\?connect_timeout=1: no answer within the connect timeout \(1s\)/,
  );
  expect(r.stderr).not.toContain('s3cret-pw');
});

it('honours PGCONNECT_TIMEOUT', async () => {
  const r = await run(['migrate', '--database-url', url()], cleanEnv({ PGCONNECT_TIMEOUT: '1' }));
  expect(r.code).toBe(1);
  expect(r.seconds).toBeLessThan(6);
  expect(logText(r.stderr)).toContain('no answer within the connect timeout (1s)');
});
