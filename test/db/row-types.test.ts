import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { generateRowTypes, ROW_TYPES_FILE } from '../helpers/row-types';

// The exported row types are generated from the schema the migrations make: this fails when a
// migration changed the schema and src/db/row-types.ts was not regenerated.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it(`${ROW_TYPES_FILE} is what \`npm run gen:types\` makes from the migrated schema`, async () => {
  const generated = await generateRowTypes(db.pool);
  const file = join(__dirname, '..', '..', ROW_TYPES_FILE);
  if (process.env.UPDATE_ROW_TYPES === '1') writeFileSync(file, generated);
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : '(missing)';
  if (committed !== generated) {
    throw new Error(`${ROW_TYPES_FILE} does not match the migrated schema: run \`npm run gen:types\` and commit it`);
  }
  expect(committed).toBe(generated);
});

it('types columns as node-postgres returns them', async () => {
  const text = await generateRowTypes(db.pool);
  const field = (iface: string, column: string) =>
    new RegExp(`export interface ${iface} \\{[^}]*?\\n  ${column}: ([^;]+);`).exec(text)?.[1];
  expect(field('IssuesRow', 'issue_pk')).toBe('string'); // bigint NOT NULL
  expect(field('IssuesRow', 'title')).toBe('string');
  expect(field('IssuesRow', 'description')).toBe('string | null');
  expect(field('IssuesRow', 'crawl_count')).toBe('number | null'); // integer
  expect(field('IssuesRow', 'full_data')).toBe('unknown'); // jsonb, nullable: unknown already holds null
  expect(field('CrawlSessionsRow', 'started_at')).toBe('Date'); // timestamptz NOT NULL
  expect(field('CrawlSessionsRow', 'crawl_related')).toBe('boolean | null');
  expect(field('AnalyticsDailyRow', 'stat_date')).toBe('Date'); // date NOT NULL
  expect(field('AnalyticsDailyRow', 'avg_issues_per_session')).toBe('string | null'); // numeric
  expect(field('IssueHistoryRow', 'entry_hash')).toBe('string'); // uuid
  expect(text).toMatch(/export interface VSessionDetailRow \{/);
  expect(text).toMatch(/export interface ImsViews \{\n {2}v_issue_search: VIssueSearchRow;/);
});
