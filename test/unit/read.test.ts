import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { IngestError } from '../../src/errors';
import { readJsonFile } from '../../src/files/read-json';
import { FIXTURE_347863 } from './sample-issue';
import { tempDirs } from './temp-tree';

const temp = tempDirs('read');
afterAll(() => temp.cleanup());
const fileWith = temp.file;

async function readError(path: string, shownAs?: string): Promise<IngestError> {
  try {
    await readJsonFile(path, shownAs);
  } catch (err) {
    expect(err).toBeInstanceOf(IngestError);
    return err as IngestError;
  }
  throw new Error(`expected ${path} to fail`);
}

describe('readJsonFile: files that parse', () => {
  it('reads a fixture issue file to the same value as JSON.parse', async () => {
    const value = await readJsonFile(FIXTURE_347863);
    expect(value).toEqual(JSON.parse(readFileSync(FIXTURE_347863, 'utf8')));
    expect((value as Record<string, unknown>).issue_id).toBe('347863');
  });

  it('reads a file written like json.dump(indent=2, ensure_ascii=False), no trailing newline', async () => {
    const doc = { issue_id: '1', title: 'x', comments: [{ action_no: '2', content: 'a\tb\nc' }], crawl_order: 3 };
    const path = fileWith(JSON.stringify(doc, null, 2));
    await expect(readJsonFile(path)).resolves.toEqual(doc);
  });

  it('keeps Korean, Japanese, emoji and escapes exactly, including \\u0000', async () => {
    const text =
      '{"title": "TPETIME 에러 분석 및 가이드 문의 エラーが発生しました 🚀", "d": "C:\\\\tmax\\\\bin \\\\N \\u0000 \\t"}';
    const value = (await readJsonFile(fileWith(text))) as Record<string, string>;
    expect(value.title).toBe('TPETIME 에러 분석 및 가이드 문의 エラーが発生しました 🚀');
    expect(value.d).toBe('C:\\tmax\\bin \\N \0 \t');
  });

  it('accepts leading and trailing white space', async () => {
    await expect(readJsonFile(fileWith('\n  {"a": [1, 2]}\n\n'))).resolves.toEqual({ a: [1, 2] });
  });

  it('returns a top-level value that is not an object (the caller judges it)', async () => {
    await expect(readJsonFile(fileWith('[1, "x"]'))).resolves.toEqual([1, 'x']);
    await expect(readJsonFile(fileWith('"abc"'))).resolves.toBe('abc');
    await expect(readJsonFile(fileWith('null'))).resolves.toBeNull();
  });

  it('reads a 20 MB file of Korean text, multi-byte characters split across read chunks', async () => {
    const path = join(temp.make(), 'big.json');
    // 3-byte UTF-8 characters in strings of odd lengths: chunk boundaries (256 KiB) fall inside
    // characters many times.
    const line = '에러 발생 – 로그 확인 부탁드립니다 '.repeat(7) + '🚀';
    const fd = openSync(path, 'w');
    let count = 0;
    try {
      writeSync(fd, '{"issue_id": "999999", "comments": [');
      let written = 0;
      while (written < 20 * 1024 * 1024) {
        const item = `${count === 0 ? '' : ','}\n  {"action_no": "${count}", "content": "${line}${count}"}`;
        written += writeSync(fd, item);
        count++;
      }
      writeSync(fd, '\n]}');
    } finally {
      closeSync(fd);
    }
    const value = (await readJsonFile(path)) as {
      issue_id: string;
      comments: { action_no: string; content: string }[];
    };
    expect(value.issue_id).toBe('999999');
    expect(value.comments).toHaveLength(count);
    expect(count).toBeGreaterThan(50_000);
    for (const i of [0, 1, 4097, Math.floor(count / 2), count - 1]) {
      expect(value.comments[i]).toEqual({ action_no: String(i), content: `${line}${i}` });
    }
    expect(value.comments.every((c, i) => c.content === `${line}${i}`)).toBe(true);
  }, 60_000);
});

describe('readJsonFile: files that do not parse', () => {
  it('says a truncated (half-written) file ends before the value is complete, naming the shown file', async () => {
    const full = readFileSync(FIXTURE_347863, 'utf8');
    const path = fileWith(full.slice(0, Math.floor(full.length / 2)));
    const err = await readError(path, 'alice/S1/347863_20260103_120902.json');
    expect(err.code).toBe('PARSE_FAILED');
    expect(err.file).toBe(path);
    expect(err.message).toMatch(
      /^alice\/S1\/347863_20260103_120902\.json: ends before the JSON value is complete \(half-written\?\)/,
    );
  });

  it.each([
    ['inside a string', '{"a": 1, "b": "xy'],
    ['after a comma', '{"a": 1,'],
    ['inside a list', '{"a": [1, 2'],
    ['inside a literal', '{"a": tru'],
    ['after the last value', '{"a": 1'],
    ['inside a multi-byte character', Buffer.from('{"t": "에', 'utf8').subarray(0, -1)],
  ])('calls a file cut %s half-written', async (_label, content) => {
    const err = await readError(fileWith(content), 'f.json');
    expect(err.code).toBe('PARSE_FAILED');
    expect(err.message).toContain('f.json: ends before the JSON value is complete (half-written?)');
  });

  it('says an empty file is empty', async () => {
    const path = fileWith('');
    const err = await readError(path, 'shown/empty.json');
    expect(err.code).toBe('PARSE_FAILED');
    expect(err.file).toBe(path);
    expect(err.message).toBe('shown/empty.json: the file is empty');
  });

  it('says a file of white space only is empty', async () => {
    const err = await readError(fileWith(' \n\t\n'), 'ws.json');
    expect(err.message).toBe('ws.json: the file is empty');
  });

  it.each([
    ['trailing garbage', '{"a": 1} x'],
    ['an extra closing brace', '{"a": 1}}'],
    ['two values', '{} {}'],
  ])('calls %s not valid JSON', async (_label, content) => {
    const err = await readError(fileWith(content), 'g.json');
    expect(err.code).toBe('PARSE_FAILED');
    expect(err.message).toMatch(/^g\.json: not valid JSON: /);
    expect(err.message).not.toContain('ends before');
  });

  it('calls an unquoted key not valid JSON and says what was expected', async () => {
    const err = await readError(fileWith('{a: 1}'), 'k.json');
    expect(err.message).toBe('k.json: not valid JSON: expected an object key');
  });

  it('says a missing file cannot be read, naming it (the path by default)', async () => {
    const path = join(temp.make(), 'missing.json');
    const err = await readError(path);
    expect(err.code).toBe('PARSE_FAILED');
    expect(err.file).toBe(path);
    expect(err.message).toMatch(new RegExp(`^${escapeRegExp(path)}: cannot read: ENOENT`));
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('says a directory cannot be read', async () => {
    const dir = temp.make();
    const err = await readError(dir, 'dir.json');
    expect(err.code).toBe('PARSE_FAILED');
    expect(err.message).toMatch(/^dir\.json: cannot read: EISDIR/);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
