import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { IngestError } from '../../src/errors';
import { cleanJson, repairIssue } from '../../src/files/repair';
import { issue } from './sample-issue';

const FIXTURES = join(__dirname, '..', '..', 'fixtures');
const S1 = join(FIXTURES, 'users/alice/sessions/OpenFrame_TPETIME_error_에러_오류_20260103_120855');
const S3 = join(FIXTURES, 'users/bob/sessions/Tibero_ORA-600_internal_error_20260105_091500');

function catchError(fn: () => unknown): IngestError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    return err as IngestError;
  }
  throw new Error('expected an IngestError, nothing was thrown');
}

function fixtureIssueFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'attachments' && e.name !== 'history') walk(abs);
      } else if (/^(\d+_\d{8}_\d{6}|\d+)\.json$/.test(e.name)) {
        out.push(abs);
      }
    }
  };
  walk(FIXTURES);
  return out.sort();
}

describe('repairIssue on clean documents', () => {
  it('passes a fixture document with no repairs and the same content', () => {
    const file = join(S1, '347863_20260103_120902.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    const r = repairIssue(parsed, file);
    expect(r.repairs).toEqual([]);
    expect(r.issueId).toBe('347863');
    expect(r.crawlOrder).toBe(1);
    expect(r.crawledKey).toBe('2026-01-03 12:09:02.481537');
    expect(r.doc).toEqual(parsed);
  });

  it('passes every fixture issue file except the NUL-carrying 351234 with no repairs', () => {
    const files = fixtureIssueFiles();
    expect(files).toHaveLength(18); // 16 + the 2 of S5's migrated copy (not unknown_<ts>.json)
    const withRepairs = files.filter((f) => repairIssue(JSON.parse(readFileSync(f, 'utf8')), f).repairs.length > 0);
    expect(withRepairs).toEqual([join(S3, '351234_20260105_091506.json')]);
  });

  it('reads the related issue without crawl_order as crawlOrder null, with no repair', () => {
    const file = join(S1, '340100_20260103_120904.json');
    const r = repairIssue(JSON.parse(readFileSync(file, 'utf8')), file);
    expect(r.crawlOrder).toBeNull();
    expect('crawl_order' in r.doc).toBe(false);
    expect(r.repairs).toEqual([]);
  });

  it('keeps unknown extra keys, and a missing list stays missing without a repair', () => {
    const doc = issue({ extra_field: 'kept', nested_extra: { a: 1 } });
    delete doc.history;
    const r = repairIssue(doc, 'x.json');
    expect(r.repairs).toEqual([]);
    expect(r.doc.extra_field).toBe('kept');
    expect(r.doc.nested_extra).toEqual({ a: 1 });
    expect('history' in r.doc).toBe(false);
  });
});

describe('repairIssue: NUL and unpaired surrogates', () => {
  it('removes NUL from the S3 fixture and names description and comments[1].content', () => {
    const file = join(S3, '351234_20260105_091506.json');
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    const r = repairIssue(parsed, file);
    expect(r.repairs).toEqual([
      'removed 1 NUL character from description',
      'removed 1 NUL character from comments[1].content',
    ]);
    expect(r.doc.description).toBe((parsed.description as string).replace('\0', ''));
    const comments = r.doc.comments as Record<string, string>[];
    expect(comments[1].content).toBe((parsed.comments[1].content as string).replace('\0', ''));
    expect(comments[1].content).not.toContain('\0');
    // Everything else in the hostile strings survives untouched.
    expect(r.doc.title).toBe(parsed.title);
    expect(r.doc.title).toContain('C:\\tmax\\bin\\tbsvr.exe \\N 🚀\n(재발)');
    expect(r.doc.product_notice).toBe(parsed.product_notice);
  });

  it('counts NUL characters and names nested paths', () => {
    const r = repairIssue(
      issue({
        title: '\0a\0b\0',
        metadata: { customer: 'x\0y' },
        related_issues: [{ issue_no: '340100', subject: 's' }, { issue_no: '34\x000101' }],
      }),
      'x.json',
    );
    expect(r.repairs).toEqual([
      'removed 3 NUL characters from title',
      'removed 1 NUL character from related_issues[1].issue_no',
      'removed 1 NUL character from metadata.customer',
    ]);
    expect(r.doc.title).toBe('ab');
    expect(r.doc.metadata).toEqual({ customer: 'xy' });
    expect((r.doc.related_issues as Record<string, string>[])[1].issue_no).toBe('340101');
  });

  it('removes NUL from the issue_id before checking it', () => {
    const r = repairIssue(issue({ issue_id: '3478\x0063' }), 'x.json');
    expect(r.issueId).toBe('347863');
    expect(r.repairs).toEqual(['removed 1 NUL character from issue_id']);
  });

  it('removes NUL from a key and says so', () => {
    const r = repairIssue(issue({ 'ex\0tra': 'v' }), 'x.json');
    expect(r.doc.extra).toBe('v');
    expect(Object.keys(r.doc).some((k) => k.includes('\0'))).toBe(false);
    expect(r.repairs).toEqual(['removed 1 NUL character from {key}']);
  });

  it('replaces unpaired surrogates with U+FFFD, keeps paired ones', () => {
    // JSON.parse of "\ud800" yields a lone high surrogate, exactly as a file could carry it.
    const parsed = JSON.parse('{"t": "a\\ud800b", "c": "\\udc00", "ok": "\\ud83d\\ude80"}');
    const r = repairIssue(
      issue({ title: parsed.t, comments: [{ action_no: '1', content: parsed.c }], description: parsed.ok }),
      'x.json',
    );
    expect(r.doc.title).toBe('a\uFFFDb');
    expect((r.doc.comments as Record<string, string>[])[0].content).toBe('\uFFFD');
    expect(r.doc.description).toBe('🚀');
    expect(r.repairs).toEqual([
      'replaced unpaired surrogate(s) in title with U+FFFD',
      'replaced unpaired surrogate(s) in comments[0].content with U+FFFD',
    ]);
  });

  it('does not modify the value it was given', () => {
    const input = issue({ title: 'a\0b', comments: 'none', crawl_order: 'x' });
    const before = JSON.stringify(input);
    repairIssue(input, 'x.json');
    expect(JSON.stringify(input)).toBe(before);
    expect(input.title).toBe('a\0b');
  });
});

describe('repairIssue: scalar fields of the wrong type', () => {
  it('coerces numbers, booleans, null, objects and lists, one message each', () => {
    const r = repairIssue(
      issue({
        title: 42,
        status: true,
        description: null,
        product: { name: 'OpenFrame', v: 7 },
        assignee: ['a', 1],
        url: 1.5,
      }),
      'x.json',
    );
    expect(r.doc.title).toBe('42');
    expect(r.doc.status).toBe('true');
    expect(r.doc.description).toBe('');
    expect(r.doc.product).toBe('{"name":"OpenFrame","v":7}');
    expect(r.doc.assignee).toBe('["a",1]');
    expect(r.doc.url).toBe('1.5');
    expect(r.repairs).toEqual([
      'title was a number; read as the string "42"',
      'description was null; read as ""',
      'product was an object; kept as its JSON text',
      'status was a boolean; read as the string "true"',
      'assignee was a list; kept as its JSON text',
      'url was a number; read as the string "1.5"',
    ]);
  });

  it('reads a numeric issue_id as its string', () => {
    const r = repairIssue(issue({ issue_id: 347863 }), 'x.json');
    expect(r.issueId).toBe('347863');
    expect(r.doc.issue_id).toBe('347863');
    expect(r.repairs).toEqual(['issue_id was a number; read as the string "347863"']);
  });

  it('trims white space around the issue_id', () => {
    const r = repairIssue(issue({ issue_id: ' 347863\n' }), 'x.json');
    expect(r.issueId).toBe('347863');
    expect(r.doc.issue_id).toBe('347863');
  });
});

describe('repairIssue: lists', () => {
  it.each([
    ['a string', 'none'],
    ['an object', { a: 1 }],
    ['null', null],
    ['a number', 3],
    ['a boolean', false],
  ])('reads %s in place of a list as []', (described, value) => {
    const r = repairIssue(issue({ comments: value }), 'x.json');
    expect(r.doc.comments).toEqual([]);
    expect(r.repairs).toEqual([`comments was ${described}, not a list; read as []`]);
  });

  it('drops list items that are not objects, naming their index', () => {
    const good = { date: '2025/10/20 09:15:33', user: '이정훈', details: 'Handler: 김예진C -> 박민수' };
    const r = repairIssue(issue({ history: [good, 'x', null, [1], 5, { ...good, user: '박민수' }] }), 'x.json');
    expect(r.doc.history).toEqual([good, { ...good, user: '박민수' }]);
    expect(r.repairs).toEqual([
      'history[1] was a string, not an object; left out',
      'history[2] was null, not an object; left out',
      'history[3] was a list, not an object; left out',
      'history[4] was a number, not an object; left out',
    ]);
  });

  it('reads non-string fields of list items as strings', () => {
    const r = repairIssue(
      issue({
        attachments: [{ name: 'a.log', file_id: 884512, size: null, type: { t: 'patch' }, flag: true }],
      }),
      'x.json',
    );
    expect(r.doc.attachments).toEqual([
      { name: 'a.log', file_id: '884512', size: '', type: '{"t":"patch"}', flag: 'true' },
    ]);
    expect(r.repairs).toEqual([
      'attachments[0].file_id was a number; read as a string',
      'attachments[0].size was null; read as a string',
      'attachments[0].type was an object; read as a string',
      'attachments[0].flag was a boolean; read as a string',
    ]);
  });
});

describe('repairIssue: metadata', () => {
  it.each([
    ['a list', ['x']],
    ['a string', 'category'],
    ['null', null],
    ['a number', 0],
  ])('reads metadata that is %s as {}', (described, value) => {
    const r = repairIssue(issue({ metadata: value }), 'x.json');
    expect(r.doc.metadata).toEqual({});
    expect(r.repairs).toEqual([`metadata was ${described}, not an object; read as {}`]);
  });

  it('reads non-string metadata values as strings', () => {
    const r = repairIssue(
      issue({ metadata: { category: 'Bug', version: 7, patch_no: null, build_no: [1] } }),
      'x.json',
    );
    expect(r.doc.metadata).toEqual({ category: 'Bug', version: '7', patch_no: '', build_no: '[1]' });
    expect(r.repairs).toEqual([
      'metadata.version was a number; read as a string',
      'metadata.patch_no was null; read as a string',
      'metadata.build_no was a list; read as a string',
    ]);
  });
});

describe('repairIssue: crawl_order', () => {
  it('keeps an integer', () => {
    const r = repairIssue(issue({ crawl_order: 7 }), 'x.json');
    expect(r.crawlOrder).toBe(7);
    expect(r.doc.crawl_order).toBe(7);
    expect(r.repairs).toEqual([]);
  });

  it('reads a numeric string as the number', () => {
    for (const [raw, n] of [
      ['12', 12],
      [' 3 ', 3],
      ['0', 0],
    ] as const) {
      const r = repairIssue(issue({ crawl_order: raw }), 'x.json');
      expect(r.crawlOrder).toBe(n);
      expect(r.doc.crawl_order).toBe(n);
    }
  });

  it.each([
    ['"abc"', 'abc'],
    ['1.5', 1.5],
    ['-1', -1],
    ['null', null],
    ['true', true],
    ['""', ''],
    ['"1.5"', '1.5'],
    ['2147483648', 2147483648],
    ['[1]', [1]],
  ])('reads crawl_order %s as absent, with a message', (shown, raw) => {
    const r = repairIssue(issue({ crawl_order: raw }), 'x.json');
    expect(r.crawlOrder).toBeNull();
    expect('crawl_order' in r.doc).toBe(false);
    expect(r.repairs).toEqual([`crawl_order ${shown} is not a whole number; read as absent`]);
  });

  it('keeps the largest int4', () => {
    expect(repairIssue(issue({ crawl_order: 2147483647 }), 'x.json').crawlOrder).toBe(2147483647);
  });

  it('reads an absent crawl_order as null without a message', () => {
    const doc = issue();
    delete doc.crawl_order;
    const r = repairIssue(doc, 'x.json');
    expect(r.crawlOrder).toBeNull();
    expect('crawl_order' in r.doc).toBe(false);
    expect(r.repairs).toEqual([]);
  });
});

describe('repairIssue: crawled_at', () => {
  it.each([
    ['2026-01-03T15:50:05.482913', '2026-01-03 15:50:05.482913'],
    ['2026-01-03T15:50:05', '2026-01-03 15:50:05.000000'],
    ['2026-01-03T15:50:05.5', '2026-01-03 15:50:05.500000'],
  ])('extracts the key of %s', (value, key) => {
    const r = repairIssue(issue({ crawled_at: value }), 'x.json');
    expect(r.crawledKey).toBe(key);
    expect(r.doc.crawled_at).toBe(value);
    expect(r.repairs).toEqual([]);
  });

  it('has no key and says so when crawled_at is not a time', () => {
    const r = repairIssue(issue({ crawled_at: '어제' }), 'x.json');
    expect(r.crawledKey).toBeUndefined();
    expect(r.repairs).toEqual(['crawled_at "어제" is not a time; the file name\'s time is used']);
  });

  it('has no key and no message when crawled_at is "" or absent', () => {
    expect(repairIssue(issue({ crawled_at: '' }), 'x.json')).toMatchObject({ crawledKey: undefined, repairs: [] });
    const doc = issue();
    delete doc.crawled_at;
    expect(repairIssue(doc, 'x.json')).toMatchObject({ crawledKey: undefined, repairs: [] });
  });

  it('reports a numeric crawled_at twice: coerced, then not a time', () => {
    const r = repairIssue(issue({ crawled_at: 20260103 }), 'x.json');
    expect(r.crawledKey).toBeUndefined();
    expect(r.repairs).toEqual([
      'crawled_at was a number; read as the string "20260103"',
      'crawled_at "20260103" is not a time; the file name\'s time is used',
    ]);
  });
});

describe('repairIssue: what cannot be repaired', () => {
  const FILE = 'users/alice/sessions/S/347863_20260103_120902.json';

  it.each([
    ['a list', []],
    ['null', null],
    ['a string', 'x'],
    ['a number', 3],
  ])('refuses a document that is %s', (described, value) => {
    const err = catchError(() => repairIssue(value, FILE));
    expect(err.code).toBe('INVALID_ISSUE');
    expect(err.file).toBe(FILE);
    expect(err.message).toBe(`${FILE}: expected a JSON object, found ${described}`);
  });

  it.each([
    ['missing', undefined],
    ['""', ''],
    ['white space', '   '],
    ['null', null],
  ])('refuses an issue_id that is %s', (_label, value) => {
    const doc = issue();
    if (value === undefined) delete doc.issue_id;
    else doc.issue_id = value;
    const err = catchError(() => repairIssue(doc, FILE));
    expect(err.code).toBe('INVALID_ISSUE');
    expect(err.file).toBe(FILE);
    expect(err.message).toBe(`${FILE}: issue_id is missing or empty; the file is not loaded`);
  });

  it('refuses issue_id "unknown": the page the crawler saved when the IMS login expired', () => {
    const err = catchError(() => repairIssue(issue({ issue_id: 'unknown' }), FILE));
    expect(err.code).toBe('LOGIN_EXPIRED');
    expect(err.file).toBe(FILE);
    // The crawler's expired-login page, named by the id in its url (here the sample's 347863).
    expect(err.message).toBe(
      `${FILE}: issue 347863: the IMS login had expired: the page is not an issue page; not loaded`,
    );
  });

  it('refuses an issue_id longer than 50 characters, accepts 50', () => {
    const err = catchError(() => repairIssue(issue({ issue_id: '9'.repeat(51) }), FILE));
    expect(err.code).toBe('INVALID_ISSUE');
    expect(err.file).toBe(FILE);
    expect(err.message).toBe(`${FILE}: issue_id is 51 characters long (at most 50)`);
    expect(repairIssue(issue({ issue_id: '9'.repeat(50) }), FILE).issueId).toBe('9'.repeat(50));
  });
});

describe('cleanJson', () => {
  it('cleans strings at any depth and in keys, naming each place', () => {
    const repairs: string[] = [];
    const lone = JSON.parse('"\\udc00"') as string;
    const out = cleanJson({ a: ['x\0y', { 'k\0': lone }], n: 1, b: true, z: null }, repairs);
    expect(out).toEqual({ a: ['xy', { k: '\uFFFD' }], n: 1, b: true, z: null });
    expect(repairs).toEqual([
      'removed 1 NUL character from a[0]',
      'removed 1 NUL character from a[1]{key}',
      'replaced unpaired surrogate(s) in a[1].k with U+FFFD',
    ]);
  });

  it('names "the document" for a top-level string', () => {
    const repairs: string[] = [];
    expect(cleanJson('\0\0', repairs)).toBe('');
    expect(cleanJson('\ud800', repairs)).toBe('\uFFFD');
    expect(repairs).toEqual([
      'removed 2 NUL characters from the document',
      'replaced unpaired surrogate(s) in the document with U+FFFD',
    ]);
  });

  it('returns a deep copy and leaves clean data alone', () => {
    const repairs: string[] = [];
    const input = { list: [{ s: '에러 🚀 C:\\tmax \\N' }] };
    const out = cleanJson(input, repairs) as typeof input;
    expect(out).toEqual(input);
    expect(out).not.toBe(input);
    expect(out.list).not.toBe(input.list);
    expect(out.list[0]).not.toBe(input.list[0]);
    expect(repairs).toEqual([]);
  });
});
