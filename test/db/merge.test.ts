import { join } from 'node:path';
import { sessionRefForFolder } from '../../src/files/discover';
import { ingestSession } from '../../src/ingest/session';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS, S } from '../helpers/fixtures';

// The session id comes from merge/020's RETURNING; when 020 finds the row exactly as staged it
// writes nothing and returns nothing, and the runner must still hand the same id to 030...120.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it('gives every merge statement the id of the session row, written or left as it was', async () => {
  const ref = sessionRefForFolder(join(FIXTURES, S.S1))!;
  const first = await ingestSession(db.pool, ref, OPTIONS);
  const links = await sessionLinks();
  const again = await ingestSession(db.pool, ref, { ...OPTIONS, force: true });
  const { rows } = await db.pool.query(`SELECT session_id FROM ims.crawl_sessions WHERE session_uuid = $1`, [ref.uuid]);
  expect(first).toMatchObject({ result: 'ingested', sessionId: rows[0].session_id });
  expect(first.rows['020_crawl_sessions']).toBe(1);
  expect(again).toMatchObject({ result: 'ingested', sessionId: rows[0].session_id });
  expect(again.rows['020_crawl_sessions']).toBe(0);
  // 040 and 045 found the session's links through $1: the same four, none added or pruned.
  expect(links).toEqual([{ session_id: rows[0].session_id, n: 4 }]);
  expect(await sessionLinks()).toEqual(links);
});

async function sessionLinks() {
  const { rows } = await db.pool.query(`SELECT session_id, count(*)::int AS n FROM ims.session_issues GROUP BY 1`);
  return rows;
}
