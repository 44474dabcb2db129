import pino from 'pino';
import { maskSecrets } from './secrets';

/**
 * The one logger of ims-ingest: everything the CLI and the daemon say goes through it, with a
 * level and structured fields (session, file, ...). The interface is the subset of pino's that
 * the code uses (`log().info({ session }, 'message')` or `log().info('message')`); the
 * implementation is pino writing synchronously to stderr, as JSON lines or as one readable
 * line per record (`pretty`, formatted here: pino-pretty's worker transport would be a thread
 * and a dependency for a dozen lines of formatting).
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LogFn {
  (fields: Record<string, unknown>, message: string): void;
  (message: string): void;
}

export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'pretty' | 'json';
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
}

// Fields that may hold a connection string or a password: masked wherever they appear.
const SECRET_PATHS = ['databaseUrl', 'url', 'connectionString', 'password', '*.databaseUrl', '*.url', '*.password'];

/** A pino logger writing synchronously (no worker thread: lines are not lost on exit). */
export function createLogger(options: LoggerOptions = {}): Logger {
  // Every line is masked whole: a password inside a driver's message is not in a known field.
  const out = options.write ?? ((line: string) => process.stderr.write(line));
  const write = (line: string) => out(maskSecrets(line));
  const format = options.format ?? 'json';
  const stream = { write: format === 'json' ? write : (line: string) => write(prettyLine(line)) };
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: SECRET_PATHS,
        censor: (v) => (typeof v === 'string' && /:\/\//.test(v) ? maskSecrets(v) : '***'),
      },
    },
    stream,
  );
}

const SHOWN_FIRST = new Set(['time', 'level', 'msg']);

/** `2026-12-01T11:46:23.123Z INFO  message session=... file=...` from one JSON record. */
export function prettyLine(json: string): string {
  const record = JSON.parse(json) as Record<string, unknown>;
  const msg = String(record.msg ?? '');
  // A field the message already says (the session's name) is not repeated on a terminal.
  const extra = Object.entries(record)
    .filter(
      ([k, v]) => !SHOWN_FIRST.has(k) && v !== undefined && !(typeof v === 'string' && k !== 'msg' && msg.includes(v)),
    )
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`);
  const level = String(record.level).toUpperCase().padEnd(5);
  return `${String(record.time)} ${level} ${msg}${extra.length ? ` ${extra.join(' ')}` : ''}\n`;
}

let current: Logger = createLogger({ format: process.stderr.isTTY ? 'pretty' : 'json' });

/** The process's logger. */
export function log(): Logger {
  return current;
}

/** Installs the process's logger (the CLI does, from --log-level / --log-format). */
export function setLogger(logger: Logger): void {
  current = logger;
}
