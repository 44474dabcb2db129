import { ISSUE_SHAPE, KeyShape } from '../../src/files/issue-shape';
import { checkVerbatim } from '../../src/files/passthrough';
import { repairIssue } from '../../src/files/repair';
import { checkBigIssue } from '../../src/files/repair-stream';
import { issue } from './sample-issue';
import { tempDirs } from './temp-tree';

// The one table, seen through its readers: for every key, a value of the wrong shape is
// repaired by repairIssue AND keeps a big file off the pass-through path AND is repaired on the
// token stream with repairIssue's words, and a value of the right shape does none of these.
const temp = tempDirs('shape');
afterAll(() => temp.cleanup());

const GOOD: Record<KeyShape, unknown> = {
  string: 'x',
  list: [{ a: 'b' }],
  fields: { a: 'b' },
  crawl_order: 3,
};
const BAD: Record<KeyShape, unknown[]> = {
  string: [null, 5, true, { a: 1 }],
  list: ['x', {}, ['not an object'], [{ a: 1 }]],
  fields: ['x', [], { a: null }],
  crawl_order: [-1, 1.5, 2 ** 31, 'x'],
};

async function bothReaders(doc: Record<string, unknown>) {
  const repaired = repairIssue(doc, 'issue.json');
  const path = temp.file(JSON.stringify(doc));
  const check = await checkVerbatim(path, 'issue.json');
  const big = await checkBigIssue(path, 'issue.json');
  expect('plan' in big ? big.plan.repairs : []).toEqual(repaired.repairs);
  return { repaired: repaired.repairs.length > 0, passedThrough: check.verbatim };
}

describe.each(Object.entries(ISSUE_SHAPE))('%s (%s)', (key, shape) => {
  if (key === 'issue_id') return; // a bad issue_id is an error, not a repair (repair.test.ts)
  it('of the right shape: no repair, passed through', async () => {
    const good = key === 'crawled_at' ? '2026-01-03T12:09:02.481537' : GOOD[shape]; // must also be a time
    expect(await bothReaders(issue({ [key]: good }))).toEqual({ repaired: false, passedThrough: true });
  });
  it.each(BAD[shape].map((v) => [JSON.stringify(v), v]))('%s: repaired, not passed through', async (_, bad) => {
    expect(await bothReaders(issue({ [key]: bad }))).toEqual({ repaired: true, passedThrough: false });
  });
});

it('a key outside the table is kept whatever it holds, by both', async () => {
  for (const v of [null, 5, [1], { a: { b: 2 } }]) {
    expect(await bothReaders(issue({ extra: v }))).toEqual({ repaired: false, passedThrough: true });
  }
});
