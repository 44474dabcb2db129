import { AddressInfo } from 'node:net';
import { Config } from '../config';
import { openDatabase } from '../db/open';
import { applyMigrations } from '../db/migrate';
import { withRetry } from '../db/pool';
import { Metrics, serveMetrics } from '../ingest/metrics';
import { SessionOutcome } from '../ingest/session';
import { runDaemon } from '../ingest/watch';
import { SessionRef } from '../files/discover';

/**
 * `ims-ingest watch`: the health endpoints come up first, so that /healthz answers and
 * /readyz says why not while the daemon waits for a database that is not up yet; then the
 * database (waited for, never given up on), the migrations, the daemon.
 */

export interface WatchCommandOptions {
  root: string;
  poll: boolean;
  metricsPort?: number;
  signal: AbortSignal;
  log: (line: string) => void;
  onSession: (o: SessionOutcome) => void;
  onRetry: (ref: SessionRef, attempt: number, err: unknown) => void;
}

export async function watchCommand(config: Config, o: WatchCommandOptions): Promise<number> {
  const metrics = new Metrics();
  const health = metrics.health;
  const server = o.metricsPort !== undefined ? await serveMetrics(metrics, o.metricsPort, config.metricsHost) : undefined;
  if (server) o.log(`watch: metrics on http://${config.metricsHost}:${(server.address() as AddressInfo).port}/metrics (and /healthz, /readyz)`);
  try {
    const db = await openDatabase(config, o.log, { waitForServer: true, signal: o.signal, health });
    try {
      await withRetry(() => applyMigrations(db.pool), {
        giveUpMs: Infinity,
        signal: o.signal,
        onRetry: (_a, err, _d, kind) => kind !== 'contention' && health.failed(err, 'migrate'),
        onSuccess: () => health.succeeded(),
      });
      await runDaemon(db.pool, o.root, {
        timezone: config.timezone,
        defaultUser: config.defaultUser,
        concurrency: config.concurrency,
        settleSeconds: config.settleSeconds,
        poll: o.poll,
        signal: o.signal,
        metrics,
        health,
        onSession: o.onSession,
        onRetry: o.onRetry,
      });
    } finally {
      await db.close().catch(() => undefined);
    }
  } finally {
    server?.close();
  }
  return 0;
}
