import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readQueryHistory } from '../../src/files/query-history';

// search_queries.history_entry is jsonb: an entry must reach it with no NUL (text and jsonb
// reject it) and no unpaired surrogate (jsonb rejects it), or the whole upsert fails.
it('reads an entry with NUL characters and an unpaired surrogate as text PostgreSQL stores', async () => {
  const root = mkdtempSync(join(tmpdir(), 'ims-history-'));
  try {
    mkdirSync(join(root, 'history'));
    // As the file holds them: JSON escapes, which JSON.parse turns into the characters.
    const text = String.raw`[{"query": "disk\u0000 full", "product": "OS", "timestamp": "2025-01-02T03:04:05",
      "execution_time": 12, "note": "half \ud800 pair", "k\u0000ey": ["x\u0000"]}]`;
    writeFileSync(join(root, 'history/query_history.json'), text);
    const read = await readQueryHistory(root);
    expect(read.status).toBe('loaded');
    expect(read.problems).toEqual([]);
    expect(read.entries).toHaveLength(1);
    const [e] = read.entries;
    expect(e.original_query).toBe('disk full');
    expect(e.history_key).toBe('2025-01-02T03:04:05|OS|disk full');
    expect(e.entry).toEqual({
      query: 'disk full',
      product: 'OS',
      timestamp: '2025-01-02T03:04:05',
      execution_time: 12,
      note: 'half \uFFFD pair',
      key: ['x'],
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
