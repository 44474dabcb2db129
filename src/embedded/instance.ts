import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { IngestError } from '../errors';
import { chooseBinaries, findBinaries, packageName, PgBinaries } from './binaries';
import { copyPackageBinaries } from './copy-binaries';
import { dropLease, liveLeases, takeLease } from './leases';
import { connectionUrl, Layout, layoutOf } from './layout';
import { withLock } from './lock';
import { prepareDatabase } from './ready';
import { Cluster, dataMajor, initCluster, serverState, ServerState, startCluster, stopCluster } from './server';
import { ServerUser, serverUser, unreachableDir } from './server-user';

/**
 * The embedded PostgreSQL as ims-ingest's commands see it: acquire (start or reuse, and take a
 * lease), release (drop the lease; the last one out stops the server unless it is to be kept),
 * and the `db` subcommands' start, stop and status. Every step that looks at or changes the
 * server's state runs under the instance lock.
 */

export interface EmbeddedOptions {
  /** The data root. */
  dir: string;
  /** Leave the server running when this handle is released (--keep-server). */
  keepServer?: boolean;
  log?: (line: string) => void;
  /** Durability off when this call starts the server: for throwaway test instances. */
  throwaway?: boolean;
  /** Environment for PostgreSQL's programs (PATH is also searched for binaries). */
  env?: NodeJS.ProcessEnv;
}

export interface EmbeddedServer {
  layout: Layout;
  /** Connection string of the `ims` database, port included. */
  url: string;
  release(): Promise<void>;
}

/** What `ims-ingest db status` shows. */
export interface EmbeddedStatus {
  dir: string;
  dataDir: string;
  initialized: boolean;
  major?: number;
  server: ServerState;
  url: string;
  logFile: string;
  keep: boolean;
  /** Pids of the ims-ingest processes using the server. */
  users: number[];
  binaries?: string;
  bindir?: string;
}

interface StateFile {
  binaries: string;
  bindir: string;
  version: string;
}

/** Starts the server or reuses a running one (also one orphaned by a killed process). */
export async function acquireEmbedded(options: EmbeddedOptions & { keep?: boolean }): Promise<EmbeddedServer> {
  const log = options.log ?? (() => undefined);
  const layout = await prepareRoot(options.dir);
  return withLock(
    layout.lockFile,
    async () => {
      const lease = await takeLease(layout.leasesDir);
      try {
        await ensureRunning(layout, options.env ?? process.env, log, options.throwaway ?? false);
        if (options.keep) await writeFile(layout.keepFile, `${new Date().toISOString()}\n`);
      } catch (err) {
        await dropLease(lease);
        await stopIfUnused(layout, options.keepServer ?? false).catch(() => undefined);
        throw err;
      }
      let released = false;
      return {
        layout,
        url: connectionUrl(layout, { port: true }),
        release: async () => {
          if (released) return;
          released = true;
          await withLock(layout.lockFile, async () => {
            await dropLease(lease);
            await stopIfUnused(layout, options.keepServer ?? false);
          });
        },
      };
    },
    {
      onWait: (holder) =>
        log(
          `ims-ingest: waiting for ${holder ? `ims-ingest pid ${holder.pid}` : 'another ims-ingest'} to start or stop the embedded PostgreSQL`,
        ),
    },
  );
}

/** `db start`: the server runs, and stays up after every ims-ingest has exited, until `db stop`. */
export async function keepEmbedded(options: EmbeddedOptions): Promise<Layout> {
  const server = await acquireEmbedded({ ...options, keep: true });
  await server.release();
  return server.layout;
}

/**
 * `db stop`: forgets `db start`, and stops the server unless other ims-ingest processes use it
 * (then it stops when the last of them exits) or `force`.
 */
export async function stopEmbedded(dir: string, force: boolean): Promise<{ stopped: boolean; users: number[] }> {
  const layout = embeddedLayout(dir);
  if (!existsSync(layout.root)) return { stopped: false, users: [] };
  return withLock(layout.lockFile, async () => {
    await rm(layout.keepFile, { force: true });
    const users = (await liveLeases(layout.leasesDir, { prune: true })).map((l) => l.holder.pid);
    if (users.length && !force) return { stopped: false, users };
    return { stopped: await stopCluster(layout), users };
  });
}

/** Looks without changing anything (no lock, no directory created). */
export async function embeddedStatus(dir: string): Promise<EmbeddedStatus> {
  const layout = embeddedLayout(dir);
  const major = dataMajor(layout);
  const state = readState(layout);
  return {
    dir: layout.root,
    dataDir: layout.dataDir,
    initialized: major !== undefined,
    major,
    server: serverState(layout),
    url: connectionUrl(layout),
    logFile: layout.logFile,
    keep: existsSync(layout.keepFile),
    users: (await liveLeases(layout.leasesDir)).map((l) => l.holder.pid),
    binaries: state?.binaries,
    bindir: state?.bindir,
  };
}

/** The bin directory the running cluster was started from (psql may be beside it). */
export function runningBindir(layout: Layout): string | undefined {
  return readState(layout)?.bindir;
}

async function ensureRunning(
  layout: Layout,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  throwaway: boolean,
): Promise<void> {
  if (serverState(layout).state !== 'running') {
    const user = serverUser(layout.dataDir);
    const blocked = unreachableDir(layout.root, user);
    if (blocked) {
      throw new IngestError(
        'EMBEDDED_FAILED',
        `PostgreSQL refuses to run as root, so it runs as ${user.name}, who cannot enter ${blocked}: ` +
          'choose a data directory it can reach with --embedded-dir or IMS_EMBEDDED_DIR (the default for root is /var/lib/ims-ingest)',
      );
    }
    const major = dataMajor(layout);
    if (major === undefined && existsSync(layout.dataDir)) {
      throw new IngestError(
        'EMBEDDED_FAILED',
        `${layout.dataDir} is not a PostgreSQL data directory (it has no PG_VERSION): move it away and run again`,
      );
    }
    const binaries = pickBinaries(env, major, log);
    const bindir = await runnableBindir(binaries, layout, user);
    const cluster: Cluster = { layout, user, env };
    if (major === undefined) {
      log(`ims-ingest: creating the embedded PostgreSQL in ${layout.root} (${binaries.label}, run as ${user.name})`);
      await initCluster(cluster, bindir, log);
    }
    await startCluster(cluster, bindir, { throwaway });
    const state: StateFile = { binaries: binaries.label, bindir, version: binaries.version };
    await writeFile(layout.stateFile, `${JSON.stringify(state)}\n`);
  }
  await prepareDatabase(layout);
}

function pickBinaries(env: NodeJS.ProcessEnv, major: number | undefined, log: (line: string) => void): PgBinaries {
  const choice = chooseBinaries(findBinaries({ dataMajor: major, pathVariable: env.PATH }), major);
  if (!choice.chosen) {
    throw new IngestError(
      'EMBEDDED_FAILED',
      choice.problem
        ? `cannot run the embedded PostgreSQL: ${choice.problem}`
        : `no PostgreSQL found to run (the optional package ${packageName() ?? 'for this platform'} is not installed, ` +
            'and no PostgreSQL 15+ is on this machine): set DATABASE_URL to use your own server, or install PostgreSQL (e.g. apt-get install postgresql)',
    );
  }
  if (choice.warning) log(`ims-ingest: warning: ${choice.warning}`);
  return choice.chosen;
}

async function runnableBindir(b: PgBinaries, layout: Layout, user: ServerUser): Promise<string> {
  if (b.kind === 'package') return copyPackageBinaries(b, layout.binRoot);
  const blocked = unreachableDir(b.bindir, user);
  if (blocked)
    throw new IngestError('EMBEDDED_FAILED', `${b.label}: the server user ${user.name} cannot enter ${blocked}`);
  return b.bindir;
}

async function stopIfUnused(layout: Layout, keepServer: boolean): Promise<void> {
  const live = await liveLeases(layout.leasesDir, { prune: true });
  if (live.length || keepServer || existsSync(layout.keepFile)) return;
  await stopCluster(layout);
}

/**
 * Creates the data root, private to its user. As root it also gets o+x (not o+r): the server
 * user must pass through it to reach its own directory and the copied binaries.
 */
async function prepareRoot(dir: string): Promise<Layout> {
  const layout = embeddedLayout(dir);
  const uid = process.getuid?.();
  try {
    await mkdir(layout.root, { recursive: true, mode: 0o700 });
    const info = await stat(layout.root);
    if (uid !== undefined && info.uid !== uid) {
      throw new IngestError(
        'EMBEDDED_FAILED',
        `${layout.root} belongs to uid ${info.uid}, not to this user: choose another --embedded-dir`,
      );
    }
    if (uid === 0 && (info.mode & 0o001) === 0) await chmod(layout.root, (info.mode & 0o7777) | 0o001);
    await mkdir(layout.leasesDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    if (err instanceof IngestError) throw err;
    throw new IngestError(
      'EMBEDDED_FAILED',
      `cannot prepare the embedded PostgreSQL's directory ${layout.root}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return layout;
}

function embeddedLayout(dir: string): Layout {
  return layoutOf(dir, { uid: process.getuid?.() ?? 0, tmpdir: tmpdir() });
}

function readState(layout: Layout): StateFile | undefined {
  try {
    return JSON.parse(readFileSync(layout.stateFile, 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
}
