import { Pool } from 'pg';
import { describeError } from '../errors';
import { log } from '../log';
import { withRetry } from '../db/pool';
import { writeBatch, WriteResult } from '../db/write-session';
import { legacyUuid } from '../files/crawl-copy';
import { SessionRef } from '../files/discover';
import {
  DEFAULT_GIVE_UP_MS,
  fillOutcome,
  ingestSession,
  IngestOptions,
  newOutcome,
  readSession,
  runRetry,
  SessionOutcome,
  sessionError,
  SessionRead,
} from './session';

/**
 * A backfill's sessions, merged many per transaction: each issue, comment and attachment the
 * batch holds is written once, not once per crawl that saw it, and the statements, the
 * ANALYZE and the commit are paid once per batch (docs/performance.md, change 15). The result is the same as loading the sessions one by one, in any
 * order (src/sql/merge/*.sql). `watch` loads one session per transaction, as it finds them.
 *
 * A batch is retried whole on a transient failure, like a session. Any other failure (a
 * document PostgreSQL refuses, a folder that cannot be read) rolls the batch back, and its
 * sessions are loaded one by one (src/ingest/session.ts), so the one responsible fails alone
 * (or only its refused files do) and the others load.
 */

export { DEFAULT_BATCH_SESSIONS } from '../config';

/**
 * `refs` cut into batches of at most `size` sessions, in order, in phases: a batch never holds
 * two copies of one crawl (the same session_uuid, or a migrated copy's former uuid), because
 * each copy's claim on the crawl's row looks at what the previous copy left
 * (src/db/crawl-copy.ts). A second copy goes to the next phase, which starts once every batch
 * of the phase before it is done, so copies load in the order they were found, as they would
 * one by one.
 */
export function planBatches(refs: SessionRef[], size: number): SessionRef[][][] {
  const phases: SessionRef[][][] = [];
  let rest = refs;
  while (rest.length > 0) {
    const seen = new Set<string>();
    const now: SessionRef[] = [];
    const later: SessionRef[] = [];
    for (const ref of rest) {
      const keys = [ref.uuid, legacyUuid(ref)].filter((k): k is string => k !== undefined);
      if (keys.some((k) => seen.has(k))) later.push(ref);
      else now.push(ref);
      for (const k of keys) seen.add(k);
    }
    const n = Math.max(1, Math.floor(size));
    const batches: SessionRef[][] = [];
    for (let i = 0; i < now.length; i += n) batches.push(now.slice(i, i + n));
    phases.push(batches);
    rest = later;
  }
  return phases;
}

/** Loads one batch: its outcomes, in the order of `refs`. */
export async function ingestBatch(pool: Pool, refs: SessionRef[], options: IngestOptions): Promise<SessionOutcome[]> {
  if (refs.length === 1) return [await ingestSession(pool, refs[0], options)];
  const started = performance.now();
  const outcomes = refs.map(newOutcome);
  const name = `${refs.length} sessions from ${refs[0].identity}`;
  try {
    const { reads, written } = await withRetry(
      () => loadBatchOnce(pool, refs, options),
      runRetry(options, name, (attempt, err) => options.onRetry?.(refs[0], attempt, err)),
    );
    reads.forEach((read, i) => fillOutcome(outcomes[i], read, written[i]));
  } catch (err) {
    const giveUpMs = options.signal?.aborted ? undefined : (options.giveUpMs ?? DEFAULT_GIVE_UP_MS);
    const error = sessionError(err, refs[0], giveUpMs);
    if (error.transient && error.code !== 'SESSION_FAILED') {
      // The database stayed away: no session of the batch is loaded, each says why.
      for (const o of outcomes) {
        o.error = sessionError(err, o.ref, giveUpMs);
        o.failure = o.error.message;
      }
      return finish(outcomes, started);
    }
    log().warn(
      { batch: name, error: describeError(err) },
      'batch not loaded as one transaction; loading its sessions one by one to isolate the failure',
    );
    const one: SessionOutcome[] = [];
    for (const ref of refs) {
      if (options.signal?.aborted) break;
      one.push(await ingestSession(pool, ref, options));
    }
    return one;
  }
  return finish(outcomes, started);
}

async function loadBatchOnce(
  pool: Pool,
  refs: SessionRef[],
  options: IngestOptions,
): Promise<{ reads: SessionRead[]; written: WriteResult[] }> {
  const reads: SessionRead[] = [];
  for (const ref of refs) reads.push(await readSession(ref, options));
  const written = await writeBatch(pool, reads, {
    timezone: options.timezone,
    force: options.force,
    claim: options.claim,
    mergeGate: options.mergeGate,
  });
  return { reads, written };
}

/** The batch's wall time, shared by its sessions in proportion to their files. */
function finish(outcomes: SessionOutcome[], started: number): SessionOutcome[] {
  const total = performance.now() - started;
  const files = outcomes.reduce((n, o) => n + o.issueFiles, 0);
  for (const o of outcomes) o.timings.totalMs = files > 0 ? (total * o.issueFiles) / files : total / outcomes.length;
  return outcomes;
}
