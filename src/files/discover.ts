import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { IngestError } from '../errors';
import { isSessionFolderName, uuidV5 } from './crawler-names';
import { listDir } from './session-folder';

/**
 * Finding session folders (docs/input-format.md §2). A root is the crawler's data/ directory
 * (with users/ and/or crawl_sessions/), a users/<name>/sessions directory, or one session
 * folder.
 */

export type Layout = 'per_user' | 'shared' | 'migrated';

export interface SessionRef {
  /** The folder: `<user>/<folder>` (per-user and migrated layouts) or `<folder>` (shared layout). */
  identity: string;
  /**
   * The crawl: UUIDv5 of the identity, except for a migrated copy, which is the crawl of its
   * shared original: UUIDv5 of `<folder>` (src/files/crawl-copy.ts).
   */
  uuid: string;
  /** IMS user name from the path, or undefined in the shared layout. */
  user?: string;
  folderName: string;
  /** Absolute path of the folder. */
  path: string;
  layout: Layout;
}

export interface DiscoverOptions {
  /** Told of folders in a sessions directory that are not session folders (no timestamp). */
  onIgnored?: (path: string, reason: string) => void;
}

/**
 * Every session under `root`, in a stable order (oldest folder timestamp first, then name).
 * Inside users/<name>/sessions/ and crawl_sessions/, a folder whose name lacks the crawler's
 * `_YYYYMMDD_HHMMSS` ending is not a session (a backup, a copy) and is ignored; a folder given
 * as the root itself is taken as a session whatever its name.
 */
export async function discoverSessions(root: string, options: DiscoverOptions = {}): Promise<SessionRef[]> {
  const abs = resolve(root);
  let info;
  try {
    info = await stat(abs);
  } catch (err) {
    throw new IngestError(
      'LAYOUT_UNKNOWN',
      `${root}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`,
      { file: abs, cause: err },
    );
  }
  if (!info.isDirectory()) {
    throw new IngestError('LAYOUT_UNKNOWN', `${root}: not a directory`, { file: abs });
  }
  const refs: SessionRef[] = [];
  const hasUsers = existsSync(join(abs, 'users'));
  const hasShared = existsSync(join(abs, 'crawl_sessions'));
  if (hasUsers || hasShared) {
    if (hasUsers) {
      for (const user of await subdirs(join(abs, 'users'))) {
        const sessionsDir = join(abs, 'users', user, 'sessions');
        if (!existsSync(sessionsDir)) continue;
        for (const folder of await sessionDirs(sessionsDir, options))
          refs.push(perUserRef(user, join(sessionsDir, folder)));
      }
    }
    if (hasShared) {
      for (const folder of await sessionDirs(join(abs, 'crawl_sessions'), options))
        refs.push(sharedRef(join(abs, 'crawl_sessions', folder)));
    }
  } else if (basename(abs) === 'sessions' && basename(dirname(dirname(abs))) === 'users') {
    const user = basename(dirname(abs));
    for (const folder of await sessionDirs(abs, options)) refs.push(perUserRef(user, join(abs, folder)));
  } else if (basename(abs) === 'crawl_sessions') {
    for (const folder of await sessionDirs(abs, options)) refs.push(sharedRef(join(abs, folder)));
  } else {
    const single = sessionRefForFolder(abs);
    if (!single) {
      throw new IngestError(
        'LAYOUT_UNKNOWN',
        `${root}: not a crawler data directory (no users/ or crawl_sessions/ inside) and not a session folder ` +
          '(users/<name>/sessions/<folder> or crawl_sessions/<folder>); see docs/input-format.md',
        { file: abs },
      );
    }
    refs.push(single);
  }
  return refs.sort(compareRefs);
}

/** The session a folder is, judged from where it lies; undefined when it lies in no known place. */
export function sessionRefForFolder(folder: string): SessionRef | undefined {
  const abs = resolve(folder);
  const parent = dirname(abs);
  if (basename(parent) === 'sessions' && basename(dirname(dirname(parent))) === 'users') {
    return perUserRef(basename(dirname(parent)), abs);
  }
  if (basename(parent) === 'crawl_sessions') return sharedRef(abs);
  return undefined;
}

function perUserRef(user: string, path: string): SessionRef {
  const folderName = basename(path);
  const migrated = existsSync(join(path, 'metadata.json')) || existsSync(join(path, 'issues'));
  const identity = `${user}/${folderName}`;
  // A migrated copy is the crawl of its shared original, whose path names no user.
  const uuid = uuidV5(migrated ? folderName : identity);
  return { identity, uuid, user, folderName, path, layout: migrated ? 'migrated' : 'per_user' };
}

function sharedRef(path: string): SessionRef {
  const folderName = basename(path);
  return { identity: folderName, uuid: uuidV5(folderName), folderName, path, layout: 'shared' };
}

async function subdirs(dir: string): Promise<string[]> {
  return (await listDir(dir)).filter((e) => e.dir && !e.name.startsWith('.')).map((e) => e.name);
}

async function sessionDirs(dir: string, options: DiscoverOptions): Promise<string[]> {
  const names = await subdirs(dir);
  for (const name of names) {
    if (!isSessionFolderName(name))
      options.onIgnored?.(join(dir, name), 'not a session folder: its name does not end in _YYYYMMDD_HHMMSS');
  }
  return names.filter(isSessionFolderName);
}

function folderTimestamp(name: string): string {
  const m = /(\d{8}_\d{6})$/.exec(name);
  return m ? m[1] : '';
}

function compareRefs(a: SessionRef, b: SessionRef): number {
  const ta = folderTimestamp(a.folderName);
  const tb = folderTimestamp(b.folderName);
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0;
}
