import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * Where the embedded PostgreSQL keeps its things, all under one data root:
 *
 *   <root>/lock            O_EXCL lock around initdb, start and stop (lock.ts)
 *   <root>/leases/         one file per ims-ingest handle using the server (leases.ts)
 *   <root>/keep            present after `ims-ingest db start`: do not stop on the last exit
 *   <root>/server.json     which binaries the running cluster was started with
 *   <root>/bin/<pkg>-<v>/  the npm package's binaries, copied where the server user can run them
 *   <root>/server/         owned by the server user, 0700: data/, server.log, socket/
 *
 * The server listens only on a Unix socket (listen_addresses = '') in a 0700 directory, so no
 * TCP port can collide and only processes of the server's OS user (and root) can connect:
 * for root that is `postgres` or `nobody`, shared with whatever else runs as them (README).
 */

export const PORT = 5432;
export const SUPERUSER = 'postgres';
export const DATABASE = 'ims';

export interface Layout {
  root: string;
  lockFile: string;
  leasesDir: string;
  keepFile: string;
  stateFile: string;
  binRoot: string;
  serverDir: string;
  dataDir: string;
  logFile: string;
  socketDir: string;
}

// A socket path must fit in sockaddr_un.sun_path (108 bytes on Linux, 104 on macOS, with the
// NUL): the directory plus "/.s.PGSQL.5432" (14 bytes) must stay under 104.
const MAX_SOCKET_DIR_BYTES = 89;

/** The layout of the data root `root` (made absolute). */
export function layoutOf(root: string, options: { uid: number; tmpdir: string }): Layout {
  const abs = resolve(root);
  const serverDir = join(abs, 'server');
  let socketDir = join(serverDir, 'socket');
  if (Buffer.byteLength(socketDir) > MAX_SOCKET_DIR_BYTES) {
    // Too deep for a socket: a fixed directory per data root in the temp dir instead, checked
    // for owner and mode before use (server.ts) since anyone can create names in /tmp.
    const digest = createHash('sha256').update(abs).digest('hex').slice(0, 12);
    socketDir = join(options.tmpdir, `ims-ingest-${options.uid}-${digest}`);
  }
  return {
    root: abs,
    lockFile: join(abs, 'lock'),
    leasesDir: join(abs, 'leases'),
    keepFile: join(abs, 'keep'),
    stateFile: join(abs, 'server.json'),
    binRoot: join(abs, 'bin'),
    serverDir,
    dataDir: join(serverDir, 'data'),
    logFile: join(serverDir, 'server.log'),
    socketDir,
  };
}

/**
 * The well-known data root when none is configured: $XDG_DATA_HOME/ims-ingest, else
 * ~/.local/share/ims-ingest. For root it is /var/lib/ims-ingest: PostgreSQL will not run as
 * root, and the user it runs as instead cannot enter root's 0700 home.
 */
export function defaultEmbeddedDir(env: NodeJS.ProcessEnv, uid: number, home: string): string {
  if (uid === 0) return '/var/lib/ims-ingest';
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'ims-ingest');
  return join(home, '.local', 'share', 'ims-ingest');
}

/**
 * A libpq connection string for the socket: postgresql://postgres@/ims?host=/path/to/socket.
 * It has no password (local trust in a 0700 directory) and no `&`, so it can be pasted into a
 * shell unquoted; `port` adds the port, for clients that might take PGPORT from the environment.
 */
export function connectionUrl(layout: Layout, options: { database?: string; port?: boolean } = {}): string {
  const host = encodeURIComponent(layout.socketDir).replace(/%2F/g, '/');
  const port = options.port ? `&port=${PORT}` : '';
  return `postgresql://${SUPERUSER}@/${encodeURIComponent(options.database ?? DATABASE)}?host=${host}${port}`;
}
