import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { IngestError } from '../errors';
import { programOutput } from './binaries';

/**
 * Which OS user runs the server. A normal user runs it as themselves. PostgreSQL refuses to run
 * as root, so root runs it as the owner of an existing cluster, else as `postgres`, else as
 * `nobody`; ims-ingest never creates a user. Node's spawn() switches uid and gid and drops
 * the supplementary groups (libuv calls setgroups(0)), so only the primary group counts when
 * deciding what that user can reach.
 */

export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
  /** This process's own user: children run without switching. */
  self: boolean;
}

export function serverUser(dataDir: string): ServerUser {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined) {
    throw new IngestError(
      'EMBEDDED_FAILED',
      'the embedded PostgreSQL needs a Unix system: set DATABASE_URL to use your own server',
    );
  }
  if (uid !== 0) return { name: userInfo().username, uid, gid, self: true };
  const owner = statSync(dataDir, { throwIfNoEntry: false });
  if (owner && owner.uid !== 0)
    return { name: userName(owner.uid) ?? `uid ${owner.uid}`, uid: owner.uid, gid: owner.gid, self: false };
  for (const name of ['postgres', 'nobody']) {
    const ids = lookupUser(name);
    if (ids) return { name, ...ids, self: false };
  }
  throw new IngestError(
    'EMBEDDED_FAILED',
    'running as root, and there is no `postgres` or `nobody` user to run PostgreSQL as (it refuses to run as root): ' +
      'run ims-ingest as another user, or set DATABASE_URL to use your own server',
  );
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const uid = Number(programOutput('id', ['-u', name]));
  const gid = Number(programOutput('id', ['-g', name]));
  return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
}

function userName(uid: number): string | undefined {
  return programOutput('id', ['-nu', String(uid)]) || undefined;
}

type StatLike = (path: string) => { uid: number; gid: number; mode: number } | undefined;

/**
 * The first directory on the way to `path` (itself included) that `user` may not enter; undefined
 * when all can be entered (a directory that does not exist yet will be made by us).
 */
export function unreachableDir(
  path: string,
  user: ServerUser,
  statOf: StatLike = (p) => statSync(p, { throwIfNoEntry: false }),
): string | undefined {
  if (user.self) return undefined;
  const parts = path.split('/').filter(Boolean);
  const dirs = ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
  for (const dir of dirs) {
    const s = statOf(dir);
    if (!s) return undefined;
    const bit = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if (!(s.mode & bit)) return dir;
  }
  return undefined;
}
