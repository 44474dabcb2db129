import yargs, { Argv, Options } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ENVIRONMENT_VARIABLES, kebab, OPTIONS } from '../config';
import { DB_ACTIONS, DbAction, dbCommand } from './db-command';
import { refreshAnalytics } from '../ingest/backfill';
import { applyMigrations } from '../db/migrate';
import { restoreAbandonedIndexes } from '../db/deferred-indexes';
import { readSql } from '../db/sql-files';
import { log } from '../log';
import { maskSecrets } from '../secrets';
import { BackfillArgs, runBackfill } from './backfill-command';
import { configReport, formatConfigReport } from './config-command';
import { formatErrors, listErrors } from './errors-command';
import { GlobalArgs, output, withConfig, withDatabase } from './run';
import { formatStatusReport, statusHealthy, statusReport } from './status-command';
import { runWatch } from './watch-command';
import { searchLocale, searchLocaleWarnings } from '../db/search-locale';
import { searchCommand } from './search-command';

/**
 * Command-line wiring: commands, options and help. Each option of OPTIONS (src/config.ts) is
 * a flag here, an environment variable and a config-file key; run.ts sets the exit code.
 */

const VERSION: string = require('../../package.json').version;

/** The yargs options of the OPTIONS named `keys` (no defaults here: an absent flag is undefined). */
function flags(keys: string[]): Record<string, Options> {
  return Object.fromEntries(
    OPTIONS.filter((o) => keys.includes(o.key)).map((o) => [
      kebab(o.key),
      { type: o.type, description: `${o.description} (${o.env})` },
    ]),
  );
}

const GLOBAL = [
  'databaseUrl',
  'connectTimeout',
  'timezone',
  'embeddedDir',
  'keepServer',
  'logLevel',
  'logFormat',
  'quiet',
];
const INGEST = ['concurrency', 'user'];

const epilogue =
  'Environment variables (each option above also has a config-file key: its name in camelCase; `ims-ingest config` shows them all):\n' +
  Object.keys(ENVIRONMENT_VARIABLES)
    .map((k) => `  ${k}`)
    .join('\n') +
  '\n\nPrecedence: flags > environment > config file > defaults. Exit status: 0 ok, 1 failure, 2 usage or configuration. Docs: docs/operations.md';

export function buildCli(argv: string[]): Argv {
  return yargs(argv)
    .scriptName('ims-ingest')
    .usage("$0 <command> [options]\n\nLoads the IMS crawler's session folders into PostgreSQL (schema ims).")
    .options(flags(GLOBAL))
    .option('config', {
      type: 'string',
      description:
        'JSON or YAML config file (IMS_INGEST_CONFIG) [default: ./ims-ingest.config.{json,yaml,yml}, then $XDG_CONFIG_HOME/ims-ingest/config.*]',
    })
    .option('json', {
      type: 'boolean',
      description: 'print the result as JSON on stdout (watch: one JSON object per session)',
    })
    .command(
      'backfill <root>',
      "load every session folder under <root> (the crawler's data/ directory, a users/<name>/sessions directory, or one session folder)",
      (y) =>
        y
          .positional('root', { type: 'string', demandOption: true, description: 'directory to load' })
          .options(flags([...INGEST, 'retrySeconds', 'batchSize', 'metricsFile', 'acceptErrors']))
          .option('force', {
            type: 'boolean',
            description: 'reload sessions whose folder did not change since the last load',
          })
          .option('bulk', {
            choices: ['auto', 'on', 'off'] as const,
            default: 'auto' as const,
            description:
              'build secondary indexes after the load instead of during it (auto: when the dump is 4x the sessions the database holds, 20 or more; docs/performance.md)',
          })
          .option('dry-run', {
            type: 'boolean',
            description: 'read every file and report what would be loaded and what is wrong, without a database',
          })
          .example('$0 backfill /srv/crawler/data', 'load everything new or changed')
          .example('$0 backfill /srv/crawler/data --dry-run', 'check the files without loading them')
          .example(
            '$0 backfill data/ --metrics-file /var/lib/node_exporter/ims.prom',
            'from cron, with metrics for node_exporter',
          ),
      (args) => runBackfill(args as unknown as BackfillArgs),
    )
    .command(
      'watch <root>',
      'load every session under <root>, then keep loading sessions as the crawler writes them (a daemon)',
      (y) =>
        y
          .positional('root', {
            type: 'string',
            demandOption: true,
            description: 'directory to watch (as for backfill)',
          })
          .options(flags([...INGEST, 'settleSeconds', 'poll', 'metricsPort', 'metricsHost']))
          .option('dry-run', {
            type: 'boolean',
            description: 'the first pass only, read without a database: what would be loaded and what is wrong',
          })
          .example('$0 watch /srv/crawler/data --metrics-port 9464', 'the daemon, with Prometheus metrics'),
      (args) => runWatch(args as unknown as BackfillArgs),
    )
    .command(
      'status [root]',
      'what is loaded (sessions by user and state, last load, counts) and what is wrong (files that could not be loaded); with [root], also folders on disk not loaded yet. Exit 1 when something is wrong',
      (y) =>
        y
          .positional('root', { type: 'string', description: 'the crawler directory, to compare with what is loaded' })
          .example('$0 status /srv/crawler/data --json', ''),
      (args) =>
        withDatabase(args as GlobalArgs, async (db, config) => {
          await applyMigrations(db.pool);
          const report = await statusReport(db.pool, args.root, config.timezone);
          output((args as GlobalArgs).json, report, () => formatStatusReport(report));
          return statusHealthy(report) ? 0 : 1;
        }),
    )
    .command(
      'errors',
      'list the problems recorded in ims.session_errors, newest first',
      (y) =>
        y
          .option('since', {
            type: 'string',
            description: 'only problems that occurred at or after this date (e.g. 2026-01-31)',
          })
          .option('session', {
            type: 'string',
            description: 'only this session: its id, <user>/<folder> or folder name',
          })
          .option('severity', {
            choices: ['error', 'warning', 'info'],
            description: 'only this severity and worse [default: info]',
          })
          .example('$0 errors --since 2026-01-01 --severity error --json', ''),
      (args) =>
        withDatabase(args as GlobalArgs, async (db) => {
          await applyMigrations(db.pool);
          const rows = await listErrors(db.pool, {
            since: args.since as string | undefined,
            session: args.session as string | undefined,
            severity: args.severity as 'error' | undefined,
          });
          output((args as GlobalArgs).json, rows, () => formatErrors(rows));
          return 0;
        }),
    )
    .command(
      'config',
      'print the effective configuration: every setting, its value and where it came from (secrets masked)',
      (y) =>
        y.options(
          flags([
            ...INGEST,
            'settleSeconds',
            'poll',
            'metricsPort',
            'metricsHost',
            'metricsFile',
            'acceptErrors',
            'retrySeconds',
          ]),
        ),
      (args) =>
        withConfig(args as GlobalArgs, async () => {
          const report = configReport(args as GlobalArgs);
          output((args as GlobalArgs).json, report, () => formatConfigReport(report));
          return 0;
        }),
    )
    .command(
      'migrate',
      'create or upgrade the ims schema',
      (y) => y,
      (args) =>
        withDatabase(args as GlobalArgs, async (db, config) => {
          const result = await applyMigrations(db.pool);
          // Where an operator looks after a killed bulk backfill (docs/operations.md).
          const rebuilt = await restoreAbandonedIndexes(db.pool, config.concurrency, (m) =>
            log().warn(`migrate: ${m}`),
          );
          if (rebuilt.length)
            log().info(
              { indexes: rebuilt },
              `migrate: re-created ${rebuilt.length} indexes an interrupted bulk load had dropped`,
            );
          const warnings = searchLocaleWarnings(await searchLocale(db.pool));
          for (const w of warnings) log().warn(`migrate: warning: ${w}`);
          const text = result.applied.length ? `applied ${result.applied.join(', ')}` : 'schema is up to date';
          output(
            (args as GlobalArgs).json,
            { ...result, warnings },
            () => `migrate: ${text} (version ${result.current})`,
          );
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
          const started = performance.now();
          await refreshAnalytics(db.pool, config.timezone);
          const { rows } = await db.pool.query<{ daily: number; monthly: number }>(readSql('cli/analytics-rows.sql'));
          const result = {
            recomputed: true,
            timezone: config.timezone,
            analyticsDailyRows: rows[0].daily,
            analyticsMonthlyRows: rows[0].monthly,
            elapsedMs: Math.round(performance.now() - started),
          };
          output(
            (args as GlobalArgs).json,
            result,
            () =>
              `analytics: recomputed (${result.analyticsDailyRows} daily rows, ${result.analyticsMonthlyRows} monthly rows)`,
          );
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
          .positional('args', {
            type: 'string',
            array: true,
            description: 'db psql: arguments for psql, e.g. -c "select count(*) from ims.issues"',
          })
          .option('force', {
            type: 'boolean',
            default: false,
            description: 'db stop: stop even while other ims-ingest processes use the server',
          }),
      (args) =>
        withConfig(args as GlobalArgs, (config) =>
          dbCommand(args.action as DbAction, {
            dir: config.embeddedDir,
            rest: ((args.args ?? []) as unknown[]).map(String),
            force: Boolean(args.force),
            json: Boolean((args as GlobalArgs).json),
            keepServer: config.keepServer,
            elsewhere: config.databaseUrl !== undefined || config.pgHostSet,
            log: (line) => log().info(line),
          }),
        ),
    )
    .command(searchCommand())
    .completion('completion', 'print a bash/zsh completion script: ims-ingest completion >> ~/.bashrc')
    .demandCommand(
      1,
      'name a command: backfill, watch, status, errors, search, config, migrate, analytics, db (see --help)',
    )
    .recommendCommands()
    .strict()
    .example('$0 backfill fixtures/', 'load the sample crawl into the embedded PostgreSQL')
    .example('DATABASE_URL=postgresql://ims@db/ims $0 watch /srv/crawler/data', 'the daemon, on your own server')
    .example('$0 status', 'what is loaded and what is wrong')
    .example('$0 errors --severity error', 'every problem recorded')
    .epilogue(epilogue)
    .help()
    .alias('help', 'h')
    .version(VERSION)
    .alias('version', 'V')
    .fail((msg, err) => {
      if (err) throw err;
      process.stderr.write(maskSecrets(`ims-ingest: ${msg}\nRun 'ims-ingest --help' for usage.\n`));
      process.exit(2);
    })
    .wrap(Math.min(110, process.stdout.columns || 110));
}

if (require.main === module || process.argv[1]?.endsWith('ims-ingest')) {
  void buildCli(hideBin(process.argv)).parseAsync();
}
