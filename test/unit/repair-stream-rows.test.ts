import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Assembler from 'stream-json/Assembler';
import { issueRows } from '../../src/files/file-rows';
import { ISSUE_SHAPE } from '../../src/files/issue-shape';
import { parseJsonTokens } from '../../src/files/read-json';
import { repairIssue } from '../../src/files/repair';
import { checkBigIssue, repairedText } from '../../src/files/repair-stream';
import { ProblemList } from '../../src/files/session-errors';
import { scanSession } from '../../src/files/session-folder';
import { GIVEN_UP, NASTY, REFUSED } from './nasty-issues';
import { issue } from './sample-issue';
import { tempDirs } from './temp-tree';

// The streaming repairer seen from where its results go: a session's COPY rows and problems are
// those of the old way, file for file; and random documents full of what repairIssue repairs
// stream to the old way's text and repairs, or are left to the old way.

const temp = tempDirs('repair-rows');
afterAll(() => temp.cleanup());

async function load(dir: string, verbatimAbove: number): Promise<{ text: string; problems: ProblemList }> {
  const contents = await scanSession(dir);
  const problems = new ProblemList();
  const stats = { staged: 0, rejected: 0, readMs: 0, bytes: 0 };
  let text = '';
  for await (const chunk of issueRows(contents.issueFiles, '2026-01-03 12:08:55.000000', problems, stats, {
    verbatimAbove,
  }))
    text += chunk;
  return { text, problems };
}

it('issueRows: the same COPY rows and problems as the old way, for files repaired, given up or refused', async () => {
  const dir = join(temp.make(), 'OpenFrame_TPETIME_에러_20260103_120855');
  mkdirSync(dir);
  const texts = [...NASTY, ...GIVEN_UP, ...REFUSED].map(([, text]) => text);
  texts.forEach((text, i) => writeFileSync(join(dir, `347863_20260103_1200${String(i).padStart(2, '0')}.json`), text));
  const streamed = await load(dir, -1);
  const old = await load(dir, Infinity);
  expect(streamed.text).toBe(old.text);
  expect(streamed.problems.items).toEqual(old.problems.items);
  // Every NASTY and GIVEN_UP file loads, with a repair or changed, but the one whose issue_id (a
  // list, read as its JSON text) is not its name's; every REFUSED one is an error.
  expect(old.text.split('\n').filter(Boolean).length).toBe(NASTY.length + GIVEN_UP.length - 1);
  expect(old.problems.errors).toBe(REFUSED.length + 1);
  expect(old.problems.items.filter((p) => p.severity === 'error').map((p) => p.message)).toContainEqual(
    expect.stringMatching(/the file name says issue 347863 but its issue_id is \[3478,"63"\]/),
  );
  expect(old.problems.warnings).toBeGreaterThan(NASTY.length - 5);
});

/** A seeded generator (mulberry32): the same documents on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a',
  '로그',
  '\0',
  '\ud800',
  '\udc00',
  '\ud83d\ude00',
  '"',
  '\\',
  '\n',
  ' ',
  '12',
  '2026-01-03 12:09:02',
];
const KEYS = ['a', 'b', '0', '1', '7', 'a\0', '\0', '', 'x\ud800', 'content', 'n\0'];
const NUMBERS = [0, -0, 1.5, 3, 2147483647, 2147483648, -1, 1e21, Number('12345678901234567890')];

function generator(seed: number) {
  const r = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)];
  const text = (): string => Array.from({ length: Math.floor(r() * 4) }, () => pick(PIECES)).join('');
  const value = (depth: number): unknown => {
    const kind = Math.floor(r() * (depth > 3 ? 4 : 6));
    if (kind === 0) return text();
    if (kind === 1) return pick(NUMBERS);
    if (kind === 2) return r() < 0.5 ? null : r() < 0.5;
    if (kind === 3) return text();
    if (kind === 4) return Array.from({ length: Math.floor(r() * 4) }, () => value(depth + 1));
    return object(() => value(depth + 1));
  };
  const object = (of: () => unknown): Record<string, unknown> =>
    Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [pick(KEYS), of()]));
  /** A document: the sample issue, some of its keys replaced by values of any shape, mostly almost right. */
  return (): Record<string, unknown> => {
    const doc = issue();
    for (const key of Object.keys(ISSUE_SHAPE)) {
      if (r() < 0.6) continue;
      const shape = ISSUE_SHAPE[key];
      const almost =
        shape === 'list'
          ? Array.from({ length: Math.floor(r() * 4) }, () => (r() < 0.7 ? object(() => value(3)) : value(2)))
          : shape === 'fields'
            ? object(() => (r() < 0.5 ? text() : value(2)))
            : shape === 'crawl_order'
              ? pick([1, ' 2 ', '3', 4.5, -1])
              : text();
      doc[key] = r() < 0.7 ? almost : value(1);
    }
    if (r() < 0.2) doc.issue_id = pick(['347863', ' 347863 ', 347863, '3478\u000063']);
    for (let i = 0; i < 2; i++) if (r() < 0.5) doc[pick(KEYS)] = value(1);
    return doc;
  };
}

it('random documents: streamed as the old way gives them, or left to it', async () => {
  const next = generator(14);
  let streamed = 0;
  let givenUp = 0;
  let refused = 0;
  let repairs = 0;
  for (let i = 0; i < 400; i++) {
    const text = JSON.stringify(next(), null, i % 2 === 0 ? 2 : undefined);
    const path = temp.file(text);
    const assembler = new Assembler();
    await parseJsonTokens(path, 'x.json', (token) => {
      assembler.consume(token);
    });
    let old;
    let oldError: Error | undefined;
    try {
      old = repairIssue(assembler.current, 'x.json', { inPlace: true });
    } catch (err) {
      oldError = err as Error;
    }
    const check = await checkBigIssue(path, 'x.json').catch((err: Error) => err);
    if (check instanceof Error) {
      expect(check.message).toBe(oldError?.message);
      refused++;
      continue;
    }
    if (!('plan' in check)) {
      givenUp++;
      continue;
    }
    let got = '';
    for await (const chunk of repairedText(path, 'x.json', check.stamp, check.plan)) got += chunk;
    if (old === undefined) throw new Error(`streamed a document the old way refuses: ${text}`);
    const { doc, ...rest } = old;
    expect({ text: got, plan: check.plan }).toEqual({ text: JSON.stringify(doc), plan: rest });
    streamed++;
    repairs += rest.repairs.length;
  }
  expect(streamed).toBeGreaterThan(200);
  expect(repairs).toBeGreaterThan(5 * streamed);
  expect(givenUp).toBeGreaterThan(10);
  expect(refused).toBeGreaterThan(10);
});
