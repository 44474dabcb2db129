import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchSessions } from '../../src/files/watch-folders';

// The daemon's hook for the query history (src/ingest/watch.ts loads it again): the crawler
// rewrites data/history/query_history.json whole after every crawl.
it('reports a rewritten query history once it has been quiet, and not as a session', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ims-watch-history-'));
  mkdirSync(join(root, 'history'));
  mkdirSync(join(root, 'crawl_sessions'));
  const events: string[] = [];
  const watcher = watchSessions(root, {
    settleMs: 300,
    onSettled: (ref) => events.push(`session ${ref.identity}`),
    onHistoryChanged: () => events.push('history'),
    onError: (err) => events.push(`error ${err.message}`),
  });
  try {
    await watcher.ready;
    writeFileSync(join(root, 'history/query_history.json'), '[');
    writeFileSync(join(root, 'history/query_history.json'), '[]');
    writeFileSync(join(root, 'history/favorites.json'), '[]');
    writeFileSync(join(root, 'history/notes.txt'), 'not the crawler');
    const deadline = Date.now() + 10_000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 800));
    expect(events).toEqual(['history']);
  } finally {
    await watcher.close();
    rmSync(root, { recursive: true, force: true });
  }
});
