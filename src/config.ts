import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { defaultEmbeddedDir } from './embedded/layout';
import { IngestError } from './errors';
import { passwordsOfUrl } from './secrets';

/** Settings of one run, validated and frozen. The only reader of process.env. */
export interface Config {
  /** Connection string; undefined means "libpq PG* variables" (or the embedded server). */
  readonly databaseUrl?: string;
  /** True when PGHOST is set: the user chose a server through libpq variables. */
  readonly pgHostSet: boolean;
  /** Zone of the crawler's naive timestamps. */
  readonly timezone: string;
  /** Sessions ingested at once. */
  readonly concurrency: number;
  /** User of sessions in the shared layout (crawl_sessions/), which names none. */
  readonly defaultUser: string;
  /** Seconds a session folder must stay unchanged before `watch` ingests it. */
  readonly settleSeconds: number;
  /** Directory of the embedded PostgreSQL (data, socket, binaries), when it is used. */
  readonly embeddedDir: string;
  /** Keep the embedded server running after the last ims-ingest exits. */
  readonly keepServer: boolean;
  /** Seconds to set up a connection (PGCONNECT_TIMEOUT); a connect_timeout in the URL wins; 0 waits for ever. */
  readonly connectTimeoutSeconds: number;
  /** Passwords given to this run (URL, PGPASSWORD): never printed (src/secrets.ts). */
  readonly secrets: readonly string[];
  /** `backfill`: give up once the database has been unreachable this many seconds. */
  readonly retrySeconds: number;
  /** `watch`: address the metrics, /healthz and /readyz listen on. */
  readonly metricsHost: string;
}

/** Values given on the command line; undefined when absent. */
export interface ConfigFlags {
  databaseUrl?: string;
  timezone?: string;
  concurrency?: number;
  user?: string;
  settleSeconds?: number;
  config?: string;
  embeddedDir?: string;
  keepServer?: boolean;
  retrySeconds?: number;
  connectTimeout?: number;
  metricsHost?: string;
}

type FileConfig = Partial<Record<'databaseUrl' | 'timezone' | 'user' | 'embeddedDir' | 'metricsHost', string>> &
  Partial<Record<'concurrency' | 'settleSeconds' | 'retrySeconds' | 'connectTimeoutSeconds', number>> & { keepServer?: boolean };

/** The keys a config file may hold, and the JSON type of each. */
const FILE_KEY_TYPES: Readonly<Record<keyof FileConfig, 'string' | 'number' | 'boolean'>> = {
  databaseUrl: 'string', timezone: 'string', user: 'string', embeddedDir: 'string',
  concurrency: 'number', settleSeconds: 'number', keepServer: 'boolean',
  retrySeconds: 'number', connectTimeoutSeconds: 'number', metricsHost: 'string',
};

export const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = Object.freeze({
  DATABASE_URL: 'PostgreSQL connection string (else the libpq PG* variables, else the embedded server)',
  'PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE': 'libpq connection variables',
  IMS_TIMEZONE: 'zone of the crawler timestamps (default Asia/Seoul)',
  IMS_CONCURRENCY: 'sessions ingested at once (default 2)',
  IMS_USER: 'user of shared-layout sessions (default unknown)',
  IMS_SETTLE_SECONDS: 'quiet time before watch ingests a session (default 10)',
  IMS_INGEST_CONFIG: 'path of a JSON config file (same keys as the long flags, camelCase)',
  IMS_EMBEDDED_DIR: 'data directory of the embedded PostgreSQL',
  IMS_KEEP_SERVER: '1 to leave the embedded PostgreSQL running on exit',
  IMS_RETRY_SECONDS: 'backfill: give up after the database was unreachable this long (default 180)',
  PGCONNECT_TIMEOUT: 'seconds to connect to PostgreSQL (default 15; 0 waits for ever; connect_timeout in the URL wins)',
  IMS_METRICS_HOST: 'watch: address of /metrics, /healthz, /readyz (default 127.0.0.1)',
});

/**
 * Flags > environment > config file > defaults. Throws CONFIG_INVALID on a bad value. `env` is
 * process.env unless a caller (a test) gives another; XDG_DATA_HOME and HOME place the embedded server.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const file = readConfigFile(flags.config ?? env.IMS_INGEST_CONFIG);
  const pick = <T>(flag: T | undefined, envValue: T | undefined, fileValue: T | undefined, fallback: T): T =>
    flag ?? envValue ?? fileValue ?? fallback;

  const timezone = pick(flags.timezone, nonEmpty(env.IMS_TIMEZONE), file.timezone, 'Asia/Seoul');
  checkTimezone(timezone);
  const concurrency = pick(flags.concurrency, intFromEnv(env, 'IMS_CONCURRENCY'), file.concurrency, 2);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    throw new IngestError('CONFIG_INVALID', `concurrency must be a whole number from 1 to 64, got ${concurrency}`);
  }
  const settleSeconds = pick(flags.settleSeconds, intFromEnv(env, 'IMS_SETTLE_SECONDS'), file.settleSeconds, 10);
  if (!(settleSeconds >= 0)) {
    throw new IngestError('CONFIG_INVALID', `settle seconds must be 0 or more, got ${settleSeconds}`);
  }
  const defaultUser = pick(flags.user, nonEmpty(env.IMS_USER), file.user, 'unknown');
  if (defaultUser.length === 0 || defaultUser.length > 100) {
    throw new IngestError('CONFIG_INVALID', `user must be 1 to 100 characters, got "${defaultUser}"`);
  }
  // pg crashes on a port out of range instead of failing the connection: say it here.
  const pgPort = nonEmpty(env.PGPORT);
  if (pgPort !== undefined && !(/^\d{1,5}$/.test(pgPort) && Number(pgPort) >= 1 && Number(pgPort) <= 65535)) {
    throw new IngestError('CONFIG_INVALID', `PGPORT must be a port number from 1 to 65535, got "${pgPort}"`);
  }
  const databaseUrl = flags.databaseUrl ?? nonEmpty(env.DATABASE_URL) ?? file.databaseUrl;
  // Anything else would reach the driver as a host name and be printed in its error.
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new IngestError('CONFIG_INVALID', 'the database URL must start with postgresql:// or postgres:// (not shown: it may hold a password)');
  }
  const retrySeconds = pick(flags.retrySeconds, intFromEnv(env, 'IMS_RETRY_SECONDS'), file.retrySeconds, 180);
  if (!(retrySeconds >= 0)) throw new IngestError('CONFIG_INVALID', `retry seconds must be 0 or more, got ${retrySeconds}`);
  const connectTimeoutSeconds = pick(flags.connectTimeout, intFromEnv(env, 'PGCONNECT_TIMEOUT'), file.connectTimeoutSeconds, 15);
  if (!Number.isInteger(connectTimeoutSeconds) || connectTimeoutSeconds < 0) {
    throw new IngestError('CONFIG_INVALID', `connect timeout must be a whole number of seconds (0: none), got ${connectTimeoutSeconds}`);
  }
  const metricsHost = pick(flags.metricsHost, nonEmpty(env.IMS_METRICS_HOST), file.metricsHost, '127.0.0.1');
  return Object.freeze({
    databaseUrl,
    pgHostSet: nonEmpty(env.PGHOST) !== undefined,
    timezone,
    concurrency,
    defaultUser,
    settleSeconds,
    embeddedDir:
      flags.embeddedDir ?? nonEmpty(env.IMS_EMBEDDED_DIR) ?? file.embeddedDir ?? defaultEmbeddedDir(env, process.getuid?.() ?? -1, homedir()),
    keepServer: flags.keepServer ?? boolFromEnv('IMS_KEEP_SERVER', env.IMS_KEEP_SERVER) ?? file.keepServer ?? false,
    connectTimeoutSeconds,
    secrets: Object.freeze([...(databaseUrl ? passwordsOfUrl(databaseUrl) : []), ...(env.PGPASSWORD ? [env.PGPASSWORD] : [])]),
    retrySeconds,
    metricsHost,
  });
}

function readConfigFile(path: string | undefined): FileConfig {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new IngestError('CONFIG_INVALID', `cannot read config file ${path}: ${(err as Error).message}`, { file: path, cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8 quotes the text around the error, which may be part of a password in databaseUrl.
    const reason = (err as Error).message.replace(/,?\s*(\.\.\.)?"[\s\S]*$/, '');
    throw new IngestError('CONFIG_INVALID', `config file ${path} is not valid JSON: ${reason}`, { file: path, cause: err });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new IngestError('CONFIG_INVALID', `config file ${path} must hold a JSON object`, { file: path });
  }
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(FILE_KEY_TYPES, key)) {
      throw new IngestError('CONFIG_INVALID', `config file ${path}: unknown key "${key}" (known: ${Object.keys(FILE_KEY_TYPES).join(', ')})`, { file: path });
    }
  }
  for (const [key, v] of Object.entries(value)) {
    const type = FILE_KEY_TYPES[key as keyof FileConfig];
    if (typeof v !== type) {
      throw new IngestError('CONFIG_INVALID', `config file ${path}: "${key}" must be a ${type}, got ${JSON.stringify(v)}`, { file: path });
    }
  }
  return value;
}

function checkTimezone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new IngestError('CONFIG_INVALID', `unknown time zone "${zone}" (use an IANA name such as Asia/Seoul or UTC)`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  if (!/^\s*-?\d+(\.\d+)?\s*$/.test(raw)) throw new IngestError('CONFIG_INVALID', `${name} must be a number, got "${raw}"`);
  return Number(raw);
}

function boolFromEnv(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new IngestError('CONFIG_INVALID', `${name} must be 1/true/yes/on or 0/false/no/off, got "${raw}"`);
}
