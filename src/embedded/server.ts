import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestError } from '../errors';
import { Layout, PORT, SUPERUSER } from './layout';
import { pidExists } from './owner';
import { ServerUser } from './server-user';

/**
 * One cluster's life: initdb, start, stop, and whether it runs. The callers hold the instance
 * lock (lock.ts). Programs run as the server user (server-user.ts), in the server directory,
 * without libpq's PG* variables (a PGPORT or PGDATA meant for another server must not leak in).
 */

export interface Cluster {
  layout: Layout;
  user: ServerUser;
  /** The caller's environment, passed on to PostgreSQL's programs minus PG*. */
  env: NodeJS.ProcessEnv;
}

export type ServerState = { state: 'stopped' } | { state: 'stale'; pid: number } | { state: 'running'; pid: number };

/** Locales tried for initdb: a UTF-8 LC_CTYPE makes pg_trgm see Hangul as word characters. */
const LOCALES = ['C.UTF-8', 'en_US.UTF-8', 'C.utf8'];

/** Creates the cluster (superuser `postgres`, local trust) in a temporary directory renamed into place. */
export async function initCluster(c: Cluster, bindir: string, log: (line: string) => void): Promise<void> {
  await ensureOwnedDir(c, c.layout.serverDir);
  for (const name of await readdir(c.layout.serverDir)) {
    if (name.startsWith('data.init-')) await rm(join(c.layout.serverDir, name), { recursive: true, force: true });
  }
  const tmp = join(c.layout.serverDir, `data.init-${process.pid}`);
  let output = '';
  for (const locale of [...LOCALES, undefined]) {
    const r = await run(c, join(bindir, 'initdb'), [
      '-D',
      tmp,
      '-U',
      SUPERUSER,
      '-A',
      'trust',
      '-E',
      'UTF8',
      locale ? `--locale=${locale}` : '--no-locale',
    ]);
    if (r.code === 0) {
      if (!locale)
        log(
          'ims-ingest: no UTF-8 locale on this machine: the embedded PostgreSQL uses the C locale, where trigram search skips non-ASCII words',
        );
      await rename(tmp, c.layout.dataDir);
      return;
    }
    output = r.output;
    await rm(tmp, { recursive: true, force: true });
    if (!/locale/i.test(r.output)) break;
  }
  throw embeddedFailure(`initdb failed to create ${c.layout.dataDir}`, output);
}

/** Starts the cluster and waits until it accepts connections. */
export async function startCluster(c: Cluster, bindir: string, options: { throwaway?: boolean } = {}): Promise<void> {
  const { layout } = c;
  await ensureOwnedDir(c, layout.socketDir);
  await rotateLog(layout.logFile);
  const settings = [
    `-k ${shellQuote(layout.socketDir)}`,
    `-p ${PORT}`,
    "-c listen_addresses=''",
    '-c unix_socket_permissions=0700',
    ...(options.throwaway ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
  ].join(' ');
  for (let attempt = 1; ; attempt++) {
    await clearStale(layout);
    const r = await run(c, join(bindir, 'pg_ctl'), [
      'start',
      '-D',
      layout.dataDir,
      '-l',
      layout.logFile,
      '-w',
      '-t',
      '120',
      '-s',
      '-o',
      settings,
    ]);
    if (r.code === 0) break;
    // After a kill -9 of the postmaster its backends hold the shared memory for a moment.
    const transient = /still in use|already exists|another server might be running/i.test(
      r.output + logTail(layout.logFile, 5),
    );
    if (!transient || attempt >= 5) {
      throw embeddedFailure(
        `could not start the embedded PostgreSQL in ${layout.dataDir} (pg_ctl exited ${r.code ?? r.signal})`,
        r.output,
        layout.logFile,
      );
    }
    await sleep(1000 * attempt);
  }
}

/**
 * Fast shutdown (what `pg_ctl stop -m fast` does: SIGINT to the postmaster) without needing
 * the binaries, then immediate shutdown if it takes more than a minute. Returns false when
 * the server was not running.
 */
export async function stopCluster(layout: Layout): Promise<boolean> {
  const state = await clearStale(layout);
  if (state.state !== 'running') return false;
  for (const [signal, waitMs] of [
    ['SIGINT', 60_000],
    ['SIGQUIT', 15_000],
  ] as const) {
    try {
      process.kill(state.pid, signal);
    } catch {
      return true; // gone already
    }
    // The postmaster deletes postmaster.pid as its last act; its pid may linger as a zombie.
    for (const until = Date.now() + waitMs; Date.now() < until; await sleep(100)) {
      if (!existsSync(join(layout.dataDir, 'postmaster.pid')) || !pidExists(state.pid)) return true;
    }
  }
  throw embeddedFailure(`the embedded PostgreSQL (pid ${state.pid}) did not stop`, '', layout.logFile);
}

/** Whether the cluster runs: postmaster.pid names a live postmaster working in this data directory. */
export function serverState(layout: Layout): ServerState {
  let text: string;
  try {
    text = readFileSync(join(layout.dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return { state: 'stopped' };
  }
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return { state: 'stale', pid: 0 };
  return isPostmasterOf(pid, layout.dataDir) ? { state: 'running', pid } : { state: 'stale', pid };
}

/**
 * serverState, having deleted the postmaster.pid of a server killed with -9 (or before a reboot)
 * whose pid now belongs to another process: PostgreSQL would take that process for a running
 * server and refuse to start.
 */
async function clearStale(layout: Layout): Promise<ServerState> {
  const state = serverState(layout);
  if (state.state === 'stale') await unlink(join(layout.dataDir, 'postmaster.pid')).catch(() => undefined);
  return state;
}

function isPostmasterOf(pid: number, dataDir: string): boolean {
  if (!pidExists(pid)) return false;
  try {
    // Linux: the postmaster's working directory is its data directory.
    return readlinkSync(`/proc/${pid}/cwd`) === realpathSync(dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync('/proc/self')) return false;
  }
  // No /proc (macOS) or not allowed to look: trust a live process (pg_ctl does the same).
  return true;
}

/** PG_VERSION of an existing cluster; undefined when there is none. */
export function dataMajor(layout: Layout): number | undefined {
  try {
    return Number(readFileSync(join(layout.dataDir, 'PG_VERSION'), 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** The last lines of the server log, for error messages. */
function logTail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-8192).split('\n').filter(Boolean).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** An EMBEDDED_FAILED error carrying the program's output and the tail of the server log. */
export function embeddedFailure(what: string, output: string, logFile?: string): IngestError {
  const parts = [what];
  const out = output.trim().split('\n').slice(-10).join('\n');
  if (out) parts.push(out.replace(/^/gm, '  '));
  const tail = logFile ? logTail(logFile) : '';
  if (tail) parts.push(`last lines of ${logFile}:`, tail.replace(/^/gm, '  '));
  else if (logFile) parts.push(`(${logFile} is empty or missing)`);
  return new IngestError('EMBEDDED_FAILED', parts.join('\n'));
}

/**
 * A directory owned by the server user with mode 0700. In the shared temp directory (the
 * fallback for sockets) an existing one must already be exactly that: anyone can make names
 * there, and a directory planted by someone else would let them read the socket.
 */
async function ensureOwnedDir(c: Cluster, dir: string): Promise<void> {
  const existing = lstatSync(dir, { throwIfNoEntry: false });
  if (!existing) {
    await mkdir(dir, { mode: 0o700 });
  } else if (existing.isDirectory() && existing.uid === c.user.uid && (existing.mode & 0o077) === 0) {
    return;
  } else if (!existing.isDirectory() || !dir.startsWith(`${c.layout.root}/`)) {
    throw new IngestError(
      'EMBEDDED_FAILED',
      `refusing to use ${dir}: it must be a directory owned by ${c.user.name} with mode 0700`,
    );
  }
  // Ours to make right: new, or inside the data root (a cluster first made by another user).
  if (!c.user.self) await chown(dir, c.user.uid, c.user.gid);
  await chmod(dir, 0o700);
}

/** pg_ctl -l appends forever: past 10 MB the log moves to server.log.1. */
async function rotateLog(file: string): Promise<void> {
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  if (size > 10 * 1024 * 1024) await rename(file, `${file}.1`).catch(() => undefined);
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** `env` without libpq's PG* variables (see above), for PostgreSQL's programs and for psql. */
export function withoutPgVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('PG')));
}

/** Runs a PostgreSQL program as the server user and collects what it printed. */
function run(c: Cluster, file: string, args: string[]): Promise<RunResult> {
  const env = withoutPgVariables(c.env);
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(file, args, {
      cwd: c.layout.serverDir,
      env: c.user.self ? env : { ...env, HOME: c.layout.serverDir },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(c.user.self ? {} : { uid: c.user.uid, gid: c.user.gid }),
    });
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-16384);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err) => resolve({ code: null, signal: null, output: `${output}${err.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}
