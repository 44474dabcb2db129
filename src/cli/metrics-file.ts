import { accessSync, constants, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IngestError } from '../errors';
import { Metrics, renderFamilies } from '../ingest/metrics';
import { SessionOutcome } from '../ingest/session';

/**
 * `backfill --metrics-file PATH`: the run's final metrics in the Prometheus text format, for
 * node_exporter's textfile collector (--collector.textfile.directory). The same names as
 * `watch`'s /metrics, plus what only a finished run knows. Written to a temporary file in the
 * same directory and renamed over PATH, so the collector never reads half a file.
 */

export interface RunFacts {
  outcomes: SessionOutcome[];
  exitCode: number;
  openErrors: number;
  elapsedMs: number;
  finishedAt: number;
}

export function renderRunMetrics(run: RunFacts): string {
  const metrics = new Metrics();
  for (const o of run.outcomes) metrics.record(o);
  const extra = renderFamilies([
    [
      'ims_ingest_backfill_last_run_timestamp_seconds',
      'gauge',
      'When this backfill finished.',
      (run.finishedAt / 1000).toFixed(0),
    ],
    ['ims_ingest_backfill_duration_seconds', 'gauge', 'How long this backfill ran.', (run.elapsedMs / 1000).toFixed(3)],
    ['ims_ingest_backfill_exit_code', 'gauge', 'Exit status of this backfill (0 ok, 1 failure).', run.exitCode],
    [
      'ims_ingest_open_errors',
      'gauge',
      'Files that could not be loaded, in the sessions this backfill covers.',
      run.openErrors,
    ],
  ]);
  return `${metrics.render()}${extra}`;
}

export function writeMetricsFile(path: string, text: string): void {
  // A dot-name: the textfile collector reads only *.prom, so the temporary file is never read.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write the metrics file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Before the run: the file's directory must exist and be writable (else exit 2, not after an hour of loading). */
export function checkMetricsPath(path: string): void {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (err) {
    throw new IngestError(
      'CONFIG_INVALID',
      `metrics file ${path}: its directory is not writable (${(err as Error).message})`,
      { file: path, cause: err },
    );
  }
}
