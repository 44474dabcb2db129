import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Which process holds a lock or a lease, written down so that another process can tell later
 * whether it still runs. A pid alone is not enough: after a `kill -9` the pid can be handed to
 * an unrelated process, so on Linux the process's start time (/proc/<pid>/stat, field 22)
 * is kept with it and must match too.
 */

export interface ProcessId {
  pid: number;
  /** Start time in clock ticks since boot (Linux); undefined where /proc is missing. */
  start?: string;
  host: string;
}

/** What the liveness check asks of the system; a parameter so that tests can stand in for it. */
export interface ProcessProbe {
  host: string;
  /** True when a process with this pid exists (including one of another user). */
  exists(pid: number): boolean;
  start(pid: number): string | undefined;
}

export const systemProbe: ProcessProbe = { host: hostname(), exists: pidExists, start: processStart };

/** This process. */
export function currentProcess(): ProcessId {
  return { pid: process.pid, start: processStart(process.pid), host: hostname() };
}

/**
 * False only when the process is known to be gone. A holder on another host (a data directory
 * on a network file system) cannot be checked and counts as alive.
 */
export function isAlive(id: ProcessId, probe: ProcessProbe = systemProbe): boolean {
  if (id.host !== probe.host) return true;
  if (!probe.exists(id.pid)) return false;
  if (id.start === undefined) return true;
  const start = probe.start(id.pid);
  return start === undefined || start === id.start;
}

/** Parses the JSON a lock or lease file holds; undefined when it is not a ProcessId. */
export function parseProcessId(text: string): ProcessId | undefined {
  try {
    const value = JSON.parse(text) as Partial<ProcessId>;
    if (typeof value?.pid !== 'number' || typeof value.host !== 'string') return undefined;
    return { pid: value.pid, start: typeof value.start === 'string' ? value.start : undefined, host: value.host };
  } catch {
    return undefined;
  }
}

/** True when a process with this pid runs (also one of another user); a zombie does not. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A process killed with -9 stays a zombie until its parent reaps it, and kill(pid, 0) still
  // succeeds on it: on Linux, look at its state (field 3 of /proc/<pid>/stat).
  const state = procStat(pid)?.[0];
  return state !== 'Z' && state !== 'X';
}

/** Fields 3 onwards of /proc/<pid>/stat; undefined without /proc. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command name) is in parentheses and may contain spaces and ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function processStart(pid: number): string | undefined {
  return procStat(pid)?.[19]; // field 22
}
