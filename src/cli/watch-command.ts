import { AddressInfo } from 'node:net';
import { Server } from 'node:http';
import { applyMigrations } from '../db/migrate';
import { IngestError } from '../errors';
import { Metrics, serveMetrics } from '../ingest/metrics';
import { SessionOutcome } from '../ingest/session';
import { runDaemon } from '../ingest/watch';
import { log } from '../log';
import { maskSecrets } from '../secrets';
import { BackfillArgs, checkRoot, newProgress, runDryRun } from './backfill-command';
import { interruptSignal, useDatabase, withConfig } from './run';

/**
 * `ims-ingest watch <root>`: the daemon. With --json, stdout carries one JSON object per
 * session handled (newline-delimited), for a log shipper or a script; logs stay on stderr.
 */

export function runWatch(args: BackfillArgs): Promise<void> {
  return withConfig(args, async (config) => {
    checkRoot(args.root);
    // --dry-run: the first pass read without writing; a daemon that writes nothing has no use.
    if (args.dryRun) return runDryRun(args, config);
    const metrics = new Metrics();
    const server = config.metricsPort !== undefined ? await listen(metrics, config.metricsPort) : undefined;
    if (server)
      log().info(
        { port: (server.address() as AddressInfo).port },
        `watch: metrics on http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
      );
    try {
      return await useDatabase(config, async (db) => {
        await applyMigrations(db.pool);
        const progress = newProgress(config);
        try {
          await runDaemon(db.pool, args.root, {
            timezone: config.timezone,
            defaultUser: config.defaultUser,
            concurrency: config.concurrency,
            settleSeconds: config.settleSeconds,
            poll: config.poll,
            signal: interruptSignal(),
            metrics,
            log: (line) => log().info(line),
            onStart: (refs) => progress.start(refs),
            onSession: (o) => {
              progress.session(o);
              if (args.json) process.stdout.write(maskSecrets(`${JSON.stringify(outcomeJson(o))}\n`));
            },
            onRetry: (ref, attempt, err) => progress.retry(ref, attempt, err),
          });
        } finally {
          progress.stop();
        }
        return 0;
      });
    } finally {
      server?.close();
    }
  });
}

async function listen(metrics: Metrics, port: number): Promise<Server> {
  try {
    return await serveMetrics(metrics, port);
  } catch (err) {
    throw new IngestError('CONFIG_INVALID', `cannot serve metrics on port ${port}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** A session's outcome as one JSON record (the ref's path and identity, not the whole ref). */
export function outcomeJson(o: SessionOutcome): Record<string, unknown> {
  const { ref, ...rest } = o;
  return { time: new Date().toISOString(), session: ref.identity, user: ref.user, path: ref.path, ...rest };
}
