import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, logText, runCli } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES } from '../helpers/fixtures';

/**
 * The exit status of every kind of failure, as documented (README, docs/operations.md):
 * 0 done, 1 something failed and was said, 2 usage or configuration. Each row runs the real
 * binary and checks what it said, not only the number.
 */

let db: TestDatabase;
let home: string;
beforeAll(async () => {
  db = await createTestDatabase();
  home = mkdtempSync(join(tmpdir(), 'ims-exit-'));
});
afterAll(async () => {
  await db.drop();
  rmSync(home, { recursive: true, force: true });
});

// HOME and XDG point at an empty directory: no user config file, no embedded server reused.
const env = (extra: NodeJS.ProcessEnv = {}) =>
  cleanEnv({ HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, ...extra });
const DB = () => ['--database-url', db.url];

type Row = [name: string, args: () => string[], extraEnv: NodeJS.ProcessEnv, code: number, said: string | RegExp];

const ROWS: Row[] = [
  ['no command', () => [], {}, 2, 'name a command'],
  ['mistyped command', () => ['backfil', FIXTURES], {}, 2, 'Did you mean backfill?'],
  ['unknown flag', () => ['status', '--no-such-flag', ...DB()], {}, 2, /Unknown argument/i],
  [
    'missing root',
    () => ['backfill', '/nonexistent/crawl-output', ...DB()],
    {},
    2,
    '/nonexistent/crawl-output: no such directory',
  ],
  ['root is a file', () => ['backfill', join(FIXTURES, 'README.md'), ...DB()], {}, 2, 'not a directory'],
  // A root that does not exist yet is fine for watch (it waits for the crawler: test/chaos);
  // one that exists and is not a directory is a usage error.
  ['root of watch is a file', () => ['watch', join(FIXTURES, 'README.md'), ...DB()], {}, 2, 'not a directory'],
  [
    'not a URL',
    () => ['backfill', FIXTURES, '--database-url', 'notaurl'],
    {},
    2,
    'database URL "notaurl" is not a connection URL: expected postgresql://',
  ],
  [
    'libpq key=value string',
    () => ['migrate', '--database-url', 'host=/tmp dbname=ims'],
    {},
    2,
    'libpq key=value strings are not supported',
  ],
  ['mysql URL', () => ['migrate', '--database-url', 'mysql://root@db/ims'], {}, 2, 'is for mysql, not PostgreSQL'],
  [
    'bad port in URL',
    () => ['migrate', '--database-url', 'postgresql://ims:pw@db:abc/ims'],
    {},
    2,
    'port "abc" is not a number',
  ],
  [
    'bad URL in DATABASE_URL, password masked',
    () => ['migrate'],
    { DATABASE_URL: 'mariadb://ims:hunter2@db/ims' },
    2,
    'mariadb://ims:***@db/ims',
  ],
  [
    'metrics port out of range',
    () => ['watch', FIXTURES, '--metrics-port', '99999', ...DB()],
    {},
    2,
    'metrics port must be a whole number from 0 to 65535, got 99999',
  ],
  [
    'metrics port not a number',
    () => ['watch', FIXTURES, ...DB()],
    { IMS_METRICS_PORT: 'http' },
    2,
    'IMS_METRICS_PORT must be a number, got "http"',
  ],
  [
    'bad log level',
    () => ['status', '--log-level', 'loud', ...DB()],
    {},
    2,
    'log level must be one of trace, debug, info, warn, error, fatal, silent, got "loud"',
  ],
  [
    'bad log format',
    () => ['status', ...DB()],
    { IMS_LOG_FORMAT: 'xml' },
    2,
    'log format must be pretty or json, got "xml"',
  ],
  [
    'missing config file',
    () => ['status', '--config', '/nonexistent/ims.yaml', ...DB()],
    {},
    2,
    'cannot read config file /nonexistent/ims.yaml',
  ],
  [
    'metrics file in a missing directory',
    () => ['backfill', FIXTURES, '--metrics-file', '/nonexistent/dir/ims.prom', ...DB()],
    {},
    2,
    'metrics file /nonexistent/dir/ims.prom: its directory is not writable',
  ],
  [
    '--since not a date',
    () => ['errors', '--since', 'last tuesday', ...DB()],
    {},
    2,
    '--since "last tuesday" is not a date',
  ],
  [
    'unreachable server',
    () => ['migrate', '--database-url', 'postgresql://ims:secret@127.0.0.1:1/ims'],
    {},
    1,
    'cannot connect to PostgreSQL at postgresql://ims:***@127.0.0.1:1/ims',
  ],
  ['version', () => ['--version'], {}, 0, /^\d+\.\d+\.\d+\n/],
  ['-V', () => ['-V'], {}, 0, /^\d+\.\d+\.\d+\n/],
  ['help has examples', () => ['--help'], {}, 0, 'Examples:'],
  ['backfill help has examples', () => ['backfill', '--help'], {}, 0, '--dry-run'],
  ['completion script', () => ['completion'], {}, 0, '###-begin-ims-ingest-completions-###'],
  [
    'watch --dry-run reads the first pass without a database',
    () => ['watch', FIXTURES, '--dry-run', '--database-url', 'postgresql://nobody@127.0.0.1:1/none'],
    {},
    0,
    'Dry run of',
  ],
  ['config', () => ['config', '--database-url', 'postgresql://ims:hunter2@db/ims'], {}, 0, 'databaseUrl'],
];

it.each(ROWS)('%s', (_name, args, extra, code, said) => {
  const r = runCli(args(), env(extra));
  const text = `${r.stdout}\n${r.stderr}\n${logText(r.stderr)}`;
  expect({ code: r.code, text }).toEqual({
    code,
    text: expect.stringMatching(typeof said === 'string' ? escape(said) : said),
  });
  // No secret is ever printed, in any row.
  expect(text).not.toContain('hunter2');
  expect(text).not.toContain('secret@');
});

function escape(s: string): RegExp {
  return new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
