import { homedir } from 'node:os';
import { join } from 'node:path';
import { defaultConfigPaths, FileValue, firstExisting, readConfigFile } from './config-file';
import { checkDatabaseUrl } from './db/check-url';
import { passwordsOfUrl, redactUrl } from './secrets';
import { defaultEmbeddedDir } from './embedded/layout';
import { IngestError } from './errors';
import { LogLevel, LOG_LEVELS } from './log';

/** backfill's sessions per transaction unless told otherwise (docs/performance.md, change 15). */
export const DEFAULT_BATCH_SESSIONS = 50;

/**
 * Settings of one run, validated and frozen. The only reader of process.env. Every setting has
 * one name used three ways: the flag (--settle-seconds), the environment variable
 * (IMS_SETTLE_SECONDS) and the config-file key (settleSeconds); see OPTIONS.
 */
export interface Config {
  /** Connection string; undefined means "libpq PG* variables" (or the embedded server). */
  readonly databaseUrl?: string;
  /** True when PGHOST is set: the user chose a server through libpq variables. */
  readonly pgHostSet: boolean;
  readonly timezone: string;
  readonly concurrency: number;
  /** User of sessions in the shared layout (crawl_sessions/), which names none. */
  readonly defaultUser: string;
  readonly settleSeconds: number;
  readonly embeddedDir: string;
  readonly keepServer: boolean;
  readonly poll: boolean;
  readonly metricsPort?: number;
  readonly metricsFile?: string;
  readonly logLevel: LogLevel;
  /** undefined: json when stderr is not a terminal, else pretty (the CLI decides). */
  readonly logFormat?: 'pretty' | 'json';
  readonly quiet: boolean;
  readonly acceptErrors: boolean;
  /** Seconds to set up a connection (PGCONNECT_TIMEOUT); a connect_timeout in the URL wins; 0 waits for ever. */
  readonly connectTimeoutSeconds: number;
  /** `backfill`: give up once the database has been unreachable this many seconds. */
  readonly retrySeconds: number;
  /** backfill: sessions merged in one transaction. */
  readonly batchSize: number;
  /** `watch`: address the metrics, /healthz and /readyz listen on. */
  readonly metricsHost: string;
  /** Passwords given to this run (URL, PGPASSWORD): never printed (src/secrets.ts). */
  readonly secrets: readonly string[];
}

type Key =
  | 'databaseUrl'
  | 'timezone'
  | 'concurrency'
  | 'user'
  | 'settleSeconds'
  | 'embeddedDir'
  | 'keepServer'
  | 'poll'
  | 'metricsPort'
  | 'metricsHost'
  | 'metricsFile'
  | 'logLevel'
  | 'logFormat'
  | 'quiet'
  | 'acceptErrors'
  | 'connectTimeout'
  | 'retrySeconds'
  | 'batchSize';

/** Values given on the command line (camelCase, as yargs gives them); undefined when absent. */
export type ConfigFlags = Partial<Record<Key, FileValue>> & { config?: string };

export interface OptionSpec {
  key: Key;
  env: string;
  type: 'string' | 'number' | 'boolean';
  description: string;
  secret?: boolean;
}

/** Every setting; the flag is the key in kebab-case. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'databaseUrl',
    env: 'DATABASE_URL',
    type: 'string',
    secret: true,
    description: 'PostgreSQL connection string (else the libpq PG* variables, else the embedded server)',
  },
  {
    key: 'connectTimeout',
    env: 'PGCONNECT_TIMEOUT',
    type: 'number',
    description: 'seconds to set up a connection (connect_timeout in the URL wins); 0 waits for ever [default: 15]',
  },
  {
    key: 'retrySeconds',
    env: 'IMS_RETRY_SECONDS',
    type: 'number',
    description: 'backfill: give up once the database has been unreachable this long [default: 180]',
  },
  {
    key: 'batchSize',
    env: 'IMS_BATCH_SIZE',
    type: 'number',
    description:
      'backfill: sessions merged in one transaction, 1 to 1000; an interrupted batch is loaded again whole [default: 50]',
  },
  {
    key: 'timezone',
    env: 'IMS_TIMEZONE',
    type: 'string',
    description: "zone of the crawler's naive timestamps [default: Asia/Seoul]",
  },
  {
    key: 'concurrency',
    env: 'IMS_CONCURRENCY',
    type: 'number',
    description: 'sessions loaded at once, 1 to 64 [default: 2]',
  },
  {
    key: 'user',
    env: 'IMS_USER',
    type: 'string',
    description: 'user of shared-layout sessions (crawl_sessions/) [default: unknown]',
  },
  {
    key: 'settleSeconds',
    env: 'IMS_SETTLE_SECONDS',
    type: 'number',
    description: 'watch: quiet time after the last change before a session is loaded [default: 10]',
  },
  {
    key: 'embeddedDir',
    env: 'IMS_EMBEDDED_DIR',
    type: 'string',
    description:
      'data directory of the embedded PostgreSQL [default: ~/.local/share/ims-ingest; as root /var/lib/ims-ingest]',
  },
  {
    key: 'keepServer',
    env: 'IMS_KEEP_SERVER',
    type: 'boolean',
    description: 'leave the embedded PostgreSQL running when this command exits',
  },
  {
    key: 'poll',
    env: 'IMS_POLL',
    type: 'boolean',
    description: 'watch: poll the file system instead of inotify (network file systems)',
  },
  {
    key: 'metricsPort',
    env: 'IMS_METRICS_PORT',
    type: 'number',
    description: 'watch: serve Prometheus metrics on this port (0: any free port)',
  },
  {
    key: 'metricsHost',
    env: 'IMS_METRICS_HOST',
    type: 'string',
    description:
      'watch: address /metrics, /healthz and /readyz listen on (0.0.0.0: every interface) [default: 127.0.0.1]',
  },
  {
    key: 'metricsFile',
    env: 'IMS_METRICS_FILE',
    type: 'string',
    description: 'backfill: write the final metrics to this file (node_exporter textfile collector)',
  },
  { key: 'logLevel', env: 'IMS_LOG_LEVEL', type: 'string', description: `${LOG_LEVELS.join('|')} [default: info]` },
  {
    key: 'logFormat',
    env: 'IMS_LOG_FORMAT',
    type: 'string',
    description: 'pretty|json [default: json when stderr is not a terminal, else pretty]',
  },
  {
    key: 'quiet',
    env: 'IMS_QUIET',
    type: 'boolean',
    description: 'no progress bar: one log line per session, as in a pipe',
  },
  {
    key: 'acceptErrors',
    env: 'IMS_ACCEPT_ERRORS',
    type: 'boolean',
    description: 'backfill: exit 0 even while sessions hold unreadable files (known-bad files)',
  },
];

export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(OPTIONS.map((o) => [o.env, o.description])),
  'PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE': 'libpq connection variables (used when PGHOST is set)',
  IMS_INGEST_CONFIG:
    'path of a JSON or YAML config file [default: ./ims-ingest.config.{json,yaml,yml}, then $XDG_CONFIG_HOME/ims-ingest/config.*]',
});

/** Where a setting's value came from, for `ims-ingest config`. */
export interface ConfigEntry {
  key: string;
  value: FileValue | undefined;
  source: string;
}

const FILE_TYPES = Object.fromEntries(OPTIONS.map((o) => [o.key, o.type])) as Record<Key, OptionSpec['type']>;

/** Flags > environment > config file > defaults. Throws CONFIG_INVALID on a bad value. */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  return resolveConfig(flags, env, cwd).config;
}

/** loadConfig, and the source of every value (secrets masked). */
export function resolveConfig(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): { config: Config; entries: ConfigEntry[]; file?: string } {
  const named = flags.config ?? nonEmpty(env.IMS_INGEST_CONFIG);
  const xdg = nonEmpty(env.XDG_CONFIG_HOME) ?? join(nonEmpty(env.HOME) ?? homedir(), '.config');
  const file = named ?? firstExisting(defaultConfigPaths(cwd, xdg));
  const fileValues = file ? readConfigFile(file, FILE_TYPES) : {};
  const raw: Partial<Record<Key, FileValue>> = {};
  const entries: ConfigEntry[] = [];
  for (const o of OPTIONS) {
    const fromEnv = envValue(o, env);
    const [value, source] =
      flags[o.key] !== undefined
        ? [flags[o.key], `flag --${kebab(o.key)}`]
        : fromEnv !== undefined
          ? [fromEnv, `env ${o.env}`]
          : fileValues[o.key] !== undefined
            ? [fileValues[o.key], `file ${file}`]
            : [undefined, 'default'];
    raw[o.key] = value;
    entries.push({ key: o.key, value: o.secret && typeof value === 'string' ? redactUrl(value) : value, source });
  }
  const config = build(raw, env);
  const field: Partial<Record<Key, string>> = { user: 'defaultUser', connectTimeout: 'connectTimeoutSeconds' };
  for (const e of entries)
    if (e.value === undefined) e.value = (config as unknown as Record<string, FileValue>)[field[e.key as Key] ?? e.key];
  return { config, entries, file };
}

/**
 * The log settings alone, never throwing: how to report that the rest of the configuration is
 * invalid (a bad value falls back to the default).
 */
export function logSettings(
  flags: ConfigFlags,
  env: NodeJS.ProcessEnv = process.env,
): Pick<Config, 'logLevel' | 'logFormat'> {
  const format = flags.logFormat ?? nonEmpty(env.IMS_LOG_FORMAT);
  const level = flags.logLevel ?? nonEmpty(env.IMS_LOG_LEVEL);
  return {
    logFormat: format === 'pretty' || format === 'json' ? format : undefined,
    logLevel: LOG_LEVELS.includes(level as LogLevel) ? (level as LogLevel) : 'info',
  };
}

function build(raw: Partial<Record<Key, FileValue>>, env: NodeJS.ProcessEnv): Config {
  const str = (k: Key) => raw[k] as string | undefined;
  const num = (k: Key) => raw[k] as number | undefined;
  const bool = (k: Key) => raw[k] as boolean | undefined;
  const fail = (message: string) => new IngestError('CONFIG_INVALID', message);

  const timezone = str('timezone') ?? 'Asia/Seoul';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw fail(`unknown time zone "${timezone}" (use an IANA name such as Asia/Seoul or UTC)`);
  }
  const concurrency = num('concurrency') ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw fail(`concurrency must be a whole number from 1 to 64, got ${concurrency}`);
  const settleSeconds = num('settleSeconds') ?? 10;
  if (!(settleSeconds >= 0)) throw fail(`settle seconds must be 0 or more, got ${settleSeconds}`);
  const defaultUser = str('user') ?? 'unknown';
  if (defaultUser.length === 0 || defaultUser.length > 100)
    throw fail(`user must be 1 to 100 characters, got "${defaultUser}"`);
  const metricsPort = num('metricsPort');
  if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)) {
    throw fail(`metrics port must be a whole number from 0 to 65535, got ${metricsPort}`);
  }
  const logLevel = (str('logLevel') ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel))
    throw fail(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const logFormat = str('logFormat');
  if (logFormat !== undefined && logFormat !== 'pretty' && logFormat !== 'json')
    throw fail(`log format must be pretty or json, got "${logFormat}"`);
  const databaseUrl = str('databaseUrl');
  if (databaseUrl !== undefined) checkDatabaseUrl(databaseUrl);
  // pg crashes on a port out of range instead of failing the connection: say it here.
  const pgPort = nonEmpty(env.PGPORT);
  if (pgPort !== undefined && !(/^\d{1,5}$/.test(pgPort) && Number(pgPort) >= 1 && Number(pgPort) <= 65535)) {
    throw fail(`PGPORT must be a port number from 1 to 65535, got "${pgPort}"`);
  }
  const connectTimeoutSeconds = num('connectTimeout') ?? 15;
  if (!Number.isInteger(connectTimeoutSeconds) || connectTimeoutSeconds < 0) {
    throw fail(`connect timeout must be a whole number of seconds (0: none), got ${connectTimeoutSeconds}`);
  }
  const retrySeconds = num('retrySeconds') ?? 180;
  if (!(retrySeconds >= 0)) throw fail(`retry seconds must be 0 or more, got ${retrySeconds}`);
  const metricsHost = str('metricsHost') ?? '127.0.0.1';
  const batchSize = num('batchSize') ?? DEFAULT_BATCH_SESSIONS;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000)
    throw fail(`batch size must be a whole number from 1 to 1000, got ${batchSize}`);

  return Object.freeze({
    databaseUrl,
    pgHostSet: nonEmpty(env.PGHOST) !== undefined,
    timezone,
    concurrency,
    defaultUser,
    settleSeconds,
    embeddedDir: str('embeddedDir') ?? defaultEmbeddedDir(env, process.getuid?.() ?? -1, homedir()),
    keepServer: bool('keepServer') ?? false,
    poll: bool('poll') ?? false,
    metricsPort,
    metricsFile: str('metricsFile'),
    logLevel,
    logFormat: logFormat,
    quiet: bool('quiet') ?? false,
    acceptErrors: bool('acceptErrors') ?? false,
    batchSize,
    connectTimeoutSeconds,
    retrySeconds,
    metricsHost,
    secrets: Object.freeze([
      ...(databaseUrl ? passwordsOfUrl(databaseUrl) : []),
      ...(env.PGPASSWORD ? [env.PGPASSWORD] : []),
    ]),
  });
}

function envValue(o: OptionSpec, env: NodeJS.ProcessEnv): FileValue | undefined {
  const raw = nonEmpty(env[o.env]);
  if (raw === undefined) return undefined;
  if (o.type === 'string') return raw;
  if (o.type === 'number') {
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(raw))
      throw new IngestError('CONFIG_INVALID', `${o.env} must be a number, got "${raw}"`);
    return Number(raw);
  }
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new IngestError('CONFIG_INVALID', `${o.env} must be 1/true/yes/on or 0/false/no/off, got "${raw}"`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
