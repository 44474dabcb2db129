import { mergeStatements } from '../../src/db/merge';
import { listSql, readSql } from '../../src/db/sql-files';

// The merge runner passes each statement what its header declares; PostgreSQL would refuse a
// mismatch at run time, this says which file is wrong before that.
describe.each(mergeStatements().map((s) => [s.name, s]))('merge/%s', (_, statement) => {
  it('uses $1 exactly when its header says it takes the session id', () => {
    const body = statement.sql.replace(/--.*$/gm, '');
    expect({ usesParameter: /\$1\b/.test(body), takesSession: statement.takesSession }).toEqual({
      usesParameter: statement.takesSession,
      takesSession: statement.takesSession,
    });
    expect(body).not.toMatch(/\$[2-9]/);
  });
});

it('the session id comes from 020, before any statement that takes it', () => {
  const names = mergeStatements().map((s) => s.name);
  const returning = mergeStatements().filter((s) =>
    /RETURNING\s+cs\.session_id\s*;/i.test(s.sql.replace(/--.*$/gm, '')),
  );
  expect(returning.map((s) => s.name)).toEqual(['020_crawl_sessions']);
  const firstTaking = mergeStatements().findIndex((s) => s.takesSession);
  expect(firstTaking).toBeGreaterThan(names.indexOf('020_crawl_sessions'));
});

it('keeps only staging statements in sql/stage/ (queries read by the loader live in sql/queries/)', () => {
  for (const file of listSql('stage')) expect(readSql(`stage/${file}`)).toMatch(/stage_(session|file|download|error)/);
  expect(listSql('queries')).toEqual(['audit-partition.sql', 'session-hash.sql', 'staged-session-id.sql']);
});
