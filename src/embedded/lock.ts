import { randomBytes } from 'node:crypto';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestError } from '../errors';
import { currentProcess, isAlive, parseProcessId, ProcessId, ProcessProbe, systemProbe } from './owner';

/**
 * An exclusive lock between ims-ingest processes around initdb, start and stop: a file created
 * with O_EXCL that names its holder. A holder killed with `kill -9` leaves the file behind;
 * the next process sees that the holder is gone and breaks the lock.
 *
 * Breaking is the delicate part: two waiters may both see the same dead holder, and the first
 * to delete the file may take the lock at once, so the second must not delete blindly. A
 * breaker therefore takes a second O_EXCL file (`<lock>.break`, held for microseconds) and
 * deletes the lock only if it still holds the very text it judged stale.
 */

/** A `.break` file older than this was left by a process that died while breaking. */
const BREAK_STALE_MS = 10_000;
/** A lock file still empty after this was left by a process that died between open and write. */
const UNWRITTEN_STALE_MS = 10_000;

export interface LockOptions {
  /** How long to wait for a live holder; default 3 minutes (an initdb on a slow disk). */
  timeoutMs?: number;
  /** Told once when the lock has been busy for a second, with its holder when the file names one. */
  onWait?: (holder: ProcessId | undefined) => void;
  probe?: ProcessProbe;
}

/** What a lock file holds, as seen at one moment. */
export interface HeldLock {
  text: string;
  holder?: ProcessId;
  ageMs: number;
}

/** Runs `work` while holding the lock `file`. */
export async function withLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const token = await acquireLock(file, options);
  try {
    return await work();
  } finally {
    await releaseLock(file, token);
  }
}

/** Waits for and takes the lock; returns the token that releases it. */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<string> {
  const probe = options.probe ?? systemProbe;
  const token = JSON.stringify({ ...currentProcess(), nonce: randomBytes(6).toString('hex') });
  const timeoutMs = options.timeoutMs ?? 180_000;
  const began = Date.now();
  const deadline = began + timeoutMs;
  let told = false;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    if (await createExclusive(file, token)) return token;
    const held = await readLock(file);
    if (!held) continue; // released between our attempt and the read
    if (isStale(held, probe)) {
      await breakLock(file, held.text, token);
      continue;
    }
    if (Date.now() > deadline) {
      throw new IngestError(
        'EMBEDDED_FAILED',
        `gave up after ${Math.round(timeoutMs / 1000)}s waiting for the lock ${file}, held by ${describeHolder(held)}`,
      );
    }
    if (!told && Date.now() - began >= 1000) {
      told = true;
      options.onWait?.(held.holder);
    }
    await sleep(delay);
  }
}

/** Releases the lock if it is still ours. */
export async function releaseLock(file: string, token: string): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === token) await unlink(file).catch(() => undefined);
}

/** True when the holder is known to be gone, or never wrote its name and the file is old. */
export function isStale(held: HeldLock, probe: ProcessProbe = systemProbe): boolean {
  if (held.holder) return !isAlive(held.holder, probe);
  return held.ageMs > UNWRITTEN_STALE_MS;
}

async function readLock(file: string): Promise<HeldLock | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, holder: parseProcessId(text), ageMs: Date.now() - info.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new IngestError('EMBEDDED_FAILED', `cannot read the lock ${file}: ${(err as Error).message}`, { cause: err });
  }
}

async function createExclusive(file: string, text: string): Promise<boolean> {
  try {
    await writeFile(file, text, { flag: 'wx', mode: 0o600 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new IngestError('EMBEDDED_FAILED', `cannot create the lock ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

async function breakLock(file: string, staleText: string, token: string): Promise<void> {
  const breaker = `${file}.break`;
  if (!(await createExclusive(breaker, token))) {
    const other = await readLock(breaker);
    if (other && other.ageMs > BREAK_STALE_MS) await unlink(breaker).catch(() => undefined);
    await sleep(20);
    return;
  }
  try {
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now === staleText) await unlink(file).catch(() => undefined);
  } finally {
    await unlink(breaker).catch(() => undefined);
  }
}

function describeHolder(held: HeldLock): string {
  if (!held.holder) return 'a process that has not written its name yet';
  const where = held.holder.host === systemProbe.host ? '' : ` on ${held.holder.host}`;
  return `ims-ingest pid ${held.holder.pid}${where} (for ${Math.round(held.ageMs / 1000)}s)`;
}
