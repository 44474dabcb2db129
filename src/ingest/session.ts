import { Pool } from 'pg';
import { describeError, IngestError, IngestErrorCode } from '../errors';
import { RetryOptions, withRetry } from '../db/pool';
import { isRefusedData, transientKind } from '../db/transient';
import { writeSession, WriteOptions, WriteResult } from '../db/write-session';
import { SessionRef } from '../files/discover';
import { DatabaseHealth } from './db-health';
import { readSession, SessionRead } from './read-session';

export { readSession } from './read-session';
export type { SessionRead, ReadOptions } from './read-session';
export { writeSession } from '../db/write-session';
export type { SessionRows, WriteOptions, WriteResult } from '../db/write-session';

/**
 * Ingesting one session folder: readSession (files -> rows) and writeSession (rows -> database,
 * one transaction), retried whole on a transient failure (re-reading the files is cheap, and a
 * retry sees the folder as it is then). A document PostgreSQL refuses fails only its file.
 */

export interface IngestOptions {
  timezone: string;
  defaultUser: string;
  /** Ingest even when the folder is unchanged since its last ingest. */
  force?: boolean;
  /** What to do when another process is loading the session (default 'skip'; see WriteOptions). */
  claim?: WriteOptions['claim'];
  /** Give up once the database has been unreachable this long (default 180 s; Infinity: never). */
  giveUpMs?: number;
  /** Stops retrying (the session fails with its last error). */
  signal?: AbortSignal;
  /** Shared by the sessions of a run: logs outages once and times the retry budget. */
  health?: DatabaseHealth;
  /** When a staged batch may merge (WriteOptions.mergeGate). */
  mergeGate?: WriteOptions['mergeGate'];
  onRetry?: (ref: SessionRef, attempt: number, err: unknown) => void;
}

/** Why a session failed, with a code a script can match on. */
export interface SessionError {
  code: IngestErrorCode;
  message: string;
  /** True when the same session may load later (the database was unreachable, a collision). */
  transient: boolean;
  /** PostgreSQL's SQLSTATE or Node's errno, when there is one. */
  cause?: string;
}

export interface SessionOutcome {
  ref: SessionRef;
  /** 'claimed': another ims-ingest process was loading it (claim 'skip'). */
  result: 'ingested' | 'unchanged' | 'claimed' | 'failed';
  status?: 'completed' | 'failed';
  sessionId?: string;
  issueFiles: number;
  staged: number;
  rejected: number;
  errors: number;
  warnings: number;
  /** Rows written per merge step (see src/sql/merge). */
  rows: Record<string, number>;
  timings: { readMs: number; copyMs: number; mergeMs: number; totalMs: number };
  bytes: number;
  /** Why the session failed (result 'failed'), as one line. */
  failure?: string;
  error?: SessionError;
}

export const DEFAULT_GIVE_UP_MS = 180_000;

/**
 * The retry budget of a run's database calls: an outage (as options.health has seen it, from
 * any call) is given up on after giveUpMs, contention after 10 attempts.
 */
export function runRetry(
  options: IngestOptions,
  where: string,
  onRetry?: (attempt: number, err: unknown) => void,
): RetryOptions {
  const giveUpMs = options.giveUpMs ?? DEFAULT_GIVE_UP_MS;
  return {
    signal: options.signal,
    onRetry: (attempt, err, _delay, kind) => {
      if (kind !== 'contention') options.health?.failed(err, where);
      onRetry?.(attempt, err);
    },
    onSuccess: () => options.health?.succeeded(),
    giveUp: (err, attempt, failingFor) =>
      transientKind(err) === 'contention'
        ? attempt >= 10
        : Math.max(failingFor, options.health?.downForMs() ?? 0) >= giveUpMs,
  };
}

export async function ingestSession(pool: Pool, ref: SessionRef, options: IngestOptions): Promise<SessionOutcome> {
  const started = performance.now();
  const outcome = newOutcome(ref);
  const giveUpMs = options.giveUpMs ?? DEFAULT_GIVE_UP_MS;
  try {
    const { read, written } = await withRetry(
      () => loadOnce(pool, ref, options),
      runRetry(options, ref.identity, (attempt, err) => options.onRetry?.(ref, attempt, err)),
    );
    fillOutcome(outcome, read, written);
  } catch (err) {
    outcome.result = 'failed';
    outcome.error = sessionError(err, ref, options.signal?.aborted ? undefined : giveUpMs);
    outcome.failure = outcome.error.message;
  } finally {
    outcome.timings.totalMs = performance.now() - started;
  }
  return outcome;
}

/** What a session's read and write say, in its outcome. */
export function fillOutcome(outcome: SessionOutcome, read: SessionRead, written: WriteResult): void {
  outcome.issueFiles = read.contents.issueFiles.length;
  outcome.result = written.result;
  if (written.result !== 'ingested') return;
  Object.assign(outcome, {
    status: read.stats.staged > 0 ? 'completed' : 'failed',
    sessionId: written.sessionId,
    staged: read.stats.staged,
    rejected: read.stats.rejected - (read.stats.loginExpired ?? 0),
    errors: read.problems.errors,
    warnings: read.problems.warnings,
    rows: written.rows,
    bytes: read.stats.bytes,
  });
  outcome.timings.readMs = read.stats.readMs;
  outcome.timings.copyMs = written.copyMs - read.stats.readMs;
  outcome.timings.mergeMs = written.mergeMs;
}

/** An outcome with nothing done yet. */
export function newOutcome(ref: SessionRef): SessionOutcome {
  return {
    ref,
    result: 'failed',
    issueFiles: 0,
    staged: 0,
    rejected: 0,
    errors: 0,
    warnings: 0,
    rows: {},
    timings: { readMs: 0, copyMs: 0, mergeMs: 0, totalMs: 0 },
    bytes: 0,
  };
}

/** One attempt: read, write; when PostgreSQL refuses a document, find its file(s) and load the rest. */
async function loadOnce(
  pool: Pool,
  ref: SessionRef,
  options: IngestOptions,
): Promise<{ read: SessionRead; written: WriteResult }> {
  const write = {
    timezone: options.timezone,
    force: options.force,
    claim: options.claim,
    mergeGate: options.mergeGate,
  };
  const read = await readSession(ref, options);
  try {
    return { read, written: await writeSession(pool, read, write) };
  } catch (err) {
    if (!isRefusedData(err) || err instanceof IngestError) throw err;
    const refused = await refusedFiles(
      pool,
      ref,
      options,
      read.contents.issueFiles.map((f) => f.relPath),
    );
    if (refused.size === 0) throw err;
    const again = await readSession(ref, { ...options, exclude: refused });
    return { read: again, written: await writeSession(pool, again, write) };
  }
}

/**
 * The files whose documents PostgreSQL refuses, found by bisection: each probe stages and merges
 * a subset of the files and rolls back. log2(files) probes per bad file; this runs only after a
 * session has been refused, which a well-formed dump never is.
 */
async function refusedFiles(
  pool: Pool,
  ref: SessionRef,
  options: IngestOptions,
  all: string[],
): Promise<Map<string, string>> {
  const probe = async (subset: string[]): Promise<string | undefined> => {
    const keep = new Set(subset);
    const exclude = new Map(all.filter((f) => !keep.has(f)).map((f) => [f, 'probe']));
    const read = await readSession(ref, { ...options, exclude });
    try {
      await writeSession(pool, read, { timezone: options.timezone, force: true, claim: 'none', rollback: true });
      return undefined;
    } catch (err) {
      if (!isRefusedData(err)) throw err;
      return describeError(err);
    }
  };
  const found = new Map<string, string>();
  // Refused without any issue file: the cause is elsewhere (a download), not a file to set aside.
  if ((await probe([])) !== undefined) return found;
  const bisect = async (files: string[], known?: string): Promise<void> => {
    const why = known ?? (await probe(files));
    if (why === undefined) return;
    if (files.length === 1) {
      found.set(files[0], why);
      return;
    }
    const mid = files.length >> 1;
    await bisect(files.slice(0, mid));
    await bisect(files.slice(mid));
  };
  await bisect(all, 'refused');
  return found;
}

/** The error of a failed session, keeping its code across the session boundary. */
export function sessionError(err: unknown, ref: SessionRef, giveUpMs?: number): SessionError {
  const kind = transientKind(err);
  const raw = (err as { code?: unknown } | null)?.code;
  const cause = typeof raw === 'string' && !(err instanceof IngestError) ? raw : undefined;
  if (err instanceof IngestError) return { code: err.code, message: err.message, transient: kind !== undefined, cause };
  const text = `${ref.identity}: ${describeError(err)}`;
  if (kind === 'connection' || kind === 'timeout') {
    const code = kind === 'timeout' ? 'TIMEOUT' : 'CONNECTION_LOST';
    const why =
      giveUpMs === undefined
        ? 'interrupted while retrying'
        : `gave up after ${Math.round(giveUpMs / 1000)}s of retries`;
    return { code, message: `${text} (database unreachable; ${why})`, transient: true, cause };
  }
  if (kind === 'contention') return { code: 'SESSION_FAILED', message: text, transient: true, cause };
  if (isRefusedData(err)) return { code: 'DATA_REJECTED', message: text, transient: false, cause };
  return { code: 'SESSION_FAILED', message: text, transient: false, cause };
}
