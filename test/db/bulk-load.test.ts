import { Client } from 'pg';
import { backfill } from '../../src/ingest/backfill';
import { wantsBulk } from '../../src/ingest/bulk-load';
import { deferSecondaryIndexes, listDeferredIndexes, restoreAbandonedIndexes } from '../../src/db/deferred-indexes';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { FIXTURES, OPTIONS } from '../helpers/fixtures';
import { naturalSnapshot } from '../helpers/snapshot';

/**
 * The bulk path of backfill (src/ingest/bulk-load.ts): the same rows as the ordinary path, every
 * index back afterwards with its definition, and indexes dropped by a load that died re-created
 * by the next start, but not while their loader still runs.
 */

const dbs: TestDatabase[] = [];
afterAll(() => Promise.all(dbs.map((d) => d.drop())));
const fresh = async () => {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
};

/** Every index of the ims schema: name -> definition. */
async function indexes(db: TestDatabase): Promise<Record<string, string>> {
  const { rows } = await db.pool.query<{ indexname: string; indexdef: string }>(
    // The audit_log partition a backfill creates for the current quarter is not the point here.
    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'ims' AND tablename NOT LIKE 'audit_log%' ORDER BY indexname",
  );
  return Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]));
}
// Query-only B-trees: not unique, not on a foreign-key column the merge looks rows up by.
const DEFERRED_BTREES = [
  'idx_attachments_downloaded',
  'idx_attachments_file_type',
  'idx_comments_author',
  'idx_comments_commented_at',
  'idx_errors_error_type',
  'idx_errors_occurred_at',
  'idx_errors_severity',
  'idx_history_change_type',
  'idx_history_changed_at',
  'idx_issues_priority',
  'idx_issues_product',
  'idx_issues_registered_date',
  'idx_issues_status',
  'idx_queries_product',
  'idx_queries_queried_at',
  'idx_sessions_product',
  'idx_sessions_started_at',
  'idx_sessions_status',
];
/** The indexes a bulk load defers: every GIN index (whatever the search design names them) and those B-trees. */
const ginNames = (all: Record<string, string>) =>
  [...Object.keys(all).filter((n) => / USING gin /.test(all[n])), ...DEFERRED_BTREES].sort();

describe('backfill on the bulk path', () => {
  it('loads exactly what the ordinary path loads and restores every index', async () => {
    const [plain, bulk] = [await fresh(), await fresh()];
    const before = await indexes(bulk);
    const gin = ginNames(before);
    expect(gin.length).toBe(DEFERRED_BTREES.length + Object.values(before).filter((d) => / USING gin /.test(d)).length);
    expect(gin.length).toBeGreaterThanOrEqual(28);

    await backfill(plain.pool, FIXTURES, { ...OPTIONS, bulk: 'off' });
    const messages: string[] = [];
    const summary = await backfill(bulk.pool, FIXTURES, { ...OPTIONS, bulk: 'on', onIndexes: (m) => messages.push(m) });

    expect(summary.outcomes.map((o) => o.result)).toEqual(Array(8).fill('ingested'));
    expect(messages[0]).toBe(`bulk load: ${gin.length} secondary indexes dropped, built again after the load`);
    expect(messages[1]).toMatch(new RegExp(`^bulk load: ${gin.length} secondary indexes built in \\d+\\.\\d s$`));
    expect(await naturalSnapshot(bulk.pool)).toEqual(await naturalSnapshot(plain.pool));
    expect(await indexes(bulk)).toEqual(before);
    expect(await listDeferredIndexes(bulk.pool)).toEqual([]);
    // The rebuilt indexes serve searches: a trigram/bigram-free check through full text.
    const { rows } = await bulk.pool.query(
      "SELECT count(*)::int AS n FROM ims.issues WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', 'TPETIME')",
    );
    expect(rows[0].n).toBe(
      (
        await plain.pool.query(
          "SELECT count(*)::int AS n FROM ims.issues WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', 'TPETIME')",
        )
      ).rows[0].n,
    );
  });

  it('re-creates the indexes of a load that was killed, at the next start', async () => {
    const db = await fresh();
    const before = await indexes(db);
    // A loader that deferred the indexes and died: its connection ends without restoring them.
    const loader = new Client({ connectionString: db.url });
    await loader.connect();
    const died = new Promise((resolve) => loader.on('error', resolve));
    await loader.query('SELECT pg_advisory_lock($1)', [0x1a5_1a6]);
    const { rows } = await loader.query<{ n: number }>('SELECT ims_ingest.defer_secondary_indexes() AS n');
    expect(rows[0].n).toBe(ginNames(before).length);
    await db.pool.query('SELECT pg_terminate_backend($1)', [(loader as unknown as { processID: number }).processID]);
    expect(await died).toMatchObject({ code: '57P01' });
    expect(Object.keys(await indexes(db)).filter((n) => ginNames(before).includes(n))).toEqual([]);
    expect(await listDeferredIndexes(db.pool)).toEqual(ginNames(before));

    const messages: string[] = [];
    // 8 sessions: 'auto' does not take the bulk path here, but still repairs the indexes first.
    await backfill(db.pool, FIXTURES, { ...OPTIONS, onIndexes: (m) => messages.push(m) });
    expect(messages).toEqual([
      `re-created ${ginNames(before).length} indexes an interrupted bulk load had dropped: ${ginNames(before).join(', ')}`,
    ]);
    expect(await indexes(db)).toEqual(before);
    expect(await listDeferredIndexes(db.pool)).toEqual([]);
  });

  it('leaves the indexes of a bulk load still running to that load', async () => {
    const db = await fresh();
    const before = await indexes(db);
    const deferred = await deferSecondaryIndexes(db.pool);
    expect(deferred!.names).toEqual(ginNames(before));
    // A second loader neither rebuilds them under the running load nor defers again.
    expect(await restoreAbandonedIndexes(db.pool, 2)).toEqual([]);
    expect(await deferSecondaryIndexes(db.pool)).toBeUndefined();
    expect(Object.keys(await indexes(db)).filter((n) => ginNames(before).includes(n))).toEqual([]);
    expect((await deferred!.restore(2)).sort()).toEqual(ginNames(before));
    expect(await indexes(db)).toEqual(before);
  });

  it('loads the ordinary way when the indexes cannot be dropped', async () => {
    const db = await fresh();
    const before = await indexes(db);
    // Stands for any failure of the drop (a login that does not own the tables, say).
    await db.pool.query('DROP FUNCTION ims_ingest.defer_secondary_indexes()');
    const messages: string[] = [];
    const summary = await backfill(db.pool, FIXTURES, { ...OPTIONS, bulk: 'on', onIndexes: (m) => messages.push(m) });
    expect(messages).toEqual([
      expect.stringMatching(
        /^bulk load not possible \(.*defer_secondary_indexes\(\) does not exist.*\): loading with every index in place$/,
      ),
    ]);
    expect(summary.outcomes.map((o) => o.result)).toEqual(Array(8).fill('ingested'));
    expect(summary.tableRows.issues).toBe(10);
    expect(await indexes(db)).toEqual(before);
  });

  it("'auto' takes it only for a dump of 20+ sessions, 4x those in the database", async () => {
    const db = await fresh();
    expect(await wantsBulk(db.pool, 19)).toBe(false);
    expect(await wantsBulk(db.pool, 20)).toBe(true);
    expect(await wantsBulk(db.pool, 5, 'on')).toBe(true);
    expect(await wantsBulk(db.pool, 500, 'off')).toBe(false);
    await backfill(db.pool, FIXTURES, { ...OPTIONS, bulk: 'off' });
    expect(await wantsBulk(db.pool, 31)).toBe(false);
    expect(await wantsBulk(db.pool, 32)).toBe(true);
  });
});
