import { setTimeout as sleep } from 'node:timers/promises';
import { Prefetch } from '../../src/ingest/prefetch';

/** A source of `n` chunks of `size` characters, counting how many were pulled. */
function source(name: string, n: number, size = 10, failAt?: number) {
  const state = { pulled: 0 };
  async function* rows() {
    for (let i = 0; i < n; i++) {
      await sleep(1);
      if (i === failAt) throw new Error(`${name} broke at ${i}`);
      state.pulled++;
      yield `${name}${i}`.padEnd(size, '.');
    }
  }
  return { rows: rows(), state };
}

async function collect(rows: AsyncIterable<string | Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of rows) out.push(chunk.toString());
  return out;
}

const expected = (name: string, n: number, size = 10) =>
  Array.from({ length: n }, (_, i) => `${name}${i}`.padEnd(size, '.'));

it('reads ahead source after source, up to its budget, and stops there', async () => {
  const a = source('a', 5);
  const b = source('b', 5);
  const prefetch = new Prefetch(70);
  prefetch.add(a.rows);
  prefetch.add(b.rows);
  prefetch.start();
  await sleep(100);
  // 7 chunks of 10 bytes: all of a, two of b.
  expect([a.state.pulled, b.state.pulled]).toEqual([5, 2]);
});

it('gives every chunk once and in order, whether read ahead or not', async () => {
  const a = source('a', 6);
  const b = source('b', 8);
  const c = source('c', 3);
  const prefetch = new Prefetch(45);
  const ra = prefetch.add(a.rows);
  const rb = prefetch.add(b.rows);
  const rc = prefetch.add(c.rows);
  prefetch.start();
  await sleep(30);
  expect(await collect(ra)).toEqual(expected('a', 6));
  expect(await collect(rb)).toEqual(expected('b', 8));
  expect(await collect(rc)).toEqual(expected('c', 3));
});

it('lets the COPY take a source over while the prefetch is reading it', async () => {
  const a = source('a', 40);
  const prefetch = new Prefetch(1_000_000);
  const ra = prefetch.add(a.rows);
  prefetch.start();
  await sleep(5);
  expect(await collect(ra)).toEqual(expected('a', 40));
});

it('stop() keeps what was read and reads no more ahead', async () => {
  const a = source('a', 10);
  const b = source('b', 10);
  const prefetch = new Prefetch(1_000_000);
  const ra = prefetch.add(a.rows);
  const rb = prefetch.add(b.rows);
  prefetch.start();
  await sleep(20);
  prefetch.stop();
  const pulled = a.state.pulled + b.state.pulled;
  await sleep(30);
  // The pull in flight when it stopped still lands; none after it.
  expect(a.state.pulled + b.state.pulled).toBeLessThanOrEqual(pulled + 1);
  expect(a.state.pulled + b.state.pulled).toBeLessThan(20);
  expect(await collect(ra)).toEqual(expected('a', 10));
  expect(await collect(rb)).toEqual(expected('b', 10));
});

it('hands an error met while reading ahead to the COPY, after the chunks before it', async () => {
  const a = source('a', 5, 10, 3);
  const prefetch = new Prefetch(1_000_000);
  const ra = prefetch.add(a.rows);
  prefetch.start();
  await sleep(50);
  const got: string[] = [];
  await expect(
    (async () => {
      for await (const chunk of ra) got.push(chunk.toString());
    })(),
  ).rejects.toThrow('a broke at 3');
  expect(got).toEqual(expected('a', 3));
});
