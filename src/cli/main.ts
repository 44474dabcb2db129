import { AddressInfo } from 'node:net';
import yargs, { Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Config, ConfigFlags, ENVIRONMENT_VARIABLES, loadConfig } from '../config';
import { Database, openDatabase } from '../db/open';
import { DB_ACTIONS, DbAction, dbCommand } from './db-command';
import { describeError, IngestError } from '../errors';
import { backfill, refreshAnalytics } from '../ingest/backfill';
import { SessionRef } from '../files/discover';
import { applyMigrations } from '../db/migrate';
import { SessionOutcome } from '../ingest/session';
import { runDaemon } from '../ingest/watch';
import { Metrics, serveMetrics } from '../ingest/metrics';
import { backfillSucceeded, formatOutcome, formatSummary } from './format';

/**
 * Command-line wiring. The only place that sets process.exitCode: 0 all done, 1 something
 * failed (and was said), 2 usage or configuration.
 */

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

interface GlobalArgs extends ConfigFlags {
  json?: boolean;
}

/** Runs `work` with the run's configuration and sets the exit code from its result or error. */
async function withConfig(args: GlobalArgs, work: (config: Config) => Promise<number>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(args);
  } catch (err) {
    log(`ims-ingest: ${describeError(err)}`);
    process.exitCode = 2;
    return;
  }
  try {
    process.exitCode = await work(config);
  } catch (err) {
    log(`ims-ingest: ${describeError(err)}`);
    process.exitCode = err instanceof IngestError && err.code === 'CONFIG_INVALID' ? 2 : 1;
  }
}

/** withConfig, with the database open for `work` and closed after it. */
function withDatabase(args: GlobalArgs, work: (db: Database, config: Config) => Promise<number>): Promise<void> {
  return withConfig(args, async (config) => {
    const db = await openDatabase(config, log);
    try {
      return await work(db, config);
    } finally {
      await db.close().catch(() => undefined);
    }
  });
}

/** What backfill and watch print as each session is loaded or retried. */
const progress = {
  onSession: (o: SessionOutcome) => log(formatOutcome(o)),
  onRetry: (ref: SessionRef, attempt: number, err: unknown) => log(`retrying ${ref.identity} (attempt ${attempt + 1}): ${describeError(err)}`),
};

/** First SIGINT/SIGTERM: stop taking new work; second: exit now. */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log(`ims-ingest: ${signal} again, exiting now`);
      process.exit(130);
    }
    log(`ims-ingest: ${signal}: finishing the sessions under way, starting no new ones (again to exit now)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}

const epilogue =
  'Environment variables:\n' +
  Object.entries(ENVIRONMENT_VARIABLES)
    .map(([k, v]) => `  ${k.padEnd(48)} ${v}`)
    .join('\n') +
  '\n\nPrecedence: flags > environment > config file > defaults. Docs: docs/operations.md';

export function buildCli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('ims-ingest')
    .usage('$0 <command> [options]\n\nLoads the IMS crawler\'s session folders into PostgreSQL (schema ims).')
    .option('database-url', { type: 'string', description: 'PostgreSQL connection string (overrides DATABASE_URL)' })
    .option('config', { type: 'string', description: 'JSON config file (keys: databaseUrl, timezone, concurrency, user, settleSeconds, embeddedDir, keepServer)' })
    .option('timezone', { type: 'string', description: 'zone of the crawler\'s naive timestamps [default: Asia/Seoul]' })
    .option('json', { type: 'boolean', description: 'print the result as JSON on stdout' })
    .option('embedded-dir', { type: 'string', description: 'data directory of the embedded PostgreSQL, used when no server is configured [default: ~/.local/share/ims-ingest; as root /var/lib/ims-ingest]' })
    .option('keep-server', { type: 'boolean', description: 'leave the embedded PostgreSQL running when this command exits' })
    .command(
      'migrate',
      'create or upgrade the ims schema',
      (y) => y,
      (args) =>
        withDatabase(args as GlobalArgs, async (db) => {
          const result = await applyMigrations(db.pool);
          const text = result.applied.length ? `applied ${result.applied.join(', ')}` : 'schema is up to date';
          if ((args as GlobalArgs).json) process.stdout.write(`${JSON.stringify(result)}\n`);
          else process.stdout.write(`migrate: ${text} (version ${result.current})\n`);
          return 0;
        }),
    )
    .command(
      'backfill <root>',
      'load every session folder under <root> (the crawler\'s data/ directory, a users/<name>/sessions directory, or one session folder)',
      (y) =>
        y
          .positional('root', { type: 'string', demandOption: true, description: 'directory to load' })
          .option('concurrency', { type: 'number', description: 'sessions loaded at once [default: 2]' })
          .option('user', { type: 'string', description: 'user of shared-layout sessions (crawl_sessions/) [default: unknown]' })
          .option('force', { type: 'boolean', default: false, description: 'reload sessions whose folder did not change since the last load' })
          .option('bulk', { choices: ['auto', 'on', 'off'] as const, default: 'auto' as const, description: 'build secondary indexes after the load instead of during it (auto: when the dump is 4x the sessions the database holds, 20 or more; docs/performance.md)' }),
      (args) =>
        withDatabase(args as GlobalArgs, async (db, config) => {
          await applyMigrations(db.pool);
          const signal = interruptSignal();
          const summary = await backfill(db.pool, String(args.root), {
            timezone: config.timezone,
            defaultUser: config.defaultUser,
            concurrency: config.concurrency,
            force: Boolean(args.force),
            bulk: args.bulk,
            onIndexes: log,
            signal,
            ...progress,
            onIgnored: (path, reason) => log(`ignored    ${path}: ${reason}`),
          });
          if ((args as GlobalArgs).json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
          else process.stdout.write(`${formatSummary(summary)}\n`);
          return backfillSucceeded(summary) ? 0 : 1;
        }),
    )
    .command(
      'watch <root>',
      'load every session under <root>, then keep loading sessions as the crawler writes them (a daemon)',
      (y) =>
        y
          .positional('root', { type: 'string', demandOption: true, description: 'directory to watch (as for backfill)' })
          .option('concurrency', { type: 'number', description: 'sessions loaded at once [default: 2]' })
          .option('user', { type: 'string', description: 'user of shared-layout sessions (crawl_sessions/) [default: unknown]' })
          .option('settle-seconds', { type: 'number', description: 'quiet time after the last change before a session is loaded [default: 10]' })
          .option('poll', { type: 'boolean', default: false, description: 'poll the file system instead of using inotify (network file systems)' })
          .option('metrics-port', { type: 'number', description: 'serve Prometheus metrics on http://127.0.0.1:<port>/metrics' }),
      (args) =>
        withDatabase(args as GlobalArgs, async (db, config) => {
          await applyMigrations(db.pool);
          const metrics = new Metrics();
          const server = args.metricsPort !== undefined ? await serveMetrics(metrics, Number(args.metricsPort)) : undefined;
          if (server) log(`watch: metrics on http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
          try {
            await runDaemon(db.pool, String(args.root), {
              timezone: config.timezone,
              defaultUser: config.defaultUser,
              concurrency: config.concurrency,
              settleSeconds: config.settleSeconds,
              poll: Boolean(args.poll),
              signal: interruptSignal(),
              metrics,
              log,
              ...progress,
            });
          } finally {
            server?.close();
          }
          return 0;
        }),
    )
    .command(
      'analytics',
      'recompute analytics_daily and analytics_monthly from the loaded sessions (for cron)',
      (y) => y,
      (args) =>
        withDatabase(args as GlobalArgs, async (db, config) => {
          await applyMigrations(db.pool);
          await refreshAnalytics(db.pool, config.timezone);
          process.stdout.write('analytics: recomputed\n');
          return 0;
        }),
    )
    .command(
      'db <action> [args..]',
      'the embedded PostgreSQL (used when no server is configured): status, start (and keep running), stop, url, psql [psql arguments]',
      (y) =>
        y
          // psql's own options (-c, -tA, ...) pass through instead of failing .strict()
          .parserConfiguration({ 'unknown-options-as-args': true })
          .positional('action', { choices: DB_ACTIONS, description: 'what to do' })
          .positional('args', { type: 'string', array: true, description: 'db psql: arguments for psql, e.g. -c "select count(*) from ims.issues"' })
          .option('force', { type: 'boolean', default: false, description: 'db stop: stop even while other ims-ingest processes use the server' }),
      (args) =>
        withConfig(args as GlobalArgs, (config) =>
          dbCommand(args.action as DbAction, {
            dir: config.embeddedDir,
            rest: (args.args ?? []).map(String),
            force: Boolean(args.force),
            json: Boolean((args as GlobalArgs).json),
            keepServer: config.keepServer,
            elsewhere: config.databaseUrl !== undefined || config.pgHostSet,
            log,
          }),
        ),
    )
    .demandCommand(1, 'name a command: migrate, backfill, watch, analytics, db (see --help)')
    .strict()
    .epilogue(epilogue)
    .help()
    .alias('help', 'h')
    .version()
    .fail((msg, err, y) => {
      if (err) throw err;
      log(`${y.help() && ''}ims-ingest: ${msg}\nRun 'ims-ingest --help' for usage.`);
      process.exit(2);
    })
    .wrap(Math.min(110, process.stdout.columns || 110));
}

if (require.main === module || process.argv[1]?.endsWith('ims-ingest')) {
  void buildCli(hideBin(process.argv)).parseAsync();
}
