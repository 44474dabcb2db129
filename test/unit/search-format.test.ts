import { displayWidth, fit, formatTable, markSnippet, SearchRow, usageProblem } from '../../src/cli/search-command';
import { searchLocaleWarnings } from '../../src/db/search-locale';

// The search command's table for people: terminal columns of Korean/Japanese text, cutting and
// padding to a width, the match marked; its usage checks; migrate's locale warnings.

const row = (over: Partial<SearchRow>): SearchRow => ({
  issue_id: '347863',
  title: '[Project] TPETIME 에러 분석',
  status: 'Closed',
  product: 'OpenFrame',
  registered_date: null,
  matched_in: ['title'],
  snippet: '[Project] TPETIME 에러 분석',
  match_start: 19,
  match_length: 2,
  rank: 1,
  ...over,
});

it('counts Hangul, Kana, Han, full-width forms and emoji as two columns', () => {
  expect(displayWidth('abc')).toBe(3);
  expect(displayWidth('에러')).toBe(4);
  expect(displayWidth('エラー東京')).toBe(10);
  expect(displayWidth('ＥＲＲ')).toBe(6);
  expect(displayWidth('🎉a')).toBe(3);
});

it('cuts to a width with an ellipsis, never splitting a wide character past it, and pads', () => {
  expect(fit('에러 발생', 20)).toBe(`에러 발생${' '.repeat(11)}`);
  expect(fit('에러가 발생했습니다', 8)).toBe('에러가 …');
  expect(fit('에러가발생', 8)).toBe('에러가… ');
  expect(displayWidth(fit('에러가 발생했습니다', 8))).toBe(8);
  expect(fit('abcdefgh', 5)).toBe('abcd…');
});

it('marks the match by characters (not UTF-16 units) and shows control characters as spaces', () => {
  expect(markSnippet(row({}), '«', '»')).toBe('[Project] TPETIME «에러» 분석');
  expect(markSnippet(row({ snippet: '🎉 에러\t발생', match_start: 3, match_length: 2 }), '[', ']')).toBe(
    '🎉 [에러] 발생',
  );
  expect(markSnippet(row({ snippet: 'no match', match_start: null, match_length: null }), '[', ']')).toBe('no match');
});

it('prints one line per issue and says when more matched than were shown', () => {
  const text = formatTable(
    [row({}), row({ issue_id: '1', status: null, matched_in: ['comment', 'attachment'] })],
    true,
    '에러',
    false,
  );
  const lines = text.split('\n');
  expect(lines).toHaveLength(4);
  expect(lines[0]).toMatch(/^issue +status +title +found in: snippet$/);
  expect(lines[1]).toMatch(/^347863 +Closed +\[Project\] TPETIME 에러 분석 +title: \[Project\] TPETIME «에러» 분석$/);
  expect(lines[2]).toMatch(/^1 {7}/);
  expect(lines[2]).toContain('comment,attachment: ');
  expect(lines[3]).toBe('2 issues shown; more match (raise --limit)');
  expect(formatTable([], false, 'x"y', false)).toBe('no issue contains "x\\"y"');
});

it('rejects a query without a word, a limit under 1 and dates it cannot read', () => {
  const ok = { query: '에러', limit: 50 };
  expect(usageProblem(ok)).toBeUndefined();
  expect(usageProblem({ ...ok, query: ' "" ' })).toBe('the query has no word to search for');
  expect(usageProblem({ ...ok, limit: 0 })).toBe('--limit must be a whole number of at least 1');
  expect(usageProblem({ ...ok, limit: 2.5 })).toBe('--limit must be a whole number of at least 1');
  expect(usageProblem({ ...ok, since: '2025-06-01' })).toBeUndefined();
  expect(usageProblem({ ...ok, until: '2025-06-01 09:30+09:00' })).toBeUndefined();
  expect(usageProblem({ ...ok, since: 'last week' })).toMatch(/^--since last week: expected YYYY-MM-DD/);
});

it('warns for LC_CTYPE C or POSIX and for an encoding other than UTF8, and not for a UTF-8 locale', () => {
  expect(searchLocaleWarnings({ encoding: 'UTF8', ctype: 'C.UTF-8', collate: 'C.UTF-8', provider: 'libc' })).toEqual(
    [],
  );
  expect(
    searchLocaleWarnings({ encoding: 'UTF8', ctype: 'en_US.utf8', collate: 'en_US.utf8', provider: 'libc' }),
  ).toEqual([]);
  expect(searchLocaleWarnings({ encoding: 'UTF8', ctype: 'und-x-icu', collate: 'und-x-icu', provider: 'icu' })).toEqual(
    [],
  );
  const c = searchLocaleWarnings({ encoding: 'UTF8', ctype: 'C', collate: 'C', provider: 'libc' });
  expect(c).toHaveLength(1);
  expect(c[0]).toMatch(/^database LC_CTYPE is C: search \(like ILIKE\) folds case only for A-Z/);
  const ascii = searchLocaleWarnings({ encoding: 'SQL_ASCII', ctype: 'POSIX', collate: 'POSIX', provider: 'libc' });
  expect(ascii).toHaveLength(2);
  expect(ascii[0]).toMatch(/^database encoding is SQL_ASCII, not UTF8: .* raw bytes/);
});
