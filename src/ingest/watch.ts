import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { Pool } from 'pg';
import { describeError, IngestError } from '../errors';
import { log } from '../log';
import { refreshAnalytics, refreshAnalyticsIfStale } from '../db/analytics';
import { restoreAbandonedIndexes } from '../db/deferred-indexes';
import { withRetry } from '../db/pool';
import { discoverSessions, SessionRef } from '../files/discover';
import type { BackfillOptions } from './backfill';
import { watchSessions } from '../files/watch-folders';
import { DatabaseHealth } from './db-health';
import { Metrics } from './metrics';
import { ingestSession, IngestOptions, SessionOutcome } from './session';
import { loadQueryHistory } from './query-history';

/**
 * `watch`: the daemon. The file watcher is live before the first pass over everything under the
 * root starts, so nothing written at any moment is missed; then each session folder is loaded
 * again whenever it has been quiet for settleSeconds after a change. A session is never loaded
 * twice at once by this process (a change during its load queues one more load after it) nor
 * by several (a claim in PostgreSQL: one that another process holds is looked at again once
 * released). The database going away is an outage to wait out, never a reason to stop or to
 * drop a session. Analytics are recomputed when the queue runs dry and they are stale.
 */

export interface DaemonOptions extends IngestOptions, Pick<BackfillOptions, 'onStart'> {
  concurrency: number;
  settleSeconds: number;
  poll?: boolean;
  signal: AbortSignal;
  metrics: Metrics;
  onSession: (o: SessionOutcome) => void;
}

// How soon a session held by another process, or failed for a transient reason, is tried again.
const REQUEUE_MS = 1000;
// How often an idle daemon checks that the database answers (for /readyz and the outage log).
const PING_MS = 5000;

export async function runDaemon(pool: Pool, root: string, options: DaemonOptions): Promise<void> {
  const { metrics, signal } = options;
  const health = options.health ?? new DatabaseHealth();
  metrics.health = health;
  const ingest: IngestOptions = { ...options, health, giveUpMs: Infinity, claim: 'skip' };
  const dbCall = <T>(what: string, work: () => Promise<T>) =>
    withRetry(work, {
      giveUpMs: Infinity,
      signal,
      onRetry: (_a, err, _d, kind) => kind !== 'contention' && health.failed(err, what),
      onSuccess: () => health.succeeded(),
    });

  if (!(await waitForRoot(root, signal))) return;

  const limit = pLimit(options.concurrency);
  const queued = new Set<string>();
  const again = new Map<string, SessionRef>();
  const tasks = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();

  const refreshIfIdle = async () => {
    if (queued.size > 0 || signal.aborted) return;
    try {
      if (await dbCall('analytics', () => refreshAnalyticsIfStale(pool, options.timezone)))
        log().info('analytics refreshed');
    } catch (err) {
      if (!signal.aborted) log().error({ error: describeError(err) }, 'analytics refresh failed');
    }
  };
  // The crawler rewrites the history whole after each crawl; a history entry can change what a
  // session says (its query, its end) without a session load, so analytics follow it.
  const loadHistory = async () => {
    if (signal.aborted) return;
    // Retried as every other call of the daemon: until the database is back or watch stops.
    const history = await loadQueryHistory(pool, root, { ...options, retry: { signal, giveUpMs: Infinity } });
    if (history.changed > 0) {
      try {
        await dbCall('analytics', () => refreshAnalytics(pool, options.timezone));
      } catch (err) {
        if (!signal.aborted) log().error({ error: describeError(err) }, 'analytics refresh failed');
      }
    }
  };
  // A backfill killed on its bulk path left secondary indexes dropped (bulk-load.ts): build them
  // before loading; a login that may not (not the tables' owner) says so and goes on.
  const restoreIndexes = async () => {
    try {
      const names = await dbCall('indexes', () =>
        restoreAbandonedIndexes(pool, options.concurrency, (m) => log().warn(m)),
      );
      if (names.length)
        log().info({ indexes: names }, `re-created ${names.length} indexes an interrupted bulk load had dropped`);
    } catch (err) {
      if (!signal.aborted)
        log().error({ error: describeError(err) }, 'indexes an interrupted bulk load dropped could not be re-created');
    }
  };
  const later = (ref: SessionRef) => {
    const t = setTimeout(() => {
      timers.delete(t);
      void load(ref);
    }, REQUEUE_MS);
    timers.add(t);
  };
  const load = (ref: SessionRef): Promise<void> | undefined => {
    if (signal.aborted) return undefined;
    if (queued.has(ref.identity)) {
      again.set(ref.identity, ref);
      return undefined;
    }
    queued.add(ref.identity);
    const task = limit(async () => {
      let retry = false;
      // Stopping: what still waits for a slot is not started (SIGTERM during a long first pass).
      if (signal.aborted) {
        queued.delete(ref.identity);
        return;
      }
      try {
        const o = await ingestSession(pool, ref, ingest);
        if (o.result === 'claimed') retry = true;
        else {
          metrics.record(o);
          options.onSession(o);
          retry = o.result === 'failed' && !!o.error?.transient;
        }
      } catch (err) {
        log().error({ session: ref.identity, error: describeError(err) }, 'session not loaded');
      } finally {
        queued.delete(ref.identity);
        const next = again.get(ref.identity);
        again.delete(ref.identity);
        if (next) void load(next);
        else if (retry && !signal.aborted) later(ref);
      }
      if (metrics.ready) await refreshIfIdle();
    });
    tasks.add(task);
    void task.finally(() => tasks.delete(task));
    return task;
  };

  const watcher = watchSessions(root, {
    settleMs: options.settleSeconds * 1000,
    poll: options.poll,
    onSettled: (ref) => void load(ref),
    // The query history is rewritten whole after each crawl: read again, then re-matched.
    onHistoryChanged: () => void loadHistory(),
    onError: (err) => log().warn({ error: describeError(err) }, 'file watcher error'),
  });
  // Running: what the limiter runs now; pending: changed and settling, changed again while
  // loading, or settled and waiting for a free slot.
  const gauge = setInterval(() => {
    metrics.running = limit.activeCount;
    metrics.pending = watcher.pending() + again.size + limit.pendingCount + timers.size;
  }, 1000);
  const ping = setInterval(() => {
    if (limit.activeCount > 0) return; // sessions under way report the database's state
    pool.query('SELECT 1').then(
      () => health.succeeded(),
      (err) => health.failed(err, 'ping'),
    );
  }, PING_MS);
  await watcher.ready;

  // The first pass, with the watcher already live: a folder changed during it is loaded again
  // once it settles (a file caught half-written included).
  await restoreIndexes();
  const refs = await firstPassRefs(root);
  options.onStart?.(refs);
  await Promise.all(refs.map((ref) => load(ref) ?? Promise.resolve()));
  await loadHistory();
  metrics.ready = true;
  log().info(
    { sessions: refs.length, root, settleSeconds: options.settleSeconds },
    `watch: first pass done (${refs.length} sessions); watching ${root} for changes`,
  );
  await refreshIfIdle();

  await new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
  clearInterval(gauge);
  clearInterval(ping);
  for (const t of timers) clearTimeout(t);
  await watcher.close();
  log().info({ running: queued.size }, `watch: stopping; waiting for ${queued.size} session(s) under way`);
  while (tasks.size > 0) await Promise.all([...tasks]);
}

/** Sessions under the root now; none (not an error) while the crawler has written nothing yet. */
async function firstPassRefs(root: string): Promise<SessionRef[]> {
  try {
    return await discoverSessions(root);
  } catch (err) {
    if (err instanceof IngestError && err.code === 'LAYOUT_UNKNOWN') {
      log().warn({ root }, `watch: no session under ${root} yet; waiting for the crawler's first session`);
      return [];
    }
    throw err;
  }
}

/** Waits for `root` to exist (the crawler creates it on its first run); false when stopped first. */
async function waitForRoot(root: string, signal: AbortSignal): Promise<boolean> {
  if (existsSync(root)) return true;
  log().warn({ root }, `watch: ${root} does not exist yet; waiting for the crawler to create it`);
  while (!existsSync(root)) {
    try {
      await sleep(1000, undefined, { signal });
    } catch {
      return false;
    }
  }
  return true;
}
