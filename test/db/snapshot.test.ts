import { createTestDatabase, TestDatabase } from '../helpers/db';
import { naturalSnapshot } from '../helpers/snapshot';

// The order-independence tests compare naturalSnapshot()s: these show it compares what a later
// migration adds, and refuses to compare a new reference by its serial id.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it('compares a column a migration adds, and every table of ims', async () => {
  await db.pool.query(`ALTER TABLE ims.users ADD COLUMN nickname text`);
  await db.pool.query(`CREATE TABLE ims.later_table (note text)`);
  await db.pool.query(`INSERT INTO ims.users (username, nickname) VALUES ('eve', 'e.')`);
  await db.pool.query(`INSERT INTO ims.later_table VALUES ('kept')`);
  const snap = await naturalSnapshot(db.pool);
  expect(snap.users).toEqual([expect.objectContaining({ username: 'eve', nickname: 'e.' })]);
  expect(snap.users[0]).not.toHaveProperty('user_id');
  expect(snap.users[0]).not.toHaveProperty('created_at');
  expect(snap.later_table).toEqual([{ note: 'kept' }]);
  const { rows } = await db.pool.query(
    `SELECT relname FROM pg_class WHERE relnamespace = 'ims'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition`,
  );
  expect(Object.keys(snap).sort()).toEqual(rows.map((r) => r.relname).sort());
});

it('names a reference by the natural key it stands for, and refuses one it has no key for', async () => {
  await db.pool.query(
    `INSERT INTO ims.search_queries (user_id, original_query) SELECT user_id, 'q' FROM ims.users WHERE username = 'eve'`,
  );
  expect((await naturalSnapshot(db.pool)).search_queries).toEqual([
    expect.objectContaining({ username: 'eve', original_query: 'q', session_uuid: null }),
  ]);
  await db.pool.query(`CREATE TABLE ims.later_child (parent bigint REFERENCES ims.session_errors (error_id))`);
  await expect(naturalSnapshot(db.pool)).rejects.toThrow(
    'ims.later_child.parent references ims.session_errors, which has no natural key in NATURAL_KEYS',
  );
});
