import { randomBytes } from 'node:crypto';
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { currentProcess, isAlive, parseProcessId, ProcessId, ProcessProbe, systemProbe } from './owner';

/**
 * Who uses the embedded server: one lease file per open handle (`<pid>-<nonce>.json`, so one
 * process may hold several, as jest's global setup and a test file do). The server stops when
 * the last lease goes. A process killed with `kill -9` never removes its lease; a lease whose
 * process is gone counts for nothing and is deleted by whoever lists the leases next.
 * Leases are taken and counted only under the instance lock (lock.ts), so a process that is
 * starting to use the server and one that is about to stop it never miss each other.
 */

export interface Lease {
  file: string;
  holder: ProcessId;
}

/** Writes a lease for this process into `dir` (made with the data root, instance.ts); returns its file. */
export async function takeLease(dir: string): Promise<string> {
  const me = currentProcess();
  const file = join(dir, `${me.pid}-${randomBytes(4).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(me), { mode: 0o600 });
  return file;
}

export async function dropLease(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/**
 * The leases of live processes. With `prune` (only under the instance lock, where no lease is
 * half-written) those of dead processes are deleted on the way.
 */
export async function liveLeases(
  dir: string,
  options: { prune?: boolean; probe?: ProcessProbe } = {},
): Promise<Lease[]> {
  const { live, dead } = splitLeases(await readLeases(dir), options.probe ?? systemProbe);
  if (options.prune) await Promise.all(dead.map((l) => dropLease(l.file)));
  return live;
}

/** Live and dead leases; a file that does not name a process is dead. */
export function splitLeases(
  leases: Array<{ file: string; holder?: ProcessId }>,
  probe: ProcessProbe,
): { live: Lease[]; dead: Array<{ file: string }> } {
  const live: Lease[] = [];
  const dead: Array<{ file: string }> = [];
  for (const l of leases) {
    if (l.holder && isAlive(l.holder, probe)) live.push({ file: l.file, holder: l.holder });
    else dead.push(l);
  }
  return { live, dead };
}

async function readLeases(dir: string): Promise<Array<{ file: string; holder?: ProcessId }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return Promise.all(
    names
      .filter((n) => n.endsWith('.json'))
      .map(async (n) => {
        const file = join(dir, n);
        const text = await readFile(file, 'utf8').catch(() => '');
        return { file, holder: parseProcessId(text) };
      }),
  );
}
