import { appendFileSync, utimesSync, writeFileSync } from 'node:fs';
import Assembler from 'stream-json/Assembler';
import { IngestError } from '../../src/errors';
import { parseJsonTokens } from '../../src/files/read-json';
import { RepairedIssue, repairIssue } from '../../src/files/repair';
import { BigIssueCheck, checkBigIssue, repairedText } from '../../src/files/repair-stream';
import { dump, GIVEN_UP, NASTY, R, REFUSED } from './nasty-issues';
import { FIXED_MTIME, tempDirs } from './temp-tree';

// A big issue file that needs a repair is repaired on its token stream (repair-stream.ts). What
// it loads and reports must be, to the letter, what the old way gives: the file assembled by
// stream-json's Assembler (as readJsonFile reads a big file), repairIssue'd in place, written out
// by JSON.stringify. Its text is compared byte for byte, its repairs one by one.

const temp = tempDirs('repair-stream');
afterAll(() => temp.cleanup());

/** The old way's result for the file at `path`, or its error. */
async function oldWay(path: string): Promise<{ text: string; issue: RepairedIssue } | IngestError> {
  const assembler = new Assembler();
  await parseJsonTokens(path, 'x.json', (token) => {
    assembler.consume(token);
  });
  try {
    const issue = repairIssue(assembler.current, 'x.json', { inPlace: true });
    return { text: JSON.stringify(issue.doc), issue };
  } catch (err) {
    return err as IngestError;
  }
}

async function streamed(path: string, check: BigIssueCheck): Promise<string> {
  if (!('plan' in check)) throw new Error(`not streamed: ${check.verbatim ? 'verbatim' : check.reason}`);
  let text = '';
  for await (const chunk of repairedText(path, 'v.json', check.stamp, check.plan)) text += chunk;
  return text;
}

/** Streams `text` and expects the old way's document, text and repairs. */
async function expectSame(text: string): Promise<{ repairs: string[]; doc: string }> {
  const path = temp.file(text);
  const expected = await oldWay(path);
  if (expected instanceof Error) throw expected;
  const check = await checkBigIssue(path, 'x.json');
  const got = await streamed(path, check);
  expect(got).toBe(expected.text);
  const { doc: _doc, ...rest } = expected.issue;
  expect('plan' in check && check.plan).toEqual(rest);
  return { repairs: expected.issue.repairs, doc: got };
}

describe('repairedText gives the old way its document, text and repairs', () => {
  it.each(NASTY)('%s', async (_label, text) => {
    await expectSame(text);
  });

  it('changes every file of the list (the cases are not vacuous)', async () => {
    for (const [label, text] of NASTY) {
      const { repairs, doc } = await expectSame(text);
      if (repairs.length === 0 && doc === JSON.stringify(JSON.parse(text))) throw new Error(`${label}: unchanged`);
    }
  });

  it('gives the words of the repairs', async () => {
    const { repairs } = await expectSame(
      dump({ title: 42, comments: [{ a: 1 }, 'x'], metadata: null, crawl_order: '5', description: 'a\0' }),
    );
    expect(repairs).toEqual([
      'removed 1 NUL character from description',
      'title was a number; read as the string "42"',
      'comments[0].a was a number; read as a string',
      'comments[1] was a string, not an object; left out',
      'metadata was null, not an object; read as {}',
      'crawl_order was the string "5"; read as the number 5',
    ]);
  });

  it('writes a big document in chunks, with a huge string', async () => {
    const huge = `${'로그 '.repeat(1_500_000)}\0${'x'.repeat(100)}`;
    const comments = Array.from({ length: 3000 }, (_, k) => ({ action_no: k, content: `c${k}\0` }));
    const text = dump({ description: huge, comments });
    const path = temp.file(text);
    const check = await checkBigIssue(path, 'x.json');
    let chunks = 0;
    let got = '';
    if (!('plan' in check)) throw new Error('not streamed');
    for await (const chunk of repairedText(path, 'x.json', check.stamp, check.plan)) {
      chunks++;
      got += chunk;
    }
    const expected = await oldWay(path);
    if (expected instanceof Error) throw expected;
    expect(chunks).toBeGreaterThan(2);
    expect(got).toBe(expected.text);
    expect(check.plan.repairs).toEqual(expected.issue.repairs);
    expect(check.plan.repairs).toHaveLength(1 + 3000 * 2);
  });
});

describe('checkBigIssue: files left to the old way', () => {
  it.each(GIVEN_UP)('%s', async (_label, text, reason) => {
    const check = await checkBigIssue(temp.file(text), 'x.json');
    expect('plan' in check).toBe(false);
    expect(!check.verbatim && 'oldWay' in check && check.oldWay).toMatch(reason);
  });
});

describe('checkBigIssue: files repairIssue refuses', () => {
  it.each(REFUSED)('%s: the same error', async (_label, text) => {
    const path = temp.file(text);
    const expected = await oldWay(path);
    expect(expected).toBeInstanceOf(Error);
    const err = await checkBigIssue(path, 'x.json').then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const shown = (e: Error) => ({ type: e.constructor.name, message: e.message, code: (e as IngestError).code });
    expect(shown(err!)).toEqual(shown(expected as Error));
  });
});

describe('repairedText: the file must still be the one checked', () => {
  const text = dump({ description: 'a\0b', comments: Array.from({ length: 5000 }, (_, k) => ({ n: k })) });

  async function checked(): Promise<{ path: string; check: BigIssueCheck }> {
    const path = temp.file(text);
    utimesSync(path, FIXED_MTIME, FIXED_MTIME);
    return { path, check: await checkBigIssue(path, 'v.json') };
  }

  it('refuses a file written to since the check', async () => {
    const { path, check } = await checked();
    appendFileSync(path, ' ');
    await expect(streamed(path, check)).rejects.toThrow(/^v\.json: changed while being read/);
  });

  it('refuses a file rewritten to the same size and time, that now reads to other repairs', async () => {
    const { path, check } = await checked();
    writeFileSync(path, text.replace(R`a\u0000b`, R`a\u0041b`));
    utimesSync(path, FIXED_MTIME, FIXED_MTIME);
    await expect(streamed(path, check)).rejects.toThrow(/^v\.json: changed while being read/);
  });

  it('refuses a file that is no longer JSON', async () => {
    const { path, check } = await checked();
    writeFileSync(path, text.replace('"comments"', '{comments"'));
    utimesSync(path, FIXED_MTIME, FIXED_MTIME);
    await expect(streamed(path, check)).rejects.toThrow(/^v\.json: changed while being read/);
  });
});
