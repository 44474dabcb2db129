import { BulkMode } from '../ingest/bulk-load';
import { statSync } from 'node:fs';
import { Config } from '../config';
import { applyMigrations } from '../db/migrate';
import { IngestError } from '../errors';
import { backfill, BackfillSummary } from '../ingest/backfill';
import { log } from '../log';
import { dryRun, dryRunSucceeded, formatDryRun } from './dry-run';
import { formatErrorList, openErrors, OpenError } from './errors-command';
import { backfillSucceeded, formatSummary } from './format';
import { checkMetricsPath, renderRunMetrics, writeMetricsFile } from './metrics-file';
import { Progress } from './progress';
import { GlobalArgs, interruptSignal, output, useDatabase, withConfig } from './run';

/**
 * `ims-ingest backfill <root>`. Exit 1 while any session under the root holds a file that
 * could not be loaded, also when the folder is unchanged since the run that found it: a cron
 * job keeps alerting until the file is fixed, unless --accept-errors says those are known.
 */

export interface BackfillArgs extends GlobalArgs {
  root: string;
  force?: boolean;
  dryRun?: boolean;
  bulk?: BulkMode;
}

/** Usage errors found before any work: a root that is not a directory, an unwritable metrics path. */
export function checkRoot(root: string): void {
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new IngestError(
      'CONFIG_INVALID',
      `${root}: ${code === 'ENOENT' ? 'no such directory' : (err as Error).message}`,
      { file: root },
    );
  }
  if (!isDir) throw new IngestError('CONFIG_INVALID', `${root}: not a directory`, { file: root });
}

export function newProgress(config: Config): Progress {
  return new Progress(Boolean(process.stderr.isTTY) && !config.quiet && config.logLevel !== 'silent');
}

export function runBackfill(args: BackfillArgs): Promise<void> {
  return withConfig(args, async (config) => {
    checkRoot(args.root);
    if (config.metricsFile) checkMetricsPath(config.metricsFile);
    if (args.dryRun) return runDryRun(args, config);
    return useDatabase(
      config,
      async (db) => {
        await applyMigrations(db.pool);
        const progress = newProgress(config);
        let summary: BackfillSummary;
        try {
          summary = await backfill(db.pool, args.root, {
            timezone: config.timezone,
            defaultUser: config.defaultUser,
            concurrency: config.concurrency,
            batchSessions: config.batchSize,
            force: Boolean(args.force),
            giveUpMs: config.retrySeconds * 1000,
            bulk: args.bulk,
            onIndexes: (message) => log().info(message),
            onIndexWarning: (message) => log().warn(message),
            signal: interruptSignal(),
            onStart: (refs) => progress.start(refs),
            onSession: (o) => progress.session(o),
            onRetry: (ref, attempt, err) => progress.retry(ref, attempt, err),
            onIgnored: (path, reason) => log().info({ file: path }, `ignored ${path}: ${reason}`),
          });
        } finally {
          progress.stop();
        }
        const covered = summary.outcomes.map((o) => o.ref.uuid);
        // After giving up on an unreachable database there is nobody to ask: the summary says why.
        const open = covered.length && !summary.gaveUp ? await openErrors(db.pool, covered) : [];
        for (const e of open)
          log().error(
            { session: e.session, file: e.file ?? undefined, error: e.error_key },
            `${e.file ?? e.session}: ${e.message}`,
          );
        const loaded = backfillSucceeded(summary);
        const code = loaded && (open.length === 0 || config.acceptErrors) ? 0 : 1;
        output(
          args.json,
          { ...summary, openErrors: open, exitCode: code },
          () => formatSummary(summary) + openErrorText(open, config.acceptErrors),
        );
        if (config.metricsFile) {
          const text = renderRunMetrics({
            outcomes: summary.outcomes,
            exitCode: code,
            openErrors: open.length,
            elapsedMs: summary.elapsedMs,
            finishedAt: Date.now(),
          });
          writeMetricsFile(config.metricsFile, text);
        }
        return code;
      },
      { waitForRestartMs: config.retrySeconds * 1000 },
    );
  });
}

function openErrorText(open: OpenError[], accepted: boolean): string {
  if (open.length === 0) return '';
  const how = accepted
    ? 'accepted (--accept-errors): not failing the run'
    : 'exit status 1 until they are fixed (or run with --accept-errors to accept them)';
  return `\nFiles that could not be loaded (${open.length}; ${how}):\n${formatErrorList(open)}`;
}

export async function runDryRun(args: BackfillArgs, config: Config): Promise<number> {
  const progress = newProgress(config);
  let report;
  try {
    report = await dryRun(
      args.root,
      config.defaultUser,
      (s, ref) =>
        progress.session({
          ref,
          result: s.failure ? 'failed' : 'ingested',
          status: s.readable > 0 ? 'completed' : 'failed',
          issueFiles: s.issueFiles,
          staged: s.readable,
          rejected: s.unreadable,
          errors: s.errors,
          warnings: s.warnings,
          rows: {},
          bytes: s.bytes,
          timings: { readMs: 0, copyMs: 0, mergeMs: 0, totalMs: 0 },
          failure: s.failure,
        }),
      (refs) => progress.start(refs),
    );
  } finally {
    progress.stop();
  }
  output(args.json, report, () => formatDryRun(report));
  return dryRunSucceeded(report) ? 0 : 1;
}
