/**
 * The one logger of ims-ingest: everything the CLI and the daemon say goes through it, with a
 * level and structured fields (session, file, ...). The interface is the subset of pino's that
 * the code uses (`log.info({ session }, 'message')` or `log.info('message')`), so the
 * implementation behind it can change without touching its callers.
 *
 * This first implementation writes `LEVEL message key=value ...` lines to stderr; the CLI
 * installs the configured one with setLogger().
 */

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

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

const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** A plain-text logger writing to `write` (stderr by default), dropping lines below `level`. */
export function textLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(line),
  bound: Record<string, unknown> = {},
): Logger {
  const min = ORDER.indexOf(level);
  const make =
    (at: LogLevel): LogFn =>
    (a: Record<string, unknown> | string, b?: string) => {
      if (ORDER.indexOf(at) < min) return;
      const fields = typeof a === 'string' ? bound : { ...bound, ...a };
      const message = typeof a === 'string' ? a : (b ?? '');
      const extra = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
      write(`${at.toUpperCase()} ${message}${extra.length ? ` ${extra.join(' ')}` : ''}\n`);
    };
  const logger = Object.fromEntries(ORDER.map((l) => [l, make(l)])) as unknown as Logger;
  logger.child = (fields) => textLogger(level, write, { ...bound, ...fields });
  return logger;
}

let current: Logger = textLogger();

/** The process's logger. */
export function log(): Logger {
  return current;
}

/** Installs the process's logger (the CLI does, from --log-level / --log-format). */
export function setLogger(logger: Logger): void {
  current = logger;
}
