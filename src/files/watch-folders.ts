import { watch } from 'chokidar';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { HISTORY_FILES, historyDir } from './query-history';
import { SessionRef, sessionRefForFolder } from './discover';
import { isSessionFolderName } from './crawler-names';

/**
 * File-system side of `watch`: turns chokidar's events into "this session folder has been
 * quiet for settleMs". The crawler writes each issue file in place from several threads and
 * never marks a session finished (docs/input-format.md §5), so quiet time is the only signal;
 * a session that changes again after being loaded is simply reported again (the load is
 * idempotent and replaces what the folder no longer says).
 */

export interface WatchOptions {
  /** Quiet time before a changed session is reported. */
  settleMs: number;
  /** Poll instead of inotify (network file systems, containers with bind mounts). */
  poll?: boolean;
  onSettled: (ref: SessionRef) => void;
  /** `<root>/history/query_history.json` or `favorites.json` changed and has been quiet for settleMs. */
  onHistoryChanged?: () => void;
  onError: (err: Error) => void;
}

export interface SessionWatcher {
  /** Resolves once the initial directory walk is done and events flow. */
  ready: Promise<void>;
  /** Sessions changed but not yet quiet. */
  pending(): number;
  close(): Promise<void>;
}

export function watchSessions(root: string, options: WatchOptions): SessionWatcher {
  const top = resolve(root);
  const dirty = new Map<string, { ref: SessionRef; last: number }>();
  const watcher = watch(top, {
    ignoreInitial: true,
    // users/<u>/sessions/<folder>/attachments/<id>/<file> is the deepest thing the crawler writes.
    depth: 6,
    usePolling: options.poll ?? false,
    interval: 1000,
    ignored: (path: string) => /(^|[/\\])\.[^/\\]/.test(relative(top, path)),
  });
  let historyChanged = 0;
  const touch = (path: string) => {
    if (isHistoryFile(path, top)) historyChanged = Date.now();
    const ref = sessionOf(path, top);
    if (ref) dirty.set(ref.identity, { ref, last: Date.now() });
  };
  for (const event of ['add', 'change', 'unlink', 'addDir'] as const) watcher.on(event, touch);
  watcher.on('error', (err) => options.onError(err instanceof Error ? err : new Error(String(err))));

  const timer = setInterval(
    () => {
      const now = Date.now();
      if (historyChanged > 0 && now - historyChanged >= options.settleMs) {
        historyChanged = 0;
        options.onHistoryChanged?.();
      }
      for (const [id, entry] of dirty) {
        if (now - entry.last >= options.settleMs) {
          dirty.delete(id);
          options.onSettled(entry.ref);
        }
      }
    },
    Math.max(100, Math.min(1000, options.settleMs / 2)),
  );

  return {
    ready: new Promise((done) => watcher.once('ready', () => done())),
    pending: () => dirty.size,
    close: async () => {
      clearInterval(timer);
      await watcher.close();
    },
  };
}

function isHistoryFile(path: string, top: string): boolean {
  const abs = resolve(path);
  return dirname(abs) === historyDir(top) && (HISTORY_FILES as readonly string[]).includes(basename(abs));
}

/** The session folder that `path` lies in (itself or an ancestor below `top`), if any. */
function sessionOf(path: string, top: string): SessionRef | undefined {
  let dir = resolve(path);
  while (dir === top || dir.startsWith(top + sep)) {
    const ref = sessionRefForFolder(dir);
    if (ref) return isSessionFolderName(ref.folderName) || dir === top ? ref : undefined;
    if (dir === top) break;
    dir = dirname(dir);
  }
  return undefined;
}
