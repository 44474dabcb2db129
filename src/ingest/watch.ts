import pLimit from 'p-limit';
import { Pool } from 'pg';
import { describeError } from '../errors';
import { backfill, BackfillOptions, refreshAnalytics } from './backfill';
import { SessionRef } from '../files/discover';
import { ingestSession, IngestOptions, SessionOutcome } from './session';
import { watchSessions } from '../files/watch-folders';
import { Metrics } from './metrics';
import { loadQueryHistory } from '../db/query-history';

/**
 * `watch`: a first pass over everything under the root (unchanged folders are skipped), then
 * each session folder again whenever it has been quiet for settleSeconds after a change.
 * A session is never loaded twice at once: a change that arrives during its load queues one
 * more load after it. Analytics are recomputed when the queue runs dry.
 */

export interface DaemonOptions extends IngestOptions, Pick<BackfillOptions, 'onStart'> {
  concurrency: number;
  settleSeconds: number;
  poll?: boolean;
  signal: AbortSignal;
  metrics: Metrics;
  log: (line: string) => void;
  onSession: (o: SessionOutcome) => void;
}

export async function runDaemon(pool: Pool, root: string, options: DaemonOptions): Promise<void> {
  const { metrics, log } = options;
  const record = (o: SessionOutcome) => {
    metrics.record(o);
    options.onSession(o);
  };

  const first = await backfill(pool, root, { ...options, onSession: record });
  log(`watch: first pass done (${first.found} sessions); watching ${root} for changes (settle ${options.settleSeconds}s)`);
  if (options.signal.aborted) return;

  const limit = pLimit(options.concurrency);
  const running = new Set<string>();
  const again = new Map<string, SessionRef>();
  const tasks = new Set<Promise<void>>();
  let changedSinceRefresh = false;

  const load = (ref: SessionRef): void => {
    if (options.signal.aborted) return;
    if (running.has(ref.identity)) {
      again.set(ref.identity, ref);
      return;
    }
    running.add(ref.identity);
    const task = limit(async () => {
      try {
        const o = await ingestSession(pool, ref, options);
        record(o);
        if (o.result === 'ingested') changedSinceRefresh = true;
      } catch (err) {
        log(`watch: ${ref.identity}: ${describeError(err)}`);
      } finally {
        running.delete(ref.identity);
        const next = again.get(ref.identity);
        if (next) {
          again.delete(ref.identity);
          load(next);
        } else if (running.size === 0 && changedSinceRefresh) {
          changedSinceRefresh = false;
          await refreshAnalytics(pool, options.timezone).catch((err) => log(`watch: analytics: ${describeError(err)}`));
        }
      }
    });
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
  };

  const watcher = watchSessions(root, {
    settleMs: options.settleSeconds * 1000,
    poll: options.poll,
    onSettled: load,
    // The query history is rewritten whole after each crawl: read again, then re-matched.
    onHistoryChanged: () =>
      void loadQueryHistory(pool, root, options)
        .then((h) => (h.changed > 0 ? refreshAnalytics(pool, options.timezone) : undefined))
        .catch((err) => log(`watch: history: ${describeError(err)}`)),
    onError: (err) => log(`watch: ${describeError(err)}`),
  });
  // Running: what the limiter runs now; pending: changed and settling, changed again while
  // loading, or settled and waiting for a free slot (`running` above holds those too).
  const gauge = setInterval(() => {
    metrics.running = limit.activeCount;
    metrics.pending = watcher.pending() + again.size + limit.pendingCount;
  }, 1000);
  await watcher.ready;

  await new Promise<void>((done) => {
    if (options.signal.aborted) done();
    else options.signal.addEventListener('abort', () => done(), { once: true });
  });
  clearInterval(gauge);
  await watcher.close();
  log(`watch: stopping; waiting for ${running.size} session(s) under way`);
  while (tasks.size > 0) await Promise.all([...tasks]);
}
