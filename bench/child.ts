import { runDataFloor } from './data-floor';
import { runFloor } from './floor';
import { createPool, discoverSessions, ingestMany, loadSessions, poolSizeFor, refreshAnalytics } from './loader';
import { PerRowTransaction, runPerRow } from './per-row';
import { addRows, emptyResult, PeakRss, RunResult } from './result';

/**
 * One measured run in a process of its own, so its peak RSS is its own: started by
 * bench/main.ts with a JSON job as its only argument, it prints the RunResult as JSON on its
 * last line of stdout.
 */

/** What to measure; bench/main.ts adds the database (a fresh one per run) to make the Job. */
export type Work =
  | { mode: 'ingest'; root: string; concurrency: number; limit?: number; bulk?: 'auto' | 'on' | 'off' }
  | { mode: 'floor'; dir: string; concurrency: number }
  | { mode: 'data-floor'; dir: string }
  | { mode: 'per-row'; root: string; limit: number; transaction: PerRowTransaction };

export type Job = Work & { url: string };

async function ingest(job: Extract<Job, { mode: 'ingest' }>): Promise<RunResult> {
  const refs = (await discoverSessions(job.root)).slice(0, job.limit);
  // As the CLI sizes it (src/db/open.ts); builds before poolSizeFor used concurrency + 1.
  const pool = createPool({ connectionString: job.url, max: poolSizeFor?.(job.concurrency) ?? job.concurrency + 1 });
  const result = emptyResult();
  try {
    const started = performance.now();
    // force: every run loads every session, whatever an earlier run left behind.
    const options = {
      timezone: 'Asia/Seoul',
      defaultUser: 'unknown',
      concurrency: job.concurrency,
      force: true,
      bulk: job.bulk,
    };
    // What backfill runs (its bulk path included); builds before it had only ingestMany.
    const outcomes = await (loadSessions ?? ingestMany)(pool, refs, options);
    result.wallMs = performance.now() - started;
    for (const o of outcomes) {
      if (o.result !== 'ingested') result.failures.push(`${o.ref.identity}: ${o.failure ?? o.result}`);
      result.sessions++;
      result.files += o.staged;
      result.bytes += o.bytes;
      result.readMs += o.timings.readMs;
      result.copyMs += o.timings.copyMs;
      result.mergeMs += o.timings.mergeMs;
      addRows(result, o.rows);
    }
    const analyticsStart = performance.now();
    await refreshAnalytics(pool, 'Asia/Seoul');
    result.analyticsMs = performance.now() - analyticsStart;
  } finally {
    await pool.end();
  }
  return result;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  const rss = new PeakRss();
  const result =
    job.mode === 'ingest'
      ? await ingest(job)
      : job.mode === 'floor'
        ? await runFloor(job.url, job.dir, job.concurrency)
        : job.mode === 'data-floor'
          ? await runDataFloor(job.url, job.dir)
          : await runPerRow(job.url, job.root, job.limit, job.transaction);
  result.peakRssMb = rss.stop();
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench child: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
