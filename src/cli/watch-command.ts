import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { existsSync } from 'node:fs';
import { Config } from '../config';
import { openDatabase } from '../db/open';
import { applyMigrations } from '../db/migrate';
import { withRetry } from '../db/pool';
import { IngestError } from '../errors';
import { Metrics, serveMetrics } from '../ingest/metrics';
import { SessionOutcome } from '../ingest/session';
import { runDaemon } from '../ingest/watch';
import { log } from '../log';
import { maskSecrets } from '../secrets';
import { BackfillArgs, checkRoot, newProgress, runDryRun } from './backfill-command';
import { interruptSignal, withConfig } from './run';

/**
 * `ims-ingest watch <root>`: the daemon. The health endpoints come up first, so that /healthz
 * answers and /readyz says why not while the daemon waits for a database that is not up yet;
 * then the database (waited for, never given up on), the migrations, the daemon. A root that
 * does not exist yet is waited for (the crawler creates it on its first run).
 * With --json, stdout carries one JSON object per session handled (newline-delimited), for a
 * log shipper or a script; logs stay on stderr.
 */

export function runWatch(args: BackfillArgs): Promise<void> {
  return withConfig(args, async (config) => {
    // A root that does not exist yet is waited for, except by --dry-run, which reads it once.
    if (args.dryRun || existsSync(args.root)) checkRoot(args.root);
    // --dry-run: the first pass read without writing; a daemon that writes nothing has no use.
    if (args.dryRun) return runDryRun(args, config);
    const signal = interruptSignal();
    const metrics = new Metrics();
    const health = metrics.health;
    const server = config.metricsPort !== undefined ? await listen(metrics, config) : undefined;
    if (server) {
      const url = `http://${config.metricsHost}:${(server.address() as AddressInfo).port}`;
      log().info({ url }, `watch: metrics on ${url}/metrics (and /healthz, /readyz)`);
    }
    try {
      const db = await openDatabase(config, (line) => log().info(line), { waitForServer: true, signal, health });
      const progress = newProgress(config);
      try {
        await withRetry(() => applyMigrations(db.pool), {
          giveUpMs: Infinity,
          signal,
          onRetry: (_a, err, _d, kind) => kind !== 'contention' && health.failed(err, 'migrate'),
          onSuccess: () => health.succeeded(),
        });
        await runDaemon(db.pool, args.root, {
          timezone: config.timezone,
          defaultUser: config.defaultUser,
          concurrency: config.concurrency,
          settleSeconds: config.settleSeconds,
          poll: config.poll,
          signal,
          metrics,
          health,
          onStart: (refs) => progress.start(refs),
          onSession: (o) => {
            progress.session(o);
            if (args.json) process.stdout.write(maskSecrets(`${JSON.stringify(outcomeJson(o))}\n`));
          },
          onRetry: (ref, attempt, err) => progress.retry(ref, attempt, err),
        });
      } finally {
        progress.stop();
        await db.close().catch(() => undefined);
      }
    } finally {
      server?.close();
    }
    return 0;
  });
}

async function listen(metrics: Metrics, config: Config): Promise<Server> {
  try {
    return await serveMetrics(metrics, config.metricsPort ?? 0, config.metricsHost);
  } catch (err) {
    throw new IngestError(
      'CONFIG_INVALID',
      `cannot serve metrics on ${config.metricsHost}:${config.metricsPort}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** A session's outcome as one JSON record (the ref's path and identity, not the whole ref). */
function outcomeJson(o: SessionOutcome): Record<string, unknown> {
  const { ref, ...rest } = o;
  return { time: new Date().toISOString(), session: ref.identity, user: ref.user, path: ref.path, ...rest };
}
