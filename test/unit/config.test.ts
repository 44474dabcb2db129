import { chmodSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigFlags, ENVIRONMENT_VARIABLES, loadConfig } from '../../src/config';
import { IngestError } from '../../src/errors';
import { tempDirs } from './temp-tree';

const temp = tempDirs('config');
afterAll(() => temp.cleanup());

function configFile(content: unknown): string {
  const path = join(temp.make(), 'ims-ingest.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function configError(flags: ConfigFlags, env: NodeJS.ProcessEnv = {}): IngestError {
  let result;
  try {
    result = loadConfig(flags, env);
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    return err as IngestError;
  }
  throw new Error(`expected loadConfig to throw CONFIG_INVALID, it returned ${JSON.stringify(result)}`);
}

/** Settings added with the operator commands, at their defaults. */
const NEW_DEFAULTS = {
  poll: false,
  metricsPort: undefined,
  metricsFile: undefined,
  logLevel: 'info',
  logFormat: undefined,
  quiet: false,
  acceptErrors: false,
  connectTimeoutSeconds: 15,
  retrySeconds: 180,
  metricsHost: '127.0.0.1',
  secrets: [],
  batchSize: 50,
};

const FULL_FILE = {
  databaseUrl: 'postgresql://file@/db',
  timezone: 'Europe/Paris',
  user: 'fileuser',
  embeddedDir: '/file/pg',
  concurrency: 3,
  settleSeconds: 30,
  keepServer: true,
};

const FULL_ENV: NodeJS.ProcessEnv = {
  DATABASE_URL: 'postgresql://env@/db',
  IMS_TIMEZONE: 'UTC',
  IMS_USER: 'envuser',
  IMS_EMBEDDED_DIR: '/env/pg',
  IMS_CONCURRENCY: '5',
  IMS_SETTLE_SECONDS: '20',
  IMS_KEEP_SERVER: '0',
};

describe('loadConfig: defaults and precedence', () => {
  it('gives the defaults with no flags, an empty environment and no file', () => {
    expect(loadConfig({}, {})).toEqual({
      databaseUrl: undefined,
      pgHostSet: false,
      timezone: 'Asia/Seoul',
      concurrency: 2,
      defaultUser: 'unknown',
      settleSeconds: 10,
      embeddedDir: process.getuid?.() === 0 ? '/var/lib/ims-ingest' : join(homedir(), '.local', 'share', 'ims-ingest'),
      keepServer: false,
      ...NEW_DEFAULTS,
    });
    expect(loadConfig({}, { XDG_DATA_HOME: '/xdg' }).embeddedDir).toBe(
      process.getuid?.() === 0 ? '/var/lib/ims-ingest' : '/xdg/ims-ingest',
    );
  });

  it('takes the config file over the defaults', () => {
    expect(loadConfig({ config: configFile(FULL_FILE) }, {})).toEqual({
      databaseUrl: 'postgresql://file@/db',
      pgHostSet: false,
      timezone: 'Europe/Paris',
      concurrency: 3,
      defaultUser: 'fileuser',
      settleSeconds: 30,
      embeddedDir: '/file/pg',
      keepServer: true,
      ...NEW_DEFAULTS,
    });
  });

  it('takes the environment over the config file', () => {
    expect(loadConfig({ config: configFile(FULL_FILE) }, FULL_ENV)).toEqual({
      databaseUrl: 'postgresql://env@/db',
      pgHostSet: false,
      timezone: 'UTC',
      concurrency: 5,
      defaultUser: 'envuser',
      settleSeconds: 20,
      embeddedDir: '/env/pg',
      keepServer: false,
      ...NEW_DEFAULTS,
    });
  });

  it('takes flags over the environment and the config file', () => {
    const flags: ConfigFlags = {
      config: configFile(FULL_FILE),
      databaseUrl: 'postgresql://flag@/db',
      timezone: 'America/New_York',
      user: 'flaguser',
      embeddedDir: '/flag/pg',
      concurrency: 7,
      settleSeconds: 0,
      keepServer: true,
    };
    expect(loadConfig(flags, FULL_ENV)).toEqual({
      databaseUrl: 'postgresql://flag@/db',
      pgHostSet: false,
      timezone: 'America/New_York',
      concurrency: 7,
      defaultUser: 'flaguser',
      settleSeconds: 0,
      embeddedDir: '/flag/pg',
      keepServer: true,
      ...NEW_DEFAULTS,
    });
  });

  it('mixes sources key by key', () => {
    const c = loadConfig(
      { config: configFile({ timezone: 'Europe/Paris', concurrency: 4, user: 'fileuser' }), concurrency: 8 },
      { IMS_TIMEZONE: 'UTC' },
    );
    expect(c).toMatchObject({ timezone: 'UTC', concurrency: 8, defaultUser: 'fileuser', settleSeconds: 10 });
  });

  it('reads the config file named by IMS_INGEST_CONFIG, and --config over it', () => {
    const fromEnv = configFile({ user: 'from-env-file' });
    const fromFlag = configFile({ user: 'from-flag-file' });
    expect(loadConfig({}, { IMS_INGEST_CONFIG: fromEnv }).defaultUser).toBe('from-env-file');
    expect(loadConfig({ config: fromFlag }, { IMS_INGEST_CONFIG: fromEnv }).defaultUser).toBe('from-flag-file');
  });

  it('treats empty environment variables as unset', () => {
    const env = {
      IMS_TIMEZONE: '',
      IMS_USER: '',
      IMS_CONCURRENCY: '',
      IMS_SETTLE_SECONDS: '',
      DATABASE_URL: '',
      IMS_KEEP_SERVER: '',
      PGHOST: '',
    };
    expect(loadConfig({ config: configFile(FULL_FILE) }, env)).toMatchObject({
      timezone: 'Europe/Paris',
      defaultUser: 'fileuser',
      concurrency: 3,
      settleSeconds: 30,
      databaseUrl: 'postgresql://file@/db',
      keepServer: true,
      pgHostSet: false,
    });
  });

  it('sets pgHostSet from PGHOST', () => {
    expect(loadConfig({}, { PGHOST: '/tmp/pg' }).pgHostSet).toBe(true);
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['false', false],
  ])('reads IMS_KEEP_SERVER=%s as %s', (raw, expected) => {
    expect(loadConfig({}, { IMS_KEEP_SERVER: raw }).keepServer).toBe(expected);
  });

  it('returns a frozen object', () => {
    const c = loadConfig({}, {});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { concurrency: number }).concurrency = 9;
    }).toThrow(TypeError);
    expect(c.concurrency).toBe(2);
  });

  it('lists every environment variable it reads', () => {
    expect(Object.keys(ENVIRONMENT_VARIABLES)).toEqual([
      'DATABASE_URL',
      'PGCONNECT_TIMEOUT',
      'IMS_RETRY_SECONDS',
      'IMS_BATCH_SIZE',
      'IMS_TIMEZONE',
      'IMS_CONCURRENCY',
      'IMS_USER',
      'IMS_SETTLE_SECONDS',
      'IMS_EMBEDDED_DIR',
      'IMS_KEEP_SERVER',
      'IMS_POLL',
      'IMS_METRICS_PORT',
      'IMS_METRICS_HOST',
      'IMS_METRICS_FILE',
      'IMS_LOG_LEVEL',
      'IMS_LOG_FORMAT',
      'IMS_QUIET',
      'IMS_ACCEPT_ERRORS',
      'PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE',
      'IMS_INGEST_CONFIG',
    ]);
    expect(Object.isFrozen(ENVIRONMENT_VARIABLES)).toBe(true);
  });
});

describe("loadConfig: the daemon's settings from each source", () => {
  it('takes retrySeconds, connectTimeout and metricsHost from a flag, the environment or the file', () => {
    const file = configFile({ retrySeconds: 60, connectTimeout: 5, metricsHost: '10.0.0.1' });
    expect(loadConfig({ config: file }, {})).toMatchObject({
      retrySeconds: 60,
      connectTimeoutSeconds: 5,
      metricsHost: '10.0.0.1',
    });
    expect(
      loadConfig({ config: file }, { IMS_RETRY_SECONDS: '90', PGCONNECT_TIMEOUT: '7', IMS_METRICS_HOST: '0.0.0.0' }),
    ).toMatchObject({ retrySeconds: 90, connectTimeoutSeconds: 7, metricsHost: '0.0.0.0' });
    expect(
      loadConfig({ config: file, retrySeconds: 0, connectTimeout: 0, metricsHost: '::1' }, { IMS_RETRY_SECONDS: '90' }),
    ).toMatchObject({ retrySeconds: 0, connectTimeoutSeconds: 0, metricsHost: '::1' });
  });
});

describe("loadConfig: backfill's batch size", () => {
  it('takes it from a flag, the environment or the file, and refuses what is not 1 to 1000', () => {
    const file = configFile({ batchSize: 7 });
    expect(loadConfig({ config: file }, {}).batchSize).toBe(7);
    expect(loadConfig({ config: file }, { IMS_BATCH_SIZE: '200' }).batchSize).toBe(200);
    expect(loadConfig({ config: file, batchSize: 1 }, { IMS_BATCH_SIZE: '200' }).batchSize).toBe(1);
    for (const bad of ['0', '1001', '2.5', 'ten']) {
      const err = configError({}, { IMS_BATCH_SIZE: bad });
      expect(err.code).toBe('CONFIG_INVALID');
      expect(err.message).toMatch(/batch size|IMS_BATCH_SIZE/);
    }
  });
});

describe('loadConfig: bad values are CONFIG_INVALID', () => {
  it.each([
    ['a flag', { timezone: 'Mars/Olympus_Mons' }, {}],
    ['the environment', {}, { IMS_TIMEZONE: 'Mars/Olympus_Mons' }],
  ])('refuses an unknown time zone from %s', (_label, flags, env) => {
    const err = configError(flags, env);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe('unknown time zone "Mars/Olympus_Mons" (use an IANA name such as Asia/Seoul or UTC)');
  });

  it('refuses an unknown time zone from the config file', () => {
    const err = configError({ config: configFile({ timezone: 'KST+9' }) });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe('unknown time zone "KST+9" (use an IANA name such as Asia/Seoul or UTC)');
  });

  it.each([0, 65, 2.5, -1, Number.NaN])('refuses concurrency %s', (n) => {
    const err = configError({ concurrency: n });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`concurrency must be a whole number from 1 to 64, got ${n}`);
  });

  it('accepts concurrency 1 and 64', () => {
    expect(loadConfig({ concurrency: 1 }, {}).concurrency).toBe(1);
    expect(loadConfig({ concurrency: 64 }, {}).concurrency).toBe(64);
  });

  it('refuses a non-numeric IMS_CONCURRENCY, naming the variable', () => {
    const err = configError({}, { IMS_CONCURRENCY: 'four' });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe('IMS_CONCURRENCY must be a number, got "four"');
  });

  it('refuses an out-of-range IMS_CONCURRENCY and config-file concurrency', () => {
    expect(configError({}, { IMS_CONCURRENCY: '100' }).message).toBe(
      'concurrency must be a whole number from 1 to 64, got 100',
    );
    expect(configError({ config: configFile({ concurrency: 0 }) }).message).toBe(
      'concurrency must be a whole number from 1 to 64, got 0',
    );
  });

  it('refuses negative or non-numeric settle seconds', () => {
    expect(configError({}, { IMS_SETTLE_SECONDS: '-1' }).message).toBe('settle seconds must be 0 or more, got -1');
    expect(configError({}, { IMS_SETTLE_SECONDS: 'soon' }).message).toBe(
      'IMS_SETTLE_SECONDS must be a number, got "soon"',
    );
    expect(configError({ settleSeconds: -5 }).code).toBe('CONFIG_INVALID');
  });

  it('refuses an empty or over-long user', () => {
    expect(configError({ user: '' }).message).toBe('user must be 1 to 100 characters, got ""');
    const long = 'u'.repeat(101);
    expect(configError({ user: long }).message).toBe(`user must be 1 to 100 characters, got "${long}"`);
    expect(loadConfig({ user: 'u'.repeat(100) }, {}).defaultUser).toHaveLength(100);
  });
});

describe('loadConfig: the config file', () => {
  it('refuses a file that cannot be read, naming it', () => {
    const path = join(temp.make(), 'missing.json');
    const err = configError({ config: path });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.file).toBe(path);
    expect(err.message).toMatch(new RegExp(`^cannot read config file ${escapeRegExp(path)}: ENOENT`));
  });

  it('refuses a directory given as the config file', () => {
    const dir = temp.make();
    const err = configError({}, { IMS_INGEST_CONFIG: dir });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(new RegExp(`^cannot read config file ${escapeRegExp(dir)}: EISDIR`));
  });

  // Skipped as root (CI runs as root): root reads a mode-000 file anyway, so there is no
  // EACCES to provoke. The EISDIR test above covers the same "cannot read" path.
  const maybeRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? it.skip : it;
  maybeRoot('refuses a file without read permission', () => {
    const path = configFile({ user: 'x' });
    chmodSync(path, 0o000);
    const err = configError({ config: path });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(/EACCES/);
  });

  it('refuses invalid JSON, naming the file', () => {
    const path = configFile('{"timezone": "UTC",}');
    const err = configError({ config: path });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.file).toBe(path);
    expect(err.message.startsWith(`config file ${path} is not valid JSON: `)).toBe(true);
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['a list', '[]'],
    ['null', 'null'],
    ['a string', '"UTC"'],
    ['a number', '3'],
  ])('refuses a file holding %s', (_label, text) => {
    const path = configFile(text);
    const err = configError({ config: path });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toBe(`config file ${path} must hold a JSON object`);
  });

  it('refuses an unknown key, listing the known ones', () => {
    const path = configFile({ timezone: 'UTC', concurency: 3 });
    const err = configError({ config: path });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.file).toBe(path);
    expect(err.message).toBe(
      `config file ${path}: unknown key "concurency" (known: databaseUrl, connectTimeout, retrySeconds, batchSize, timezone, concurrency, user, settleSeconds, embeddedDir, keepServer, poll, metricsPort, metricsHost, metricsFile, logLevel, logFormat, quiet, acceptErrors)`,
    );
  });

  it('refuses a flag-style key name (the file uses camelCase)', () => {
    const path = configFile({ 'settle-seconds': 5 });
    expect(configError({ config: path }).message).toBe(
      `config file ${path}: unknown key "settle-seconds" (known: databaseUrl, connectTimeout, retrySeconds, batchSize, timezone, concurrency, user, settleSeconds, embeddedDir, keepServer, poll, metricsPort, metricsHost, metricsFile, logLevel, logFormat, quiet, acceptErrors)`,
    );
  });

  it('reads an empty object as all defaults', () => {
    expect(loadConfig({ config: configFile({}) }, {})).toEqual(loadConfig({}, {}));
  });

  // A config-file value of the wrong JSON type is a bad value like any other ("Throws
  // CONFIG_INVALID on a bad value"); it must not reach the frozen Config with the wrong type.
  it.each([
    ['settleSeconds', '10', 'number'],
    ['keepServer', 'false', 'boolean'],
    ['keepServer', 1, 'boolean'],
    ['user', 42, 'string'],
    ['databaseUrl', 7, 'string'],
    ['embeddedDir', false, 'string'],
  ])('refuses %s of the wrong JSON type (%j)', (key, value, type) => {
    const path = configFile({ [key]: value });
    const err = configError({ config: path });
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.file).toBe(path);
    expect(err.message).toBe(`config file ${path}: "${key}" must be a ${type}, got ${JSON.stringify(value)}`);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
