import { Config, ConfigFlags, loadConfig, logSettings } from '../config';
import { Database, openDatabase, OpenOptions } from '../db/open';
import { describeError, IngestError } from '../errors';
import { createLogger, log, setLogger } from '../log';
import { maskSecrets, registerSecrets } from '../secrets';

/**
 * Running one command: configuration, logger, database, and the exit code. The only place
 * that sets process.exitCode: 0 all done, 1 something failed (and was said), 2 usage or
 * configuration (a bad option value, a root that is not a session directory).
 */

export interface GlobalArgs extends ConfigFlags {
  json?: boolean;
}

/** Where log lines go: stderr, or above the progress bar while one is drawn. */
let sink: (line: string) => void = (line) => process.stderr.write(line);
export function setLogSink(write: ((line: string) => void) | undefined): void {
  sink = write ?? ((line) => process.stderr.write(line));
}

/** Errors that are the caller's to fix in the command line or the configuration. */
function isUsageError(err: unknown): boolean {
  return err instanceof IngestError && (err.code === 'CONFIG_INVALID' || err.code === 'LAYOUT_UNKNOWN');
}

/** Installs the logger the configuration asks for. */
function installLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): void {
  setLogger(
    createLogger({
      level: config.logLevel,
      format: config.logFormat ?? (process.stderr.isTTY ? 'pretty' : 'json'),
      write: (l) => sink(l),
    }),
  );
}

/** Runs `work` with the run's configuration and sets the exit code from its result or error. */
export async function withConfig(args: GlobalArgs, work: (config: Config) => Promise<number>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(args);
    registerSecrets(config.secrets);
  } catch (err) {
    installLogger(logSettings(args));
    fail(err, 2);
    return;
  }
  installLogger(config);
  try {
    process.exitCode = await work(config);
  } catch (err) {
    fail(err, isUsageError(err) ? 2 : 1);
  }
}

/** The database open for `work`, and closed after it. */
export async function useDatabase(
  config: Config,
  work: (db: Database) => Promise<number>,
  open: OpenOptions = {},
): Promise<number> {
  const db = await openDatabase(config, (line) => log().info(line), open);
  try {
    return await work(db);
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** withConfig, with the database open for `work` and closed after it. */
export function withDatabase(args: GlobalArgs, work: (db: Database, config: Config) => Promise<number>): Promise<void> {
  return withConfig(args, (config) => useDatabase(config, (db) => work(db, config)));
}

function fail(err: unknown, code: number): void {
  const fields: Record<string, unknown> = { code: err instanceof IngestError ? err.code : undefined, exitCode: code };
  if (err instanceof IngestError && err.file) fields.file = err.file;
  if (err instanceof IngestError && err.session) fields.session = err.session;
  log().error(fields, `ims-ingest: ${describeError(err)}`);
  process.exitCode = code;
}

/** Writes a result on stdout: JSON with --json, else the text. */
export function output(json: boolean | undefined, value: unknown, text: () => string): void {
  // Every result goes through maskSecrets too (src/secrets.ts): no password, even in a message.
  process.stdout.write(maskSecrets(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`));
}

/** First SIGINT/SIGTERM: stop taking new work; second: exit now. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log().warn({ signal }, `ims-ingest: ${signal} again, exiting now`);
      process.exit(130);
    }
    log().warn(
      { signal },
      `ims-ingest: ${signal}: finishing the sessions under way, starting no new ones (again to exit now)`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
