import { mergeStatements } from '../../src/db/merge';
import { listSql, readSql } from '../../src/db/sql-files';

// The merge runner passes no parameter: every statement reads the batch from the staging
// tables. PostgreSQL would refuse a stray $n at run time; this says which file has one first.
describe.each(mergeStatements().map((s) => [s.name, s]))('merge/%s', (_, statement) => {
  it('takes no parameter and reads the batch from stage_session or stage_file', () => {
    const body = statement.sql.replace(/--.*$/gm, '');
    expect(body).not.toMatch(/\$\d/);
    expect(body).toMatch(/\bstage_(session|file)\b/);
  });
});

it('fills the session ids (025) after the session rows are written (020) and before any statement reads them', () => {
  const names = mergeStatements().map((s) => s.name);
  const fills = names.indexOf('025_session_ids');
  expect(fills).toBe(names.indexOf('020_crawl_sessions') + 1);
  const readers = mergeStatements()
    .filter((s) => /\bst\.session_id\b/.test(s.sql.replace(/--.*$/gm, '')))
    .map((s) => names.indexOf(s.name));
  expect(readers.length).toBeGreaterThan(5);
  expect(Math.min(...readers)).toBeGreaterThanOrEqual(fills);
});

it('keeps only staging statements in sql/stage/ (queries read by the loader live in sql/queries/)', () => {
  for (const file of listSql('stage')) expect(readSql(`stage/${file}`)).toMatch(/stage_(session|file|download|error)/);
  expect(listSql('queries')).toEqual(['audit-partition.sql', 'session-hash.sql']);
});
