import { createLogger, prettyLine } from '../../src/log';

/** The logger: pino's JSON records (time, level, fields), the pretty form, secrets masked. */

function capture(format: 'json' | 'pretty', level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  return { lines, log: createLogger({ format, level, write: (l) => lines.push(l) }) };
}

it('writes one JSON record per line with time, level, message and fields', () => {
  const { lines, log } = capture('json');
  log.child({ session: 'alice/S1' }).warn({ file: '/d/a.json', unreadable: 1 }, 'ingested alice/S1');
  log.debug('not at info');
  expect(lines).toHaveLength(1);
  const r = JSON.parse(lines[0]);
  expect(r).toEqual({
    level: 'warn',
    time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    session: 'alice/S1',
    file: '/d/a.json',
    unreadable: 1,
    msg: 'ingested alice/S1',
  });
});

it('masks connection strings and passwords in fields', () => {
  const { lines, log } = capture('json');
  log.info(
    {
      databaseUrl: 'postgresql://ims:hunter2@db/ims',
      password: 'hunter2',
      config: { url: 'postgres://a:hunter2@h/d' },
    },
    'connecting',
  );
  expect(lines[0]).not.toContain('hunter2');
  expect(JSON.parse(lines[0])).toMatchObject({
    databaseUrl: 'postgresql://ims:***@db/ims',
    password: '***',
    config: { url: 'postgres://a:***@h/d' },
  });
});

it('pretty: time, padded level, message, then the fields the message does not already say', () => {
  const { lines, log } = capture('pretty', 'debug');
  log.debug({ session: 'bob/S3', done: 2, total: 8, note: 'two words' }, 'ingested bob/S3 (2 issue files)');
  expect(lines).toEqual([
    expect.stringMatching(
      /^\d{4}-\d\d-\d\dT\S+Z DEBUG ingested bob\/S3 \(2 issue files\) done=2 total=8 note="two words"\n$/,
    ),
  ]);
  expect(prettyLine('{"level":"info","time":"T","msg":"m"}')).toBe('T INFO  m\n');
});
