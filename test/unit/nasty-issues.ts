import { issue } from './sample-issue';

/**
 * Issue files that need repairs of every kind repairIssue makes (NASTY), files the streaming
 * repairer leaves to the old way (GIVEN_UP), and files repairIssue refuses (REFUSED), for
 * repair-stream*.test.ts.
 */

/** sample-issue.ts's issue with members of raw JSON text after its own. */
export const withRaw = (...members: string[]): string =>
  `${JSON.stringify(issue()).slice(0, -1)}, ${members.join(', ')}}`;
/** The same, `key` given as raw JSON text in place of its value (moved to the end). */
export function rawAt(key: string, raw: string): string {
  const doc = issue();
  delete doc[key];
  return `${JSON.stringify(doc).slice(0, -1)}, "${key}": ${raw}}`;
}
export const dump = (overrides: Record<string, unknown>) => JSON.stringify(issue(overrides), null, 2);
export const R = String.raw;

export const NASTY: [string, string][] = [
  ['NUL in a value', rawAt('description', R`"a\u0000b\u0000"`)],
  ['NUL in a top-level key', withRaw(R`"ex\u0000tra": "v\u0000"`)],
  ['NUL in a key that becomes a shape key', withRaw(R`"tit\u0000le": 5`).replace('"title"', '"title0"')],
  ['NUL in a nested key and value', withRaw(R`"extra": {"a\u0000b": [{"c\u0000": "\u0000"}], "": {"k": "\u0000"}}`)],
  ['NUL in a comment', rawAt('comments', R`[{"content": "a\u0000"}, {"a\u0000uthor": 1}]`)],
  ['NUL in metadata key and value', rawAt('metadata', R`{"v\u0000": "\u0000x", "n": null}`)],
  ['a lone high surrogate', rawAt('title', R`"\ud800"`)],
  ['a lone low surrogate in a key', withRaw(R`"\udc00": "a\udc00b"`)],
  ['a high surrogate before a non-surrogate', rawAt('history', R`[{"details": "\ud83d x", "n": 2}]`)],
  ['a surrogate pair kept, a lone one cleaned', withRaw(R`"extra": ["\ud83d\ude00", "\ude00\ud83d", 7]`)],
  ['wrong scalar shapes', dump({ title: 42, status: true, description: null, url: 1.5, product: -0 })],
  ['strings that are lists and objects', dump({ product: { name: 'O\0F', n: [1, 2.5e3] }, assignee: ['a', null] })],
  ['issue_id a number', dump({ issue_id: 347863 })],
  ['issue_id with white space', dump({ issue_id: ' 347863\n' })],
  ['issue_id a list (its JSON text)', dump({ issue_id: [3478, '63'] })],
  ['crawled_at an object', dump({ crawled_at: { t: '2026-01-03' } })],
  ['crawled_at a number', dump({ crawled_at: 20260103 })],
  ['crawled_at not a time', dump({ crawled_at: '어제\0' })],
  ['lists that are not lists', dump({ comments: 'none', history: 3, related_issues: null, attachments: { a: 1 } })],
  ['items that are not objects', dump({ history: [{ user: 'a' }, 'x\0', null, [1, '\0'], 5, { u: 2 }] })],
  ['item fields that are not strings', dump({ comments: [{ a: 1, b: null, c: { d: '\0' }, e: [true], f: false }] })],
  ['metadata not an object', dump({ metadata: ['x', { y: '\0' }] })],
  ['metadata fields that are not strings', dump({ metadata: { a: 7, b: null, c: [1], d: { e: 'f' }, g: 'h' } })],
  ['crawl_order strings', dump({ crawl_order: ' 3 ' })],
  ['crawl_order a list', dump({ crawl_order: [1, { a: '\0' }] })],
  ['crawl_order an object', dump({ crawl_order: {} })],
  ['crawl_order out of range', dump({ crawl_order: 2147483648 })],
  ['crawl_order negative, title too', dump({ crawl_order: -1, title: 1 })],
  ['crawl_order 1e400', withRaw('"crawl_order": 1e400').replace('"crawl_order":1,', '')],
  ['crawl_order written 5.0', withRaw('"crawl_order": 5.0', R`"x": "\u0000"`).replace('"crawl_order":1,', '')],
  ['numbers the old way rewrites', withRaw(R`"x": [1e400, -0, 5.0, 1E5, 12345678901234567890, 1e-1001, "\u0000"]`)],
  ['array-index keys first, in order', withRaw(R`"n": {"0": 1, "7": "\u0000", "x": 2, "01": 3, "4294967295": 4}`)],
  ['an empty key', withRaw(R`"": {"": "\u0000"}`)],
  ['deep nesting', withRaw(`"deep": ${'['.repeat(400)}"\\u0000"${']'.repeat(400)}`)],
  ['deep objects under a list key', dump({ comments: [{ c: deepObject(200) }] })],
  ['a string with every escape', rawAt('description', R`"\"\\\/\b\f\n\r\t\u0001\u001f\u00e9\u2028\u0000"`)],
  ['white space JSON.parse refuses, and a NUL', `\uFEFF${withRaw(R`"x": "\u0000"`)}`],
  ['no crawled_at, no crawl_order', withoutKeys(['crawled_at', 'crawl_order'], { title: null })],
];

function deepObject(depth: number): unknown {
  let v: unknown = 'x\0';
  for (let i = 0; i < depth; i++) v = { [`k${i}\0`]: v, n: i };
  return v;
}

function withoutKeys(keys: string[], overrides: Record<string, unknown>): string {
  const doc = issue(overrides);
  for (const key of keys) delete doc[key];
  return JSON.stringify(doc);
}

// Files the walk gives up: repairIssue's result would depend on the Assembler's object (a key
// twice, array-index keys listed first, a "__proto__" prototype), or it is an error. The old way
// loads or refuses them (issueRows below).
export const GIVEN_UP: [string, string, RegExp][] = [
  ['a key twice, with a repair', withRaw(R`"x": "a\u0000"`, '"x": "b"'), /twice/],
  ['a key twice once cleaned', withRaw(R`"a\u0000": "1"`, '"a": "2"'), /twice/],
  ['an index key after another key', withRaw(R`"n": {"x": "\u0000", "3": "y"}`), /index/],
  ['index keys out of order', withRaw(R`"n": {"3": "\u0000", "1": "y"}`), /index/],
  ['a key that becomes an index after another key', withRaw(R`"n": {"x": 1, "1\u0000": "y"}`), /index/],
  ['a "__proto__" key', withRaw('"__proto__": {"title": 5}', R`"y": "\u0000"`), /__proto__/],
  ['a key that becomes "__proto__"', withRaw(R`"__pro\u0000to__": {"a": 1}`), /__proto__/],
  ['crawl_order a long list', dump({ crawl_order: Array.from({ length: 20_000 }, (_, i) => i) }), /long/],
];

// Files repairIssue refuses: the streaming repairer refuses them with the same error.
export const REFUSED: [string, string][] = [
  ['no issue_id', rawAt('issue_id', 'null').replace('"issue_id": null', R`"x": "\u0000"`)],
  ['issue_id null', dump({ issue_id: null })],
  ['issue_id of spaces and a NUL', dump({ issue_id: ' \0 ' })],
  ['issue_id of 51 characters', dump({ issue_id: '9'.repeat(51), title: null })],
  ['issue_id a long object', dump({ issue_id: { a: 'b'.repeat(60) } })],
  ['issue_id "unknown"', dump({ issue_id: 'unknown', title: null })],
  ['issue_id "unknown", the id in a url that is a list', dump({ issue_id: ' unknown', url: ['?issueId=5'] })],
  ['issue_id "unknown", no url', withoutKeys(['url'], { issue_id: 'unknown' })],
  ['issue_id "unknown", a url that is a number', dump({ issue_id: 'unknown', url: 7 })],
  ['issue_id "unknown", a url of bad escapes', dump({ issue_id: 'unknown', url: 'x?issueId=%E0%A4%A' })],
  ['a list', '["\\u0000", {"a": 1}]'],
  ['a string', '"x\\u0000"'],
  ['a number', '3'],
  ['null', 'null'],
];
