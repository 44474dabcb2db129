import { appendFileSync, mkdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { IngestError } from '../../src/errors';
import { issueRows, IssueRowOptions } from '../../src/files/file-rows';
import { ProblemList } from '../../src/files/session-errors';
import { readJsonFile } from '../../src/files/read-json';
import { repairIssue } from '../../src/files/repair';
import { scanSession } from '../../src/files/session-folder';
import { checkVerbatim, verbatimText } from '../../src/files/passthrough';
import { FIXTURE_347863, issue as sampleIssue } from './sample-issue';
import { FIXED_MTIME, tempDirs } from './temp-tree';

// A big issue file that needs no repair is sent to COPY as its own text (verbatim.ts). The check
// that decides it must agree with repairIssue, and a file it passes must load as the same
// document as by the old way (assembled, repaired, written out piece by piece).

const temp = tempDirs('verbatim');
afterAll(() => temp.cleanup());
const fileWith = temp.file;

/** sample-issue.ts's issue with lists, metadata, and text the check must carry as it is (tab, newline, backslash, quotes, Japanese, emoji). */
function issue(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return sampleIssue({
    title: '[Project] TPETIME 에러 분석 문의 エラーが発生しました 🚀',
    description: 'TPETIME 에러가 발생합니다.\n\tC:\\tmax\\bin "인용"',
    related_issues: [{ issue_no: '340100', subject: '관련 이슈' }],
    comments: [
      {
        action_no: '2258642',
        author: '박민수',
        date: '2025/10/20 09:30:11',
        content: '확인 중입니다.\n로그 부탁드립니다.',
      },
      { action_no: '2261377', author: '김예진C', date: '2025/12/29 10:05:40', content: '감사합니다.' },
    ],
    history: [{ date: '2025/10/20 09:15:33', user: '이정훈', details: 'Handler: 김예진C -> 박민수' }],
    attachments: [{ name: 'tpetime.log', file_id: '884512' }],
    metadata: { category: 'Bug', version: '7.3' },
    ...overrides,
  });
}

/** The crawler's json.dump(indent=2, ensure_ascii=False). */
const dump = (overrides: Record<string, unknown> = {}): string => JSON.stringify(issue(overrides), null, 2);

/** issue() with members of raw JSON text after its own (a later duplicate key wins). */
const withRaw = (...members: string[]): string => `${JSON.stringify(issue()).slice(0, -1)}, ${members.join(', ')}}`;

function without(...keys: string[]): string {
  const doc = issue();
  for (const key of keys) delete doc[key];
  return JSON.stringify(doc, null, 2);
}

/**
 * What the check must say: repairIssue (on JSON.parse, as for a small file) makes no repair and
 * leaves the document unchanged; with the issue id, crawl order and time key it finds.
 */
function oracle(text: string): {
  verbatim: boolean;
  issueId?: string;
  crawlOrder?: number | null;
  crawledKey?: string;
} {
  try {
    const r = repairIssue(JSON.parse(text), 'x.json', { inPlace: true });
    const verbatim = r.repairs.length === 0 && isDeepStrictEqual(r.doc, JSON.parse(text));
    return { verbatim, issueId: r.issueId, crawlOrder: r.crawlOrder, crawledKey: r.crawledKey };
  } catch (err) {
    if (err instanceof IngestError && (err.code === 'INVALID_ISSUE' || err.code === 'LOGIN_EXPIRED'))
      return { verbatim: false };
    throw err;
  }
}

const CLEAN: [string, string][] = [
  ['a fixture file', readFileSync(FIXTURE_347863, 'utf8')],
  ['Korean, Japanese and emoji, indented', dump()],
  ['the same, compact', JSON.stringify(issue())],
  ['CRLF line ends and tabs', dump().replace(/\n/g, '\r\n').replace(/ {2}/g, '\t')],
  [
    'escapes in strings and keys',
    withRaw(
      String.raw`"description": "a\nb\tc\\d\"e\u00e9f\ud83d\ude00g\/h\bi\fj\rk"`,
      String.raw`"k\u00e9y": "\u0041"`,
    ),
  ],
  [
    'nested extra fields and numbers',
    dump({ extra: { a: [1, -0.5, 1e-5, 12345678901234567000, { b: null, c: true, d: false }], e: [] }, n: 3.25 }),
  ],
  ['extra top-level fields of any type', dump({ extra_n: 5, extra_null: null, extra_b: true, extra_l: [1, 'x'] })],
  ['number forms JSON.parse reads as they are', withRaw('"x": [0, -0, 1E5, 1e-300, 2.50, 1e+20, -12.5e-3]')],
  ['crawl_order 0', dump({ crawl_order: 0 })],
  ['crawl_order 2147483647', dump({ crawl_order: 2147483647 })],
  ['crawl_order written 5.0', withRaw('"crawl_order": 5.0')],
  ['crawl_order written 1e3', withRaw('"crawl_order": 1e3')],
  ['no crawl_order', without('crawl_order')],
  ['crawled_at ""', dump({ crawled_at: '' })],
  ['no crawled_at', without('crawled_at')],
  ['crawled_at without a fraction', dump({ crawled_at: '2026-01-03 12:09:02' })],
  ['an issue_id of 50 characters', dump({ issue_id: '9'.repeat(50) })],
  ['no lists, no metadata', without('related_issues', 'comments', 'history', 'attachments', 'metadata')],
  ['empty lists and metadata', dump({ comments: [], history: [], metadata: {} })],
  ['list items with extra string fields', dump({ comments: [{ action_no: '1', extra: 'x', 작성자: '박민수' }] })],
  ['a list with a bad value, then a good one', withRaw('"comments": 5', '"comments": []')],
  ['crawl_order "5", then 5', withRaw('"crawl_order": "5"', '"crawl_order": 5')],
  ['issue_id " 1 ", then "1"', withRaw('"issue_id": " 1 "', '"issue_id": "1"')],
  ['title 5, then "t"', withRaw('"title": 5', '"title": "t"')],
  ['crawled_at "어제", then a time', withRaw('"crawled_at": "어제"', '"crawled_at": "2026-01-04T10:00:00"')],
  ['a metadata field 1, then "x"', withRaw('"metadata": {"v": 1, "v": "x"}')],
  ['a list item field 1, then "x"', withRaw('"comments": [{"a": 1, "a": "x"}, {"b": "y"}]')],
  ['a metadata that is a list, then an object', withRaw('"metadata": [1]', '"metadata": {"a": "b"}')],
];

const NEEDS_REPAIR: [string, string][] = [
  ['a list', '[1, 2]'],
  ['a string', '"x"'],
  ['null', 'null'],
  ['a number', '3'],
  ['NUL in a string', withRaw(String.raw`"description": "a\u0000b"`)],
  ['NUL in a key', withRaw(String.raw`"ex\u0000tra": "v"`)],
  ['NUL deep in an extra field', withRaw(String.raw`"extra": {"deep": [{"x": "\u0000"}]}`)],
  ['NUL in a comment', withRaw(String.raw`"comments": [{"content": "a\u0000"}]`)],
  ['a lone high surrogate', withRaw(String.raw`"title": "\ud800"`)],
  ['a lone low surrogate', withRaw(String.raw`"title": "a\udc00b"`)],
  ['a high surrogate before a non-surrogate', withRaw(String.raw`"title": "\ud83d x"`)],
  ['a lone surrogate in a key', withRaw(String.raw`"\ud800": "v"`)],
  ['title 42', dump({ title: 42 })],
  ['status true', dump({ status: true })],
  ['description null', dump({ description: null })],
  ['product an object', dump({ product: { name: 'OpenFrame' } })],
  ['assignee a list', dump({ assignee: ['a'] })],
  ['url 1.5', dump({ url: 1.5 })],
  ['crawled_at a number', dump({ crawled_at: 20260103 })],
  ['no issue_id', without('issue_id')],
  ['issue_id ""', dump({ issue_id: '' })],
  ['issue_id of spaces', dump({ issue_id: '   ' })],
  ['issue_id "unknown"', dump({ issue_id: 'unknown' })],
  ['issue_id of 51 characters', dump({ issue_id: '9'.repeat(51) })],
  ['issue_id with a space before', dump({ issue_id: ' 347863' })],
  ['issue_id with a newline after', dump({ issue_id: '347863\n' })],
  ['issue_id with an ideographic space after', dump({ issue_id: '347863\u3000' })],
  ['issue_id a number', dump({ issue_id: 347863 })],
  ['issue_id null', dump({ issue_id: null })],
  ['comments a string', dump({ comments: 'none' })],
  ['comments an object', dump({ comments: { a: '1' } })],
  ['comments null', dump({ comments: null })],
  ['history a number', dump({ history: 3 })],
  ['an item that is a string', dump({ history: [{ user: 'a' }, 'x'] })],
  ['an item that is null', dump({ related_issues: [null] })],
  ['an item that is a list', dump({ attachments: [[1]] })],
  ['an item that is a number', dump({ comments: [5] })],
  ['an item field that is a number', dump({ attachments: [{ name: 'a.log', file_id: 884512 }] })],
  ['an item field that is null', dump({ comments: [{ content: null }] })],
  ['an item field that is an object', dump({ comments: [{ content: { t: 'x' } }] })],
  ['an item field that is a list', dump({ comments: [{ content: [] }] })],
  ['an item field that is a boolean', dump({ comments: [{ content: 'x' }, { content: 'y', flag: false }] })],
  ['metadata a list', dump({ metadata: ['x'] })],
  ['metadata a string', dump({ metadata: 'category' })],
  ['metadata null', dump({ metadata: null })],
  ['metadata 0', dump({ metadata: 0 })],
  ['a metadata field 7', dump({ metadata: { category: 'Bug', version: 7 } })],
  ['a metadata field null', dump({ metadata: { patch_no: null } })],
  ['a metadata field a list', dump({ metadata: { build_no: [1] } })],
  ['a metadata field an object', dump({ metadata: { build: { no: '1' } } })],
  ['crawl_order "5"', dump({ crawl_order: '5' })],
  ['crawl_order " 3 "', dump({ crawl_order: ' 3 ' })],
  ['crawl_order 2.5', dump({ crawl_order: 2.5 })],
  ['crawl_order -1', dump({ crawl_order: -1 })],
  ['crawl_order null', dump({ crawl_order: null })],
  ['crawl_order true', dump({ crawl_order: true })],
  ['crawl_order ""', dump({ crawl_order: '' })],
  ['crawl_order 2147483648', dump({ crawl_order: 2147483648 })],
  ['crawl_order [1]', dump({ crawl_order: [1] })],
  ['crawl_order {}', dump({ crawl_order: {} })],
  ['crawled_at "어제"', dump({ crawled_at: '어제' })],
  ['crawled_at in month 13', dump({ crawled_at: '2026-13-03T12:09:02' })],
  ['crawled_at at hour 25', dump({ crawled_at: '2026-01-03 25:00:00' })],
  ['a list, then a bad value', withRaw('"comments": []', '"comments": 5')],
  ['crawl_order 5, then "5"', withRaw('"crawl_order": 5', '"crawl_order": "5"')],
  ['issue_id "1", then " 1"', withRaw('"issue_id": "1"', '"issue_id": " 1"')],
  ['a metadata field "x", then 1', withRaw('"metadata": {"v": "x", "v": 1}')],
  ['a list item field "x", then 1', withRaw('"comments": [{"a": "x", "a": 1}]')],
  ['crawled_at a time, then "어제"', withRaw('"crawled_at": "2026-01-04T10:00:00"', '"crawled_at": "어제"')],
];

describe('checkVerbatim agrees with repairIssue', () => {
  it.each(CLEAN)("passes %s, with repairIssue's issue id, crawl order and time key", async (_label, text) => {
    const expected = oracle(text);
    expect(expected.verbatim).toBe(true);
    const check = await checkVerbatim(fileWith(text), 'x.json');
    expect(check).toMatchObject({ verbatim: true, issueId: expected.issueId, crawlOrder: expected.crawlOrder });
    expect(check.verbatim && check.crawledKey).toBe(expected.crawledKey);
  });

  it.each(NEEDS_REPAIR)('sends %s the old way', async (_label, text) => {
    expect(oracle(text).verbatim).toBe(false);
    const check = await checkVerbatim(fileWith(text), 'x.json');
    expect(check.verbatim).toBe(false);
  });

  it('stamps the file with its size and modification time', async () => {
    const path = fileWith(dump());
    utimesSync(path, FIXED_MTIME, FIXED_MTIME);
    const check = await checkVerbatim(path, 'x.json');
    expect(check.verbatim && check.stamp).toEqual({ size: Buffer.byteLength(dump()), mtimeMs: FIXED_MTIME.getTime() });
  });
});

// Files repairIssue would keep as they are, whose text cannot go to jsonb as it is (or the
// old way reads otherwise): the old way, which accepts them, loads them.
const OLD_WAY_ANYWAY: [string, string | Buffer, RegExp][] = [
  ['a byte order mark', `\uFEFF${dump()}`, /white space/],
  ['U+00A0 between tokens', dump().replace('\n', '\u00a0\n'), /white space/],
  ['U+3000 between tokens', dump().replace(',\n', '\u3000,\n'), /white space/],
  ['a form feed between tokens', dump().replace(',\n', '\f,\n'), /white space/],
  ['a vertical tab between tokens', dump().replace(',\n', ',\v\n'), /white space/],
  ['a NUL in a value a duplicate key replaces', withRaw(String.raw`"x": "a\u0000"`, '"x": "b"'), /NUL/],
  ['a lone surrogate in a value a duplicate key replaces', withRaw(String.raw`"x": "\udc00"`, '"x": "b"'), /surrogate/],
  ['a "__proto__" key', withRaw('"__proto__": "x"'), /__proto__/],
  ['a number beyond a double', withRaw('"x": 1e400'), /number/],
  ['a number below a double', withRaw('"x": -1e400'), /number/],
  ['an exponent beyond numeric', withRaw('"x": 1e-1001'), /number/],
  ['a number of over 1000 characters', withRaw(`"x": 0.${'1'.repeat(1000)}`), /number/],
];

describe('checkVerbatim: files the old way loads', () => {
  it.each(OLD_WAY_ANYWAY)('sends %s the old way', async (_label, text, reason) => {
    const check = await checkVerbatim(fileWith(text), 'x.json');
    expect(check.verbatim).toBe(false);
    expect(!check.verbatim && check.reason).toMatch(reason);
  });

  it('does not mistake the same characters inside strings for white space', async () => {
    const text = dump({ title: '\uFEFF\u00a0\u3000 \\" \\\\', description: 'a\fb\vc' });
    await expect(checkVerbatim(fileWith(text), 'x.json')).resolves.toMatchObject({ verbatim: true });
  });
});

/** The rows of COPY text, each as its columns, unescaped (`\N` as null). */
function copyRows(text: string): (string | null)[][] {
  const unescape = (v: string): string | null =>
    v === '\\N' ? null : v.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
  return text
    .split('\n')
    .filter(Boolean)
    .map((row) => row.split('\t').map(unescape));
}

/** JSON text as jsonb holds it, as far as JavaScript can tell: jsonb (numeric) has no -0. */
const jsonbValue = (text: string): unknown => JSON.parse(text, (_key, v: unknown) => (Object.is(v, -0) ? 0 : v));

async function load(
  dir: string,
  options: IssueRowOptions,
): Promise<{ rows: (string | null)[][]; problems: ProblemList }> {
  const contents = await scanSession(dir);
  const problems = new ProblemList();
  let text = '';
  for await (const chunk of issueRows(
    contents.issueFiles,
    '2026-01-03 12:08:55.000000',
    problems,
    { staged: 0, rejected: 0, readMs: 0, bytes: 0 },
    options,
  ))
    text += chunk;
  return { rows: copyRows(text), problems };
}

/** A session folder holding `texts` as issue files, in this order. */
function sessionWith(texts: (string | Buffer)[]): { dir: string; names: string[] } {
  const dir = join(temp.make(), 'OpenFrame_TPETIME_에러_20260103_120855');
  mkdirSync(dir);
  const names = texts.map((text, i) => {
    // Named for the sample's issue, as the crawler names it (a name saying another issue is an
    // error of its own, file-rows.ts); the timestamps keep the files in the order given.
    const name = `347863_20260103_12${String(Math.floor(i / 60)).padStart(2, '0')}${String(i % 60).padStart(2, '0')}.json`;
    writeFileSync(join(dir, name), text);
    return name;
  });
  return { dir, names };
}

describe('issueRows: a file that needs no repair is its own text', () => {
  const texts = [...CLEAN, ...NEEDS_REPAIR, ...OLD_WAY_ANYWAY].map(([, text]) => text);
  const verbatimCount = CLEAN.length;

  it("gives rows whose document is the file, JSON-equal to the old way's; the others exactly as before", async () => {
    const { dir } = sessionWith(texts);
    const fast = await load(dir, { verbatimAbove: -1 });
    const old = await load(dir, { verbatimAbove: Infinity });
    expect(fast.problems.items).toEqual(old.problems.items);
    expect(fast.rows.length).toBe(old.rows.length);
    expect(old.problems.errors).toBeGreaterThan(5); // the documents repairIssue refuses
    expect(old.problems.warnings).toBeGreaterThan(30); // the repaired ones
    let same = 0;
    fast.rows.forEach((row, i) => {
      const oldRow = old.rows[i];
      expect(row.slice(0, 5)).toEqual(oldRow.slice(0, 5)); // file_no, rel_path, issue_id, crawl_order, crawled_key
      const fileNo = Number(row[0]);
      if (fileNo <= verbatimCount) {
        expect(row[5]).toBe(texts[fileNo - 1]);
        expect(jsonbValue(row[5]!)).toEqual(jsonbValue(oldRow[5]!));
      } else {
        expect(row[5]).toBe(oldRow[5]);
        same++;
      }
    });
    expect(same).toBeGreaterThan(30);
  });

  it('streams a file larger than WHOLE_READ_MAX_BYTES by default, multi-byte characters split across read chunks', async () => {
    const line = '에러 발생 – 로그 확인 부탁드립니다 '.repeat(7) + '🚀 エラー';
    const comments = Array.from({ length: 12_000 }, (_, k) => ({
      action_no: String(k),
      content: `${line}${k}\n"인용" \\ 끝`,
    }));
    const text = dump({ comments });
    expect(Buffer.byteLength(text)).toBeGreaterThan(4 * 1024 * 1024);
    const { dir } = sessionWith([text]);
    const fast = await load(dir, {});
    const old = await load(dir, { verbatimAbove: Infinity });
    expect(fast.problems.items).toEqual([]);
    expect(fast.rows[0].slice(0, 5)).toEqual([
      '1',
      '347863_20260103_120000.json',
      '347863',
      '1',
      '2026-01-03 12:09:02.481537',
    ]);
    expect(fast.rows[0][5]).toBe(text);
    expect(old.rows[0][5]).toBe(JSON.stringify(JSON.parse(text)));
  });

  it('takes the time from the file name, then the session, when crawled_at has none', async () => {
    const { dir } = sessionWith([without('crawled_at')]);
    const fast = await load(dir, { verbatimAbove: -1 });
    expect(fast.rows[0][4]).toBe('2026-01-03 12:00:00.000000');
    const issues = join(dir, 'issues');
    mkdirSync(issues);
    writeFileSync(join(issues, '347863.json'), without('crawled_at'));
    rmSync(join(dir, '347863_20260103_120000.json'));
    expect((await load(dir, { verbatimAbove: -1 })).rows[0][4]).toBe('2026-01-03 12:08:55.000000');
  });
});

describe('a big file that cannot be read', () => {
  const full = readFileSync(FIXTURE_347863, 'utf8');
  const BROKEN: [string, string | Buffer][] = [
    ['half-written', full.slice(0, Math.floor(full.length / 2))],
    ['cut inside a multi-byte character', Buffer.from('{"t": "에', 'utf8').subarray(0, -1)],
    ['white space only', ' \n\t\n'],
    ['trailing garbage', '{"a": 1} x'],
    ['two values', '{} {}'],
    ['an unquoted key', '{a: 1}'],
  ];

  it.each(BROKEN)('is reported as the old way reports it: %s', async (_label, content) => {
    const path = fileWith(content);
    const expected = await readJsonFile(path, 'shown.json').then(
      () => undefined,
      (err: IngestError) => err,
    );
    expect(expected).toBeInstanceOf(IngestError);
    const err = await checkVerbatim(path, 'shown.json').then(
      () => undefined,
      (e: IngestError) => e,
    );
    expect(err).toBeInstanceOf(IngestError);
    expect({ code: err!.code, message: err!.message, file: err!.file }).toEqual({
      code: expected!.code,
      message: expected!.message,
      file: expected!.file,
    });
  });

  it('says an empty file is empty, and a missing one cannot be read', async () => {
    await expect(checkVerbatim(fileWith(''), 'e.json')).rejects.toThrow(/^e\.json: the file is empty$/);
    await expect(checkVerbatim(join(temp.make(), 'gone.json'), 'g.json')).rejects.toThrow(
      /^g\.json: cannot read: ENOENT/,
    );
  });

  it('gives the same problems through issueRows', async () => {
    const { dir } = sessionWith([...BROKEN.map(([, content]) => content), '']);
    const fast = await load(dir, { verbatimAbove: -1 });
    const old = await load(dir, { verbatimAbove: Infinity });
    expect(fast.rows).toEqual([]);
    expect(fast.problems.errors).toBe(BROKEN.length + 1);
    expect(fast.problems.items).toEqual(old.problems.items);
  });
});

describe('verbatimText: the file must still be the one checked', () => {
  async function read(path: string, stamp: { size: number; mtimeMs: number }, between?: () => void): Promise<string> {
    let text = '';
    for await (const chunk of verbatimText(path, 'v.json', stamp)) {
      text += chunk;
      between?.();
      between = undefined;
    }
    return text;
  }

  async function checked(text: string): Promise<{ path: string; stamp: { size: number; mtimeMs: number } }> {
    const path = fileWith(text);
    const check = await checkVerbatim(path, 'v.json');
    if (!check.verbatim) throw new Error('expected a clean file');
    return { path, stamp: check.stamp };
  }

  const big = dump({
    comments: Array.from({ length: 2500 }, (_, k) => ({ action_no: String(k), content: '로그 확인 부탁드립니다' })),
  });

  it('reads the file as it was checked', async () => {
    const { path, stamp } = await checked(big);
    expect(Buffer.byteLength(big)).toBeGreaterThan(3 * 64 * 1024);
    await expect(read(path, stamp)).resolves.toBe(big);
  });

  it('refuses a file written to since the check', async () => {
    const { path, stamp } = await checked(big);
    appendFileSync(path, ' ');
    await expect(read(path, stamp)).rejects.toThrow(/^v\.json: changed while being read/);
  });

  it('refuses a file rewritten to the same size since the check', async () => {
    const { path, stamp } = await checked(big);
    utimesSync(path, new Date(stamp.mtimeMs + 2000), new Date(stamp.mtimeMs + 2000));
    await expect(read(path, stamp)).rejects.toThrow(/changed while being read/);
  });

  it('refuses a file that changes while it is being read', async () => {
    const grown = await checked(big);
    await expect(read(grown.path, grown.stamp, () => appendFileSync(grown.path, '\n'))).rejects.toThrow(
      /changed while being read/,
    );
    const cut = await checked(big);
    await expect(read(cut.path, cut.stamp, () => truncateSync(cut.path, 100_000))).rejects.toThrow(
      /changed while being read/,
    );
  });

  it('says a file removed since the check cannot be read', async () => {
    const { path, stamp } = await checked(big);
    rmSync(path);
    const err = await read(path, stamp).then(
      () => undefined,
      (e: IngestError) => e,
    );
    expect(err).toBeInstanceOf(IngestError);
    expect(err!.code).toBe('PARSE_FAILED');
    expect(err!.message).toMatch(/^v\.json: cannot read: ENOENT/);
  });
});
