import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSmallFileAsync, readSmallFileSync, WHOLE_READ_MAX_BYTES } from '../../src/files/read-json';
import { tempDirs } from './temp-tree';

// The two ways a small file is read whole (synchronously from the page cache, through the
// thread pool from the disk) must give the same answer for every kind of path.
const temp = tempDirs('read-small');
afterAll(() => temp.cleanup());

it.each([
  ['a small file, Korean text and all', 'small.json', '{"title":"에러 발생","n":1}'],
  ['an empty file', 'empty.json', ''],
  ['a file at the size limit', 'limit.json', 'x'.repeat(WHOLE_READ_MAX_BYTES)],
])('%s: its text, both ways', async (_, name, text) => {
  const path = join(temp.make(), name);
  writeFileSync(path, text);
  expect(readSmallFileSync(path)).toBe(text);
  expect(await readSmallFileAsync(path)).toBe(text);
});

it.each([
  ['a file over the size limit', (dir: string) => writeFileSync(join(dir, 'p'), 'x'.repeat(WHOLE_READ_MAX_BYTES + 1))],
  ['a directory', (dir: string) => mkdirSync(join(dir, 'p'))],
  ['a missing file', () => undefined],
])('%s: undefined both ways (the streaming reader then says what is wrong)', async (_, make) => {
  const dir = temp.make();
  make(dir);
  const path = join(dir, 'p');
  expect(readSmallFileSync(path)).toBeUndefined();
  expect(await readSmallFileAsync(path)).toBeUndefined();
});
