import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backfill, ingestMany } from '../../src/ingest/backfill';
import { discoverSessions } from '../../src/files/discover';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { copyFixtures, OPTIONS, S } from '../helpers/fixtures';

// attachments[].url, when the listing has one, is attachments.download_url: from the newest
// listing that has one, and not lost when a later crawl lists the file without it.
let db: TestDatabase;
let root: string;
beforeAll(async () => {
  db = await createTestDatabase();
  root = copyFixtures();
});
afterAll(async () => {
  await db.drop();
  rmSync(root, { recursive: true, force: true });
});

const withUrl = (rel: string, url: string) => {
  const path = join(root, rel);
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  doc.attachments = doc.attachments.map((a: Record<string, string>) => (a.file_id === '884512' ? { ...a, url } : a));
  writeFileSync(path, JSON.stringify(doc, null, 2));
};
const url = async () =>
  (
    await db.pool.query(
      `SELECT a.download_url FROM ims.attachments a JOIN ims.issues i USING (issue_pk) WHERE i.issue_id = '347863' AND a.file_id = '884512'`,
    )
  ).rows[0].download_url;

it('keeps the url of the oldest crawl when the newer listings have none, and takes a newer one', async () => {
  // 884512 is listed by S6 (2025-12-22), S1 (2026-01-03) and S2 (2026-01-10).
  withUrl(`${S.S6}/347863_20251222_153006.json`, 'https://ims.example/download?fileId=884512&v=old');
  await backfill(db.pool, root, OPTIONS);
  expect(await url()).toBe('https://ims.example/download?fileId=884512&v=old');
  withUrl(`${S.S1}/347863_20260103_120902.json`, 'https://ims.example/download?fileId=884512&v=new');
  await backfill(db.pool, root, OPTIONS);
  expect(await url()).toBe('https://ims.example/download?fileId=884512&v=new');
  // The listing's other columns still come from the newest listing, S2's (which has no url).
  const { rows } = await db.pool.query(`
    SELECT a.size_text, cs.folder_name FROM ims.attachments a JOIN ims.issues i USING (issue_pk)
    JOIN ims.crawl_sessions cs ON cs.session_id = a.session_id WHERE i.issue_id = '347863' AND a.file_id = '884512'`);
  expect(rows).toEqual([{ size_text: '1 KB', folder_name: 'OpenFrame_OpenFrame_TPETIME_에러_발생_20260110_143921' }]);
});

it('ends with the same url when the crawls are loaded newest first', async () => {
  const other = await createTestDatabase();
  try {
    const refs = (await discoverSessions(root)).reverse();
    await ingestMany(other.pool, refs, { ...OPTIONS, concurrency: 1 });
    const { rows } = await other.pool.query(`
      SELECT a.download_url, a.download_url_crawled_at FROM ims.attachments a JOIN ims.issues i USING (issue_pk)
      WHERE i.issue_id = '347863' AND a.file_id = '884512'`);
    expect(rows).toEqual([
      {
        download_url: 'https://ims.example/download?fileId=884512&v=new',
        download_url_crawled_at: new Date('2026-01-03T03:09:02.481Z'),
      },
    ]);
  } finally {
    await other.drop();
  }
});
